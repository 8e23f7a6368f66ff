package io.tailaudit.server.ingest;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Sends rejected records, unchanged, to the dead-letter topic with headers that say why and where from.
 * Waits for every acknowledgement: the source offsets are committed only after the DLQ has the records.
 */
final class DeadLetterPublisher implements AutoCloseable {

    static final String REASON = "tailaudit.dlq.reason";
    static final String PATH = "tailaudit.dlq.path";
    static final String DETAIL = "tailaudit.dlq.detail";
    static final String SOURCE_TOPIC = "tailaudit.dlq.source.topic";
    static final String SOURCE_PARTITION = "tailaudit.dlq.source.partition";
    static final String SOURCE_OFFSET = "tailaudit.dlq.source.offset";
    static final String REJECTED_AT = "tailaudit.dlq.rejected_at";

    private final Producer<String, byte[]> producer;
    private final String topic;

    DeadLetterPublisher(Map<String, Object> kafka, String topic) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "tailaudit-dlq");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    void publish(List<IncomingRecord> dead, Instant rejectedAt) throws StorageException {
        if (dead.isEmpty()) {
            return;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>(dead.size());
        try {
            for (IncomingRecord r : dead) {
                Rejection why = (Rejection) r.event();
                RecordHeaders h = new RecordHeaders();
                h.add(REASON, utf8(why.reason()));
                h.add(PATH, utf8(why.path()));
                h.add(DETAIL, utf8(why.detail()));
                h.add(SOURCE_TOPIC, utf8(r.topic()));
                h.add(SOURCE_PARTITION, utf8(Integer.toString(r.partition())));
                h.add(SOURCE_OFFSET, utf8(Long.toString(r.offset())));
                h.add(REJECTED_AT, utf8(rejectedAt.toString()));
                acks.add(producer.send(new ProducerRecord<>(topic, null, r.key(), r.value(), h)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        } catch (ExecutionException | RuntimeException e) {
            throw new StorageException("dead-letter topic " + topic + " unavailable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while publishing dead letters", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
