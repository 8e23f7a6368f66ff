package io.tailaudit.server.ingest;

import io.tailaudit.sdk.ClientStats;
import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.embedded.EmbeddedKafka;
import io.tailaudit.server.testing.Traces;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDK's spool against a real broker that goes away: stopped for 30 s while the SDK records (its queue
 * far smaller than the outage), and a process that records with no broker at all, closes, and leaves the
 * events to the next process on the same spool. Every event recorded reaches the topic, once, in order per
 * partition; {@code record()} never waits for the disk or the broker.
 */
class SdkSpoolTest {

    private static final String TOPIC = "spool-test";

    @TempDir
    Path tmp;

    @Test
    void the_broker_stopped_for_30_seconds_loses_no_event_recorded_meanwhile() throws Exception {
        int port = EmbeddedKafka.freePort();
        int controller = EmbeddedKafka.freePort();
        Path logs = tmp.resolve("kafka");
        EmbeddedKafka broker = EmbeddedKafka.start(logs, port, controller);
        List<String> recorded = new ArrayList<>();
        long slowest;
        ClientStats stats;
        TailAuditConfig config = TailAuditConfig.builder(broker.bootstrapServers()).topic(TOPIC).queueCapacity(500)
                .spool(tmp.resolve("spool")).closeTimeout(Duration.ofSeconds(30)).build();
        try (TailAuditClient client = TailAudit.client(config)) {
            for (int i = 0; i < 20; i++) {
                record(client, recorded, 50, 0);
                Thread.sleep(50);
            }
            assertThat(client.flush(Duration.ofSeconds(60))).isTrue();
            broker.close();
            // 30 s without a broker, 200 events a second: twelve times what the queue holds
            long start = System.nanoTime();
            long worst = 0;
            while (System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
                worst = Math.max(worst, record(client, recorded, 40, 0));
                Thread.sleep(200);
            }
            assertThat(client.stats().spooled()).as("the outage's events wait on disk").isGreaterThan(0);
            broker = EmbeddedKafka.start(logs, port, controller);
            for (int i = 0; i < 20; i++) {
                record(client, recorded, 50, 0);
                Thread.sleep(50);
            }
            assertThat(client.flush(Duration.ofSeconds(120))).as("everything delivered once the broker is back")
                    .isTrue();
            stats = client.stats();
            slowest = worst;
        }
        try {
            System.out.printf("spool outage: %d recorded, %d sent, %d dropped; slowest record() during the outage %d us%n",
                    recorded.size(), stats.sent(), stats.dropped(), slowest / 1_000);
            assertThat(stats.dropped()).isZero();
            assertThat(stats.spooled()).isZero();
            assertDeliveredOnceInOrder(broker.bootstrapServers(), recorded);
            assertThat(slowest).as("record() only offers to the queue").isLessThan(Duration.ofMillis(50).toNanos());
        } finally {
            broker.close();
        }
    }

    @Test
    void events_spooled_with_no_broker_are_sent_by_the_next_process_on_the_spool() throws Exception {
        Path spool = tmp.resolve("spool");
        List<String> recorded = new ArrayList<>();
        String nowhere;
        try (ServerSocket s = new ServerSocket(0)) {
            nowhere = "127.0.0.1:" + s.getLocalPort();
        }
        try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(nowhere).topic(TOPIC).queueCapacity(500)
                .spool(spool).closeTimeout(Duration.ofMillis(500)).build())) {
            for (int i = 0; i < 60; i++) {
                record(client, recorded, 50, 0);
                Thread.sleep(50);
            }
            Thread.sleep(500);
        }
        try (EmbeddedKafka broker = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            try (TailAuditClient next = TailAudit.client(TailAuditConfig.builder(broker.bootstrapServers()).topic(TOPIC)
                    .spool(spool).build())) {
                assertThat(next.flush(Duration.ofSeconds(120))).isTrue();
                assertThat(next.stats().spooled()).isZero();
            }
            assertDeliveredOnceInOrder(broker.bootstrapServers(), recorded);
        }
    }

    /** Records {@code n} traces; returns the slowest call, in nanoseconds. */
    private static long record(TailAuditClient client, List<String> recorded, int n, int offset) {
        long worst = 0;
        for (int i = 0; i < n; i++) {
            Trace t = Traces.ok("spool-task").input("event " + (recorded.size() + offset)).build();
            long t0 = System.nanoTime();
            boolean queued = client.record(t);
            worst = Math.max(worst, System.nanoTime() - t0);
            assertThat(queued).isTrue();
            recorded.add(t.traceId());
        }
        return worst;
    }

    private static void assertDeliveredOnceInOrder(String bootstrap, List<String> recorded) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "spool-check-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<Integer, List<String>> byPartition = new HashMap<>();
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (keys.size() < recorded.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    keys.add(r.key());
                    byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.key());
                }
            }
        }
        Set<String> distinct = new HashSet<>(keys);
        assertThat(distinct).containsExactlyInAnyOrderElementsOf(recorded);
        assertThat(keys).as("no event twice").hasSameSizeAs(distinct);
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < recorded.size(); i++) {
            order.put(recorded.get(i), i);
        }
        byPartition.values().forEach(p -> assertThat(p.stream().map(order::get).toList()).isSorted());
    }
}
