package io.tailaudit.server.ingest;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends rejected records, unchanged, to the dead-letter topic with headers that say why and where from.
 * Waits for every acknowledgement: the source offsets are committed only after the DLQ has the records.
 *
 * <p>Too large is a record's outcome, never an outage: the producer takes any record ingest can read plus
 * its headers, and a copy larger than the topic takes ({@code max.message.bytes}, read once) is sent with its
 * value cut to fit and a {@link #TRUNCATED} header holding the original size. An unreachable broker fails
 * the publication, and the batch is then retried; so does a broker that refuses a copy within the topic's
 * stated limit, and the retry cuts to half that copy's size.
 */
final class DeadLetterPublisher implements AutoCloseable {

    static final String REASON = "tailaudit.dlq.reason";
    static final String PATH = "tailaudit.dlq.path";
    static final String DETAIL = "tailaudit.dlq.detail";
    static final String SOURCE_TOPIC = "tailaudit.dlq.source.topic";
    static final String SOURCE_PARTITION = "tailaudit.dlq.source.partition";
    static final String SOURCE_OFFSET = "tailaudit.dlq.source.offset";
    static final String REJECTED_AT = "tailaudit.dlq.rejected_at";
    /** Present when the value was cut to fit the topic: the original value's size in bytes. */
    static final String TRUNCATED = "tailaudit.dlq.truncated";
    /** Present when even the key did not fit beside the headers and was dropped: its size in bytes. */
    static final String KEY_DROPPED = "tailaudit.dlq.key_dropped";

    /** The largest record ingest reads: IngestService's {@code max.partition.fetch.bytes}. */
    static final int MAX_SOURCE_RECORD_BYTES = 8 * 1024 * 1024;
    /** Kafka's default {@code message.max.bytes}, assumed when the topic's own limit cannot be read. */
    static final int BROKER_DEFAULT_MESSAGE_BYTES = 1_048_588;
    /** Room for the headers (path and detail are bounded by {@link Rejection}) and the batch framing. */
    static final int HEADROOM_BYTES = 64 * 1024;
    static final int MAX_REQUEST_BYTES = MAX_SOURCE_RECORD_BYTES + HEADROOM_BYTES;
    /** Slack below the computed limit: the broker counts a batch, and the estimate is the producer's. */
    private static final int SLACK_BYTES = 512;

    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);

    private final Map<String, Object> kafka;
    private final Producer<String, byte[]> producer;
    private final String topic;
    /** The topic's max.message.bytes, looked up at the first publication (0: not yet). */
    private int topicLimit;
    /** Below the topic's limit once the broker refused a copy that fit it (a broker-wide limit lower still). */
    private int learnedLimit = Integer.MAX_VALUE;

    DeadLetterPublisher(Map<String, Object> kafka, String topic) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "tailaudit-dlq");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // the default 1 MiB would refuse the copy of a record ingest read fine, headers added
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        this.kafka = Map.copyOf(kafka);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    void publish(List<IncomingRecord> dead, Instant rejectedAt) throws RetryableBatchException {
        if (dead.isEmpty()) {
            return;
        }
        int limit = Math.min(MAX_REQUEST_BYTES, topicLimit()) - SLACK_BYTES;
        try {
            List<Future<RecordMetadata>> acks = new ArrayList<>(dead.size());
            List<Integer> sizes = new ArrayList<>(dead.size());
            for (IncomingRecord r : dead) {
                // cut before sending: a copy the broker refuses would also fail the idempotent producer's
                // next sends to its partition (their sequence numbers no longer follow)
                ProducerRecord<String, byte[]> copy = fitting(r, rejectedAt, limit);
                sizes.add(size(copy));
                acks.add(producer.send(copy));
            }
            producer.flush();
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RecordTooLargeException) {
                        // the broker's limit is below what the topic states: learn it, the batch is retried
                        learnedLimit = Math.min(learnedLimit, sizes.get(i) / 2);
                    }
                    throw e;
                }
            }
        } catch (ExecutionException | RuntimeException e) {
            throw new RetryableBatchException("dead-letter topic " + topic + " unavailable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableBatchException("interrupted while publishing dead letters", e);
        }
    }

    /**
     * The record's copy with its headers; when that exceeds {@code limit}, its value cut to fit with a
     * {@link #TRUNCATED} header, and, should key and headers alone exceed it, without its key.
     */
    private ProducerRecord<String, byte[]> fitting(IncomingRecord r, Instant rejectedAt, int limit) {
        RecordHeaders h = headers(r, rejectedAt);
        ProducerRecord<String, byte[]> copy = new ProducerRecord<>(topic, null, r.key(), r.value(), h);
        int bytes = size(copy);
        limit = Math.min(limit, learnedLimit);
        if (bytes <= limit) {
            return copy;
        }
        int original = r.value() == null ? 0 : r.value().length;
        h.add(TRUNCATED, utf8(Integer.toString(original)));
        String key = r.key();
        byte[] keyBytes = key == null ? null : utf8(key);
        if (keyBytes != null && frame(keyBytes, h) > limit) {
            h.add(KEY_DROPPED, utf8(Integer.toString(keyBytes.length)));
            key = null;
            keyBytes = null;
        }
        int room = Math.max(0, limit - frame(keyBytes, h));
        byte[] cut = Arrays.copyOf(r.value() == null ? new byte[0] : r.value(), Math.min(original, room));
        LOG.warnf("dead letter too large for its topic, sending it truncated topic=%s source=%s-%d@%d bytes=%d kept=%d",
                topic, r.topic(), r.partition(), r.offset(), bytes, cut.length);
        return new ProducerRecord<>(topic, null, key, cut, h);
    }

    private static int size(ProducerRecord<String, byte[]> r) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                r.key() == null ? null : utf8(r.key()), r.value(), r.headers().toArray());
    }

    /** The size of a record with this key and headers and no value, batch framing included. */
    private static int frame(byte[] key, RecordHeaders h) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, null, h.toArray());
    }

    private int topicLimit() throws RetryableBatchException {
        if (topicLimit > 0) {
            return topicLimit;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry == null || entry.value() == null) {
                throw new RetryableBatchException("dead-letter topic " + topic + " did not state its max.message.bytes", null);
            }
            topicLimit = Integer.parseInt(entry.value());
            return topicLimit;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RetriableException && !(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw new RetryableBatchException("could not read the max.message.bytes of dead-letter topic " + topic + ": " + e, e);
            }
            // no DescribeConfigs right, or a topic that only comes into being on its first record: not an
            // outage; assume the broker's default limit (a larger topic just gets copies cut sooner than needed)
            LOG.warnf("dead-letter topic limits unreadable, assuming the broker default topic=%s max_message_bytes=%d"
                    + " error=%s", topic, BROKER_DEFAULT_MESSAGE_BYTES, e.getCause());
            topicLimit = BROKER_DEFAULT_MESSAGE_BYTES;
            return topicLimit;
        } catch (TimeoutException | RuntimeException e) {
            throw new RetryableBatchException("could not read the max.message.bytes of dead-letter topic " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableBatchException("interrupted while reading the dead-letter topic's limits", e);
        }
    }

    private static RecordHeaders headers(IncomingRecord r, Instant rejectedAt) {
        Rejection why = (Rejection) r.event();
        RecordHeaders h = new RecordHeaders();
        h.add(REASON, utf8(why.reason()));
        h.add(PATH, utf8(why.path()));
        h.add(DETAIL, utf8(why.detail()));
        h.add(SOURCE_TOPIC, utf8(r.topic()));
        h.add(SOURCE_PARTITION, utf8(Integer.toString(r.partition())));
        h.add(SOURCE_OFFSET, utf8(Long.toString(r.offset())));
        h.add(REJECTED_AT, utf8(rejectedAt.toString()));
        return h;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
