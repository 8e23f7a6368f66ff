package io.tailaudit.sdk.internal;

import io.tailaudit.sdk.ClientStats;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The bounded queue and the one background thread behind a client. The caller's thread only offers to
 * the queue; serialization, the Kafka producer (even its construction) and all I/O live on the sender
 * thread, so an unreachable broker costs the caller nothing but drops once the queue is full.
 */
public final class Sender {

    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int DRAIN_MAX = 512;
    /** With the spool: records handed to the producer and not acknowledged yet, at most. */
    private static final int MAX_IN_FLIGHT = 10_000;
    private static final long MAX_IN_FLIGHT_BYTES = 16L * 1024 * 1024;
    private static final long SEGMENT_BYTES = 16L * 1024 * 1024;

    private final TailAuditConfig config;
    private final Function<TailAuditConfig, Producer<String, byte[]>> producerFactory;
    private final ArrayBlockingQueue<Object> queue;
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> flushRequests = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final String producerId;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Thread thread;
    /** With the spool: what the producer answered, {position, 1 ok / 0 failed}, read by the sender thread. */
    private final ConcurrentLinkedQueue<long[]> completions = new ConcurrentLinkedQueue<>();
    private volatile boolean sendFailed;
    private volatile long spooled;
    private volatile boolean closing;
    private volatile boolean stopped;
    private long droppedAtLastLog;
    private long lastDropLogNanos = System.nanoTime();

    public Sender(TailAuditConfig config) {
        this(config, Sender::kafkaProducer);
    }

