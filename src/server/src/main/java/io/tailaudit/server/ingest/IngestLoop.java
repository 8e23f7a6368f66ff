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

/**
 * The ingest consumer: poll a batch, store it in one transaction, then commit its offsets. Offsets go
 * after the database commit, so a crash in between replays the batch and the idempotent writes make the
 * replay change nothing. While storage is failing, the same parsed batch is retried with backoff and the
 * partitions stay paused (polling continues, so the group keeps this member); no offset moves, nothing is
 * lost, and ingestion resumes by itself. Runs on one thread; {@link #stop()} may be called from any.
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
    private volatile boolean running = true;
    private PreparedBatch pending;

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
    }

    void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            Duration backoff = FIRST_BACKOFF;
            while (running) {
                if (pending == null) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout);
                    if (records.isEmpty()) {
                        continue;
                    }
                    pending = processor.prepare(records);
                }
                try {
                    processor.store(pending);
                    afterDatabaseCommit.run();
                    commit();
                    if (!consumer.paused().isEmpty()) {
                        LOG.infof("ingest resumed topic=%s", topic);
                        consumer.resume(consumer.paused());
                    }
                    backoff = FIRST_BACKOFF;
                } catch (StorageException e) {
                    LOG.warnf("ingest paused, storage failing, retry_in=%s error=%s", backoff, e.getMessage());
                    processor.recordRetry();
                    consumer.pause(consumer.assignment());
                    keepMembershipFor(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            processor.close();
            consumer.close(Duration.ofSeconds(5));
            LOG.infof("ingest stopped topic=%s", topic);
        }
    }

    private void commit() {
        PreparedBatch batch = pending;
        pending = null;
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
        while (running && pending != null && System.nanoTime() < deadline) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            ConsumerRecords<String, byte[]> none = consumer.poll(Duration.ofMillis(Math.min(left, 500)));
            if (!none.isEmpty()) {
                throw new KafkaException("paused consumer returned records");
            }
        }
    }

    /** A batch held for retry must not outlive the assignment of its partitions. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            dropPending(revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            dropPending(lost);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            LOG.infof("ingest partitions assigned topic=%s partitions=%s", topic, assigned);
        }

        private void dropPending(Collection<TopicPartition> gone) {
            if (pending == null) {
                return;
            }
            Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
            kept.removeAll(gone);
            // rewind the partitions we keep to the held batch's start; the others' new owner reads from
            // the committed offsets, which never passed this batch
            pending.firstOffsets().forEach((tp, offset) -> {
                if (kept.contains(tp)) {
                    consumer.seek(tp, offset);
                }
            });
            consumer.resume(consumer.paused());
            pending = null;
            LOG.infof("ingest dropped a held batch on rebalance partitions=%s", gone);
        }
    }
}
