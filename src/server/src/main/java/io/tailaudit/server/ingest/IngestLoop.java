package io.tailaudit.server.ingest;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The ingest consumer. The consumer thread polls and parses batch N+1 while a writer thread stores batch N
 * in one transaction; batch N's offsets are committed, by the consumer thread and in order, only after its
 * database commit. A crash in between replays the batch, and the idempotent writes make the replay change
 * nothing. While storage is failing, the same batch is retried with backoff and the partitions stay paused
 * (polling continues, so the group keeps this member); no offset moves, nothing is lost, and ingestion
 * resumes by itself. {@link #stop()} may be called from any thread.
 */
final class IngestLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(IngestLoop.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);

    private final Consumer<String, byte[]> consumer;
    private final BatchProcessor processor;
    private final String topic;
    private final Duration pollTimeout;
    private final Duration maxBackoff;
    private final Runnable afterDatabaseCommit;
    private final ExecutorService writer;
    private volatile boolean running = true;
    /** When the loop last returned from a poll (epoch millis; 0 before the first). */
    private volatile long lastPollMillis;
    /** Records produced to the assigned partitions and not consumed yet, as of the last poll (-1: unknown). */
    private volatile long lagRecords = -1;
    /** Since when storage has been failing (epoch millis), 0 when it is not. */
    private volatile long storageFailingSinceMillis;
    private InFlight inFlight;
    private PreparedBatch next;

    private record InFlight(PreparedBatch batch, CompletableFuture<Void> stored) {
    }

    /**
     * @param afterDatabaseCommit runs between the database commit and the offset commit; production passes
     *                            a no-op, the crash test passes one that throws
     */
    IngestLoop(Consumer<String, byte[]> consumer, BatchProcessor processor, String topic, Duration pollTimeout,
               Duration maxBackoff, Runnable afterDatabaseCommit) {
        this.consumer = consumer;
        this.processor = processor;
        this.topic = topic;
        this.pollTimeout = pollTimeout;
        this.maxBackoff = maxBackoff;
        this.afterDatabaseCommit = afterDatabaseCommit;
        this.writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "tailaudit-ingest-writer"));
    }

    void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (running) {
                if (next == null) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout);
                    observe();
                    if (!records.isEmpty()) {
                        next = processor.prepare(records);
                    }
                }
                if (inFlight != null && (next != null || inFlight.stored().isDone())) {
                    settle();
                }
                if (inFlight == null && next != null) {
                    inFlight = new InFlight(next, store(next));
                    next = null;
                }
            }
            if (inFlight != null) {
                settle();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            writer.shutdownNow();
            awaitWriter();
            processor.close();
            consumer.close(Duration.ofSeconds(5));
            LOG.infof("ingest stopped topic=%s", topic);
        }
    }

    /** Notes the poll and the lag the consumer knows from its last fetches, without asking the broker. */
    private void observe() {
        lastPollMillis = System.currentTimeMillis();
        long lag = 0;
        boolean known = false;
        for (TopicPartition tp : consumer.assignment()) {
            java.util.OptionalLong l = consumer.currentLag(tp);
            if (l.isPresent()) {
                lag += l.getAsLong();
                known = true;
            }
        }
        lagRecords = known ? lag : -1;
    }

    /** The loop's state for health checks and alert rules. */
    record Status(long lastPollMillis, long lagRecords, long storageFailingSinceMillis) {
    }

    Status status() {
        return new Status(lastPollMillis, lagRecords, storageFailingSinceMillis);
    }

    private CompletableFuture<Void> store(PreparedBatch batch) {
        return CompletableFuture.runAsync(() -> {
            try {
                processor.store(batch);
            } catch (RetryableBatchException e) {
                throw new CompletionException(e);
            }
        }, writer);
    }

    /** Waits for the in-flight batch, retrying it while storage fails, then commits its offsets. */
    private void settle() {
        Duration backoff = FIRST_BACKOFF;
        while (inFlight != null) {
            InFlight current = inFlight;
            try {
                current.stored().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetryableBatchException failure)) {
                    throw new KafkaException("ingest writer failed", e.getCause());
                }
                LOG.warnf("ingest paused, storage failing, retry_in=%s error=%s", backoff, failure.getMessage());
                if (storageFailingSinceMillis == 0) {
                    storageFailingSinceMillis = System.currentTimeMillis();
                }
                processor.recordRetry();
                consumer.pause(consumer.assignment());
                keepMembershipFor(backoff);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                if (inFlight == current && running) {
                    inFlight = new InFlight(current.batch(), store(current.batch()));
                } else if (inFlight == current) {
                    inFlight = null;       // stopping: leave the batch to the next owner, uncommitted
                }
                continue;
            }
            inFlight = null;      // settled: a failure from here on must not reach the rebalance callback
            storageFailingSinceMillis = 0;
            afterDatabaseCommit.run();
            commitAsync(current.batch());
            if (!consumer.paused().isEmpty()) {
                LOG.infof("ingest resumed topic=%s", topic);
                consumer.resume(consumer.paused());
            }
        }
    }

    /**
     * Asynchronous, so the writer is not idle while the broker answers; still strictly after the
     * database commit. A lost commit only makes the batch replay, which changes nothing; a later commit
     * supersedes it.
     */
    private void commitAsync(PreparedBatch batch) {
        consumer.commitAsync(batch.commitOffsets(), (offsets, error) -> {
            if (error != null) {
                LOG.infof("ingest offset commit failed, the batch may replay idempotently: %s", error.getMessage());
            }
        });
    }

    private void commit(PreparedBatch batch) {
        try {
            consumer.commitSync(batch.commitOffsets());
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the rows are committed; the next owner of these partitions replays them harmlessly
            LOG.infof("ingest offset commit lost to a rebalance, batch will replay idempotently: %s", e.getMessage());
        }
    }

    /** Polls the paused partitions (returns nothing) until the backoff has passed, so the group keeps us. */
    private void keepMembershipFor(Duration backoff) {
        long deadline = System.nanoTime() + backoff.toNanos();
        InFlight waitingFor = inFlight;
        while (running && inFlight == waitingFor && System.nanoTime() < deadline) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            ConsumerRecords<String, byte[]> none = consumer.poll(Duration.ofMillis(Math.min(left, 500)));
            if (!none.isEmpty()) {
                throw new KafkaException("paused consumer returned records");
            }
        }
    }

    private void awaitWriter() {
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Batches must not outlive the assignment of their partitions: the stored in-flight batch is committed
     * while we still own its partitions, a failed or unstarted one is dropped and its partitions we keep are
     * rewound, so nothing is skipped.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            release(revoked, true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            release(lost, false);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            LOG.infof("ingest partitions assigned topic=%s partitions=%s", topic, assigned);
        }

        private void release(Collection<TopicPartition> gone, boolean mayCommit) {
            if (inFlight == null && next == null) {
                return;
            }
            Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
            kept.removeAll(gone);
            if (inFlight != null) {
                InFlight current = inFlight;
                inFlight = null;
                boolean stored = awaitQuietly(current.stored());
                if (stored && mayCommit) {
                    afterDatabaseCommit.run();
                    commit(current.batch());
                } else {
                    rewind(current.batch(), kept);
                }
            }
            if (next != null) {
                rewind(next, kept);
                next = null;
            }
            consumer.resume(consumer.paused());
            LOG.infof("ingest released held batches on rebalance partitions=%s", gone);
        }

        private void rewind(PreparedBatch batch, Set<TopicPartition> kept) {
            batch.firstOffsets().forEach((tp, offset) -> {
                if (kept.contains(tp)) {
                    consumer.seek(tp, offset);
                }
            });
        }

        private boolean awaitQuietly(CompletableFuture<Void> stored) {
            try {
                stored.get(60, TimeUnit.SECONDS);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                return false;
            }
        }
    }
}
