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

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
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

    private final TailAuditConfig config;
    private final Function<TailAuditConfig, Producer<String, byte[]>> producerFactory;
    private final ArrayBlockingQueue<Object> queue;
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> flushRequests = new ConcurrentLinkedQueue<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean stopped;
    private long droppedAtLastLog;
    private long lastDropLogNanos = System.nanoTime();

    public Sender(TailAuditConfig config) {
        this(config, Sender::kafkaProducer);
    }

    Sender(TailAuditConfig config, Function<TailAuditConfig, Producer<String, byte[]>> producerFactory) {
        this.config = config;
        this.producerFactory = producerFactory;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.thread = new Thread(this::run, "tailaudit-sdk-sender");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Caller's thread: never blocks, never throws. */
    public boolean offer(Object event) {
        if (event == null || closing || !queue.offer(event)) {
            dropped.increment();
            return false;
        }
        accepted.increment();
        return true;
    }

    public ClientStats stats() {
        return new ClientStats(accepted.sum(), dropped.sum(), sent.sum(), failed.sum(), queue.size());
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
        LOG.info("tailaudit sdk closed accepted={} sent={} dropped={} failed={} unsent={}",
                s.accepted(), s.sent(), s.dropped(), s.failed(), s.queued());
    }

    private void run() {
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
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("tailaudit sdk producer close failed", e);
            }
        }
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

    private ProducerRecord<String, byte[]> toRecord(Object event) {
        if (event instanceof Trace t) {
            return new ProducerRecord<>(config.topic(), t.traceId(), EventWriter.write(prepareText(t)));
        }
        Feedback f = (Feedback) event;
        return new ProducerRecord<>(config.topic(), f.traceId(), EventWriter.write(f));
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
        props.putAll(config.producerOverrides());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
