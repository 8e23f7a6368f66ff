package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class CrashRecoveryTest {

    @Inject
    IngestService ingest;

    @Test
    void consumer_killed_between_database_commit_and_offset_commit_loses_and_duplicates_nothing() throws Exception {
        String topic = "crash-" + UUID.randomUUID();
        String group = "crash-group-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", Kafka.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        String task = Traces.uniqueTask("crash");
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Trace t = Traces.ok(task).build();
            records.add(Map.entry(t.traceId(), EventWriter.write(t)));
        }
        Kafka.sendAll(topic, records);

        AtomicBoolean crashed = new AtomicBoolean();
        IngestLoop doomed = ingest.newLoop(topic, group, () -> {
            crashed.set(true);
            throw new IllegalStateException("simulated crash after the database commit");
        });
        CompletableFuture<Void> first = CompletableFuture.runAsync(doomed);
        await().atMost(ofSeconds(30)).until(first::isDone);
        assertThat(crashed).isTrue();
        long storedBeforeRestart = Db.count("SELECT count(*) FROM trace WHERE task = ?", task);
        assertThat(storedBeforeRestart).as("the crashed batch was committed to the database").isPositive();
        assertThat(committedOffset(group, topic)).as("but its offsets were not").isNull();

        IngestLoop restarted = ingest.newLoop(topic, group, () -> { });
        CompletableFuture<Void> second = CompletableFuture.runAsync(restarted);
        try {
            await().atMost(ofSeconds(30)).untilAsserted(() ->
                    assertThat(committedOffset(group, topic)).isNotNull().extracting(OffsetAndMetadata::offset).isEqualTo(40L));
        } finally {
            restarted.stop();
            second.get();
        }
        assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(40);
        assertThat(Db.count("SELECT coalesce(sum(traces), 0) FROM task_volume_daily WHERE task = ?", task))
                .as("the replayed batch was not counted twice").isEqualTo(40);
    }

    private static OffsetAndMetadata committedOffset(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", Kafka.bootstrap()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new org.apache.kafka.common.TopicPartition(topic, 0));
        }
    }
}
