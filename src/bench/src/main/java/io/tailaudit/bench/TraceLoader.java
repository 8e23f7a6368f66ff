package io.tailaudit.bench;

import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Creates the ingest topics and fills the trace topic before the server starts, so it meets a backlog. */
final class TraceLoader {

    static final String TOPIC = "tailaudit.traces";
    static final String DLQ_TOPIC = "tailaudit.traces.dlq";

    record Produced(long records, long valueBytes, Duration elapsed) {
        double recordsPerSecond() {
            return records / (elapsed.toNanos() / 1e9);
        }
    }

    private TraceLoader() {
    }

    static void createTopics(String bootstrap, int partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1),
                    new NewTopic(DLQ_TOPIC, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code count} traces keyed by trace_id, as the SDK would; fails if any send fails. */
    static Produced produce(String bootstrap, SyntheticTraces traces, int count) {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "tailaudit-bench-loader");
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long bytes = 0;
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                Trace t = traces.next();
                byte[] value = EventWriter.write(t);
                bytes += value.length;
                producer.send(new ProducerRecord<>(TOPIC, t.traceId(), value), (meta, error) -> {
                    if (error != null) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " sends failed, first: " + firstError.get(), firstError.get());
        }
        return new Produced(count, bytes, elapsed);
    }
}
