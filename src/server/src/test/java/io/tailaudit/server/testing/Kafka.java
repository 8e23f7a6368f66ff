package io.tailaudit.server.testing;

import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Produces raw records to the real broker and reads the dead-letter topic, as a client would. */
public final class Kafka {

    public static final String TOPIC = "tailaudit.traces";
    public static final String DLQ = "tailaudit.traces.dlq";

    private Kafka() {
    }

    /** Creates the trace topic and its DLQ, one replica each, on a broker a test started itself. */
    public static void createTopics(String bootstrapServers, int tracePartitions, int dlqPartitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, tracePartitions, (short) 1),
                    new NewTopic(DLQ, dlqPartitions, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    public static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    public static void send(String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends the records in order, in one flush, with a producer that takes records up to the broker's own
     * limit (not the producer's 1 MiB default), and returns where each landed.
     */
    public static List<RecordMetadata> produce(String topic, List<Map.Entry<String, byte[]>> records) {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 50, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 256 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            records.forEach(r -> acks.add(p.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()))));
            p.flush();
            List<RecordMetadata> out = new ArrayList<>();
            for (var ack : acks) {
                out.add(ack.get());
            }
            return out;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every record currently in {@code topic}, read from the beginning by a fresh group. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            // read until a poll comes back empty after the assignment
            while (System.nanoTime() < deadline) {
                var records = c.poll(Duration.ofMillis(500));
                records.forEach(out::add);
                if (records.isEmpty() && !c.assignment().isEmpty()) {
                    break;
                }
            }
        }
        return out;
    }

    /** Sends all records in one producer flush, so they are likely consumed in one batch. */
    public static void sendAll(String topic, List<Map.Entry<String, byte[]>> records) {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 50), new StringSerializer(), new ByteArraySerializer())) {
            records.forEach(r -> p.send(new ProducerRecord<>(topic, r.getKey(), r.getValue())));
            p.flush();
        }
    }

    public static void send(Trace trace) {
        send(TOPIC, trace.traceId(), EventWriter.write(trace));
    }

    public static void send(Feedback feedback) {
        send(TOPIC, feedback.traceId(), EventWriter.write(feedback));
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every dead letter currently in the DLQ topic, read from the beginning by a fresh group. */
    public static List<ConsumerRecord<String, byte[]>> deadLetters() {
        return readAll(DLQ);
    }

    public static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
