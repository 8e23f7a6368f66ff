package io.tailaudit.server.index;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.tailaudit.server.trace.TraceQueries;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The index role's consumer (group {@code tailaudit-index}) on the trace topic. It indexes a record only
 * once ingest's group has committed past it, and then what PostgreSQL stored under its trace id: the stored
 * version of the trace with its redacted text; a record ingest rejected or dead-lettered has no stored row
 * and is never indexed, and a later conflicting version finds the first one. Offsets are committed after
 * the index commit, so a crash re-reads, and the update by trace id changes nothing.
 */
@ApplicationScoped
public class IndexConsumer {

    private static final Logger LOG = Logger.getLogger(IndexConsumer.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** How often the index commits (an fsync) and then the offsets; searches see writes before, at each refresh. */
    private static final long COMMIT_EVERY_NANOS = Duration.ofSeconds(2).toNanos();

    private final IndexConfig config;
    private final TraceIndex index;
    private final TraceQueries traces;
    private final Map<String, Object> kafka;
    private final String topic;
    private final String ingestGroup;
    private volatile boolean stopping;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    IndexConsumer(IndexConfig config, TraceIndex index, TraceQueries traces,
                  @Identifier("default-kafka-broker") Map<String, Object> kafka,
                  @ConfigProperty(name = "tailaudit.ingest.topic", defaultValue = "tailaudit.traces") String topic,
                  @ConfigProperty(name = "tailaudit.ingest.group-id", defaultValue = "tailaudit-ingest") String ingestGroup) {
        this.config = config;
        this.index = index;
        this.traces = traces;
        this.kafka = kafka;
        this.topic = topic;
        this.ingestGroup = ingestGroup;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        thread = new Thread(this::run, "tailaudit-index");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!stopping) {
            try {
                consume();
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.warnf("index consumer failed, restarting in 5 s: %s", e.getMessage());
                sleep(5_000);
            }
        }
    }

    private void consume() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tailaudit-index");
        // subscribing must not create the trace topic with the broker's default partitions before ingest
        // creates it with tailaudit.ingest.topic-partitions (found against a real cluster: 1 partition)
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer()); Admin admin = Admin.create(new HashMap<>(kafka))) {
            consumer = c;
            c.subscribe(List.of(topic));
            Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
            long lastCommit = System.nanoTime();
            while (!stopping) {
                ConsumerRecords<String, byte[]> records = c.poll(POLL);
                if (!records.isEmpty()) {
                    Map<TopicPartition, Long> stored = ingested(admin);
                    Set<String> ids = new LinkedHashSet<>();
                    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                    Map<TopicPartition, Long> firsts = new HashMap<>();
                    boolean waiting = false;
                    for (TopicPartition p : records.partitions()) {
                        List<ConsumerRecord<String, byte[]>> part = records.records(p);
                        firsts.put(p, part.get(0).offset());
                        long limit = stored.getOrDefault(p, 0L);
                        for (ConsumerRecord<String, byte[]> r : part) {
                            if (r.offset() >= limit) {
                                c.seek(p, r.offset());      // ingest has not stored it yet: read it again later
                                waiting = true;
                                break;
                            }
                            traceId(r).ifPresent(ids::add);
                            done.put(p, new OffsetAndMetadata(r.offset() + 1));
                        }
                    }
                    try {
                        index.write(traces.indexable(ids));
                    } catch (IOException | RuntimeException e) {
                        firsts.forEach(c::seek);           // not marked done: the batch comes again
                        if (stopping) {
                            return;
                        }
                        LOG.warnf("index batch not written, retrying in 1 s: %s", e.getMessage());
                        sleep(1_000);
                        continue;
                    }
                    uncommitted.putAll(done);
                    if (waiting && done.isEmpty()) {
                        sleep(200);
                    }
                }
                if (!uncommitted.isEmpty() && System.nanoTime() - lastCommit >= COMMIT_EVERY_NANOS) {
                    try {
                        index.commit();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException("the index could not commit", e);
                    }
                    c.commitSync(uncommitted);
                    uncommitted.clear();
                    lastCommit = System.nanoTime();
                }
            }
        } finally {
            consumer = null;
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The record's trace id: its key, as the SDK sends it, else the event's trace_id (a producer without keys). */
    static java.util.Optional<String> traceId(ConsumerRecord<String, byte[]> r) {
        if (r.key() != null && !r.key().isEmpty()) {
            return java.util.Optional.of(r.key());
        }
        if (r.value() == null) {
            return java.util.Optional.empty();
        }
        try {
            com.fasterxml.jackson.databind.JsonNode id = JSON.readTree(r.value()).get("trace_id");
            return id != null && id.isTextual() ? java.util.Optional.of(id.asText()) : java.util.Optional.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();      // not JSON: ingest dead-lettered it, nothing to index
        }
    }

    /** Per partition, the offset up to which ingest's group has stored the topic. */
    private Map<TopicPartition, Long> ingested(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(ingestGroup)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            offsets.forEach((p, o) -> {
                if (o != null) {
                    out.put(p, o.offset());
                }
            });
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("the ingest group's offsets could not be read: " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