    Sender(TailAuditConfig config, Function<TailAuditConfig, Producer<String, byte[]>> producerFactory) {
        this.config = config;
        // the contract's producer id: [A-Za-z0-9._:-], at most 64 characters
        String prefix = config.clientId().replaceAll("[^A-Za-z0-9._-]", "_");
        this.producerId = prefix.substring(0, Math.min(prefix.length(), 27)) + ":" + UUID.randomUUID();
        this.producerFactory = producerFactory;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.thread = new Thread(this::run, "tailaudit-sdk-sender");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Caller's thread: never blocks, never throws. Every call takes the next number of this client's
     * sequence, a dropped event too: the server's ledger then shows the drop as a gap.
     */
    public boolean offer(Object event) {
        long seq = sequence.getAndIncrement();
        if (event == null || closing || !queue.offer(new Stamped(event, seq))) {
            dropped.increment();
            return false;
        }
        accepted.increment();
        return true;
    }

    /** An event and its number in this client's sequence. */
    private record Stamped(Object event, long seq) {
    }

    /** This client's producer id: new for each client, so a restart starts a new sequence, not a gap. */
    public String producerId() {
        return producerId;
    }

    public ClientStats stats() {
        return new ClientStats(accepted.sum(), dropped.sum(), sent.sum(), failed.sum(), queue.size(), spooled);
    }

    public boolean flush(Duration timeout) {
        if (stopped) {
            return queue.isEmpty();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        flushRequests.add(done);
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        flush(config.closeTimeout());
        stopped = true;
        thread.interrupt();
        try {
            thread.join(config.closeTimeout().toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ClientStats s = stats();
        LOG.info("tailaudit sdk closed accepted={} sent={} dropped={} failed={} unsent={} spooled_bytes={}{}",
                s.accepted(), s.sent(), s.dropped(), s.failed(), s.queued(), s.spooled(),
                s.spooled() > 0 ? " (kept in the spool, sent by the next client on it)" : "");
    }

    private void run() {
        if (config.spooled()) {
            Spool spool;
            try {
                spool = Spool.open(config.spoolDir(), config.spoolMaxBytes(), SEGMENT_BYTES);
            } catch (IOException | RuntimeException e) {
                LOG.error("tailaudit sdk spool {} cannot be used, events are held in memory only: {}",
                        config.spoolDir(), e.toString());
                runInMemory();
                return;
            }
            try {
                runSpooled(spool);
            } finally {
                try {
                    spool.sync();
                    spool.close();
                } catch (IOException e) {
                    LOG.warn("tailaudit sdk spool not closed cleanly: {}", e.toString());
                }
            }
            return;
        }
        runInMemory();
    }

    /**
     * With the spool: every event drained from the queue is appended to the spool, and the spool is sent
     * in order. An acknowledged prefix is released; a failed send rewinds to the first failed record once
     * nothing is in flight, and sending resumes after a backoff (a redelivery the server deduplicates by
     * trace id). Meanwhile the queue keeps draining into the spool, so an outage costs disk, not events.
     */
    private void runSpooled(Spool spool) {
        Producer<String, byte[]> producer = null;
        TreeMap<Long, Long> inFlight = new TreeMap<>();
        long inFlightBytes = 0;
        long sendAt = spool.acked();
        long firstFailed = Long.MAX_VALUE;
        long retryAt = System.nanoTime();
        long backoffMs = 100;
        boolean unsynced = false;
        ScheduledExecutorService syncer = null;
        if (config.spoolFsync() == TailAuditConfig.SpoolFsync.INTERVAL) {
            // on a thread of its own: an fsync that takes a while must not keep the queue from draining
            syncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tailaudit-sdk-spool-fsync");
                t.setDaemon(true);
                return t;
            });
            long every = config.spoolFsyncInterval().toMillis();
            syncer.scheduleWithFixedDelay(() -> {
                try {
                    spool.syncConcurrently();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("tailaudit sdk spool fsync failed: {}", e.toString());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
        long lastFailureLog = 0;
        List<Object> batch = new ArrayList<>(DRAIN_MAX);
        spooled = spool.backlog();
        while (!stopped) {
            try {
                long now = System.nanoTime();
                boolean rewinding = firstFailed != Long.MAX_VALUE;
                if (producer == null && !rewinding && now >= retryAt && sendAt < spool.end()) {
                    producer = producerOrNull();            // built on its own thread: null until it is
                }
                boolean canSend = producer != null && !rewinding && now >= retryAt && sendAt < spool.end()
                        && inFlight.size() < MAX_IN_FLIGHT && inFlightBytes < MAX_IN_FLIGHT_BYTES;
                // 1. the queue into the spool
                Object first = canSend ? queue.poll() : queue.poll(20, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, DRAIN_MAX - 1);
                    for (Object event : batch) {
                        ProducerRecord<String, byte[]> r;
                        try {
                            r = toRecord(event);
                        } catch (RuntimeException e) {
                            failed.increment();
                            LOG.warn("tailaudit sdk could not serialize an event: {}", e.toString());
                            continue;
                        }
                        if (spool.append(r.key(), r.value())) {
                            unsynced = true;
                        } else {
                            dropped.increment();        // the spool is at its size limit
                        }
                    }
                    batch.clear();
                    spool.flush();                      // one write for the batch
                }
                if (unsynced && config.spoolFsync() == TailAuditConfig.SpoolFsync.ALWAYS) {
                    spool.sync();
                    unsynced = false;
                }
                // 2. what the producer answered
                long[] c;
                while ((c = completions.poll()) != null) {
                    Long next = inFlight.remove(c[0]);
                    if (next == null) {
                        continue;
                    }
                    inFlightBytes -= next - c[0];
                    if (c[1] == 1) {
                        sent.increment();
                        backoffMs = 100;
                    } else {
                        firstFailed = Math.min(firstFailed, c[0]);
                    }
                }
                long acked = Math.min(firstFailed, inFlight.isEmpty() ? sendAt : inFlight.firstKey());
                spool.ack(acked, false);
                if (firstFailed != Long.MAX_VALUE && inFlight.isEmpty()) {
                    // everything in flight has answered: send again from the first failure, after a pause
                    sendAt = firstFailed;
                    firstFailed = Long.MAX_VALUE;
                    sendFailed = false;
                    retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
                    if (System.nanoTime() - lastFailureLog > DROP_LOG_INTERVAL_NANOS) {
                        LOG.warn("tailaudit sdk cannot deliver to Kafka, {} bytes kept in the spool, retrying in {} ms",
                                spool.backlog(), backoffMs);
                        lastFailureLog = System.nanoTime();
                    }
                    backoffMs = Math.min(backoffMs * 2, 10_000);
                }
                // 3. the spool to Kafka, in order
                if (producer != null && firstFailed == Long.MAX_VALUE && System.nanoTime() >= retryAt
                        && sendAt < spool.end() && inFlight.size() < MAX_IN_FLIGHT
                        && inFlightBytes < MAX_IN_FLIGHT_BYTES) {
                    for (Spool.Entry e : spool.read(sendAt, Math.min(DRAIN_MAX, MAX_IN_FLIGHT - inFlight.size()))) {
                        long position = e.position();
                        inFlight.put(position, e.next());
                        inFlightBytes += e.next() - position;
                        sendAt = e.next();
                        try {
                            producer.send(new ProducerRecord<>(config.topic(), e.key(), e.value()), (m, error) -> {
                                if (error != null) {
                                    sendFailed = true;
                                }
                                completions.add(new long[] {position, error == null ? 1 : 0});
                            });
                        } catch (RuntimeException error) {
                            sendFailed = true;
                            completions.add(new long[] {position, 0});
                        }
                        if (sendFailed) {
                            break;      // the broker is away: what follows waits for the rewind
                        }
                    }
                }
                spooled = spool.backlog();
                if (!flushRequests.isEmpty() && queue.isEmpty() && spool.backlog() == 0) {
                    CompletableFuture<Void> f;
                    while ((f = flushRequests.poll()) != null) {
                        f.complete(null);
                    }
                }
                logDrops();
            } catch (InterruptedException | InterruptException e) {
                if (stopped) {
                    break;
                }
            } catch (IOException e) {
                LOG.error("tailaudit sdk spool error, retrying in {} ms: {}", backoffMs, e.toString());
                sleepQuietly(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 10_000);
            } catch (RuntimeException e) {
                // a producer that cannot be built (bad config, unresolvable host): retry, the spool keeps the events
                LOG.warn("tailaudit sdk sender error, retrying in {} ms: {}", backoffMs, e.toString());
                retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
        Thread.interrupted();
        if (syncer != null) {
            syncer.shutdownNow();
        }
        // events accepted but still in memory go to the spool too: the next client on it sends them
        Object left;
        while ((left = queue.poll()) != null) {
            try {
                ProducerRecord<String, byte[]> r = toRecord(left);
                if (!spool.append(r.key(), r.value())) {
                    dropped.increment();
                }
            } catch (IOException | RuntimeException e) {
                failed.increment();
            }
        }
        // what the producer still holds stays in the spool: the next client on it sends it again
        closeNow(producer);
        long[] c;
        while ((c = completions.poll()) != null) {
            if (c[1] == 1) {
                inFlight.remove(c[0]);
            }
        }
        try {
            spool.ack(inFlight.isEmpty() ? sendAt : inFlight.firstKey(), true);
        } catch (IOException e) {
            LOG.debug("tailaudit sdk spool position not saved", e);
        }
        spooled = spool.backlog();
        failFlushes();
    }

    /** With the spool: the producer is built on a thread of its own, so the queue keeps draining meanwhile. */
    private CompletableFuture<Producer<String, byte[]>> building;

    private Producer<String, byte[]> producerOrNull() {
        if (building == null) {
            building = CompletableFuture.supplyAsync(() -> producerFactory.apply(config), r -> {
                Thread t = new Thread(r, "tailaudit-sdk-producer-init");
                t.setDaemon(true);
                t.start();
            });
        }
        if (!building.isDone()) {
            return null;
        }
        try {
            return building.join();
        } catch (CompletionException e) {
            building = null;          // built again at the next attempt, after the backoff below
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void runInMemory() {
        Producer<String, byte[]> producer = null;
        List<Object> batch = new ArrayList<>(DRAIN_MAX);
        long backoffMs = 100;
        while (!stopped) {
            try {
                if (producer == null) {
                    producer = producerFactory.apply(config);
                    backoffMs = 100;
                }
                Object first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, DRAIN_MAX - 1);
                    for (Object event : batch) {
                        send(producer, event);
                    }
                    batch.clear();
                }
                if (!flushRequests.isEmpty() && queue.isEmpty()) {
                    completeFlushes(producer);
                }
                logDrops();
            } catch (InterruptedException | InterruptException e) {
                if (stopped) {
                    break;
                }
            } catch (RuntimeException e) {
                // a producer that cannot be built (bad config, unresolvable host): retry, keep the queue
                LOG.warn("tailaudit sdk sender error, retrying in {} ms: {}", backoffMs, e.toString());
                sleepQuietly(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
        // close() interrupted us after its flush timed out: what is still unsent is given up, quietly
        Thread.interrupted();
        closeNow(producer);
        failFlushes();
    }

    /** Closes the producer without waiting for what it still holds. */
    private static void closeNow(Producer<String, byte[]> producer) {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("tailaudit sdk producer close failed", e);
            }
        }
    }

    /** The client closed: a flush still waiting will not happen. */
    private void failFlushes() {
        CompletableFuture<Void> f;
        while ((f = flushRequests.poll()) != null) {
            f.completeExceptionally(new IllegalStateException("client closed"));
        }
    }

    private void send(Producer<String, byte[]> producer, Object event) {
        ProducerRecord<String, byte[]> record;
        try {
            record = toRecord(event);
        } catch (RuntimeException e) {
            failed.increment();
            LOG.warn("tailaudit sdk could not serialize an event: {}", e.toString());
            return;
        }
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                sent.increment();
            } else {
                failed.increment();
                LOG.warn("tailaudit sdk delivery failed trace_id={} error={}", record.key(), error.toString());
            }
        });
    }

    private ProducerRecord<String, byte[]> toRecord(Object queued) {
        Stamped s = (Stamped) queued;
        EventWriter.Stamp stamp = new EventWriter.Stamp(producerId, s.seq());
        if (s.event() instanceof Trace t) {
            return new ProducerRecord<>(config.topic(), t.traceId(), EventWriter.write(prepareText(t), stamp));
        }
        Feedback f = (Feedback) s.event();
        return new ProducerRecord<>(config.topic(), f.traceId(), EventWriter.write(f, stamp));
    }

    private Trace prepareText(Trace t) {
        String input = text(t.input());
        String output = text(t.output());
        if (input == t.input() && output == t.output()) {
            return t;
        }
        return new Trace(t.traceId(), t.occurredAt(), t.task(), t.category(), t.service(), t.deployment(),
                t.latencyMs(), t.ttftMs(), t.usage(), t.costUsd(), t.outcome(), t.sessionId(), t.parentTraceId(),
                t.step(), input, output, t.tags());
    }

    private String text(String value) {
        if (value == null || !config.captureText()) {
            return null;
        }
        return value.length() <= config.maxTextChars() ? value : value.substring(0, config.maxTextChars());
    }

    private void completeFlushes(Producer<String, byte[]> producer) {
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        CompletableFuture<Void> f;
        while ((f = flushRequests.poll()) != null) {
            waiting.add(f);
        }
        producer.flush();
        waiting.forEach(w -> w.complete(null));
    }

    private void logDrops() {
        long now = System.nanoTime();
        if (now - lastDropLogNanos < DROP_LOG_INTERVAL_NANOS) {
            return;
        }
        long total = dropped.sum();
        if (total > droppedAtLastLog) {
            LOG.warn("tailaudit sdk queue full, events dropped={} total_dropped={} capacity={}",
                    total - droppedAtLastLog, total, config.queueCapacity());
            droppedAtLastLog = total;
        }
        lastDropLogNanos = now;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Producer<String, byte[]> kafkaProducer(TailAuditConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        int deliveryMs = (int) Math.min(Integer.MAX_VALUE, config.deliveryTimeout().toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryMs);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, deliveryMs));
        if (config.spooled()) {
            // the sender thread also drains the queue into the spool: a send must never wait for metadata or
            // buffer space (it fails at once and is retried from the spool; in-flight bytes stay under the
            // producer's buffer)
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        }
        props.putAll(config.producerOverrides());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
