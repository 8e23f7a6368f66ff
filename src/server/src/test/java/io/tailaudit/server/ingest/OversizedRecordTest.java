package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.HostileEvents;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A rejected record too large to copy to the DLQ as it is still reaches it, and ingest goes on. */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class OversizedRecordTest {

    /** As large as the broker's default message.max.bytes lets a producer send: the copy plus headers is not. */
    private static final int NEAR_BROKER_LIMIT = 1_048_576 - 200;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Test
    void a_rejected_record_of_a_megabyte_reaches_the_dlq_and_the_next_trace_lands_with_ingest_ready() {
        String task = Traces.uniqueTask("oversized");
        HostileEvents.Case big = new HostileEvents(task, Instant.now()).oversized(NEAR_BROKER_LIMIT);
        Trace after = Traces.ok(task).build();
        Kafka.produce(Kafka.TOPIC, List.of(Map.entry(big.key(), big.value()),
                Map.entry(after.traceId(), EventWriter.write(after))));

        await().atMost(ofSeconds(30)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE trace_id = ?", after.traceId())).isEqualTo(1));
        assertThat(Db.text("SELECT reason FROM dead_letter WHERE record_key = ?", big.key())).isEqualTo("missing_required_field");
        assertThat(Db.count("SELECT payload_bytes FROM dead_letter WHERE record_key = ?", big.key())).isEqualTo(NEAR_BROKER_LIMIT);
        ConsumerRecord<String, byte[]> copy = Kafka.deadLetters().stream().filter(d -> big.key().equals(d.key()))
                .findFirst().orElseThrow();
        assertThat(copy.value()).as("the DLQ topic is created to take any record ingest reads, headers added")
                .isEqualTo(big.value());
        assertThat(Kafka.header(copy, DeadLetterPublisher.TRUNCATED)).isNull();
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void a_dead_letter_larger_than_its_topic_allows_is_sent_truncated_with_its_original_size() throws Exception {
        String dlq = "small-dlq-" + UUID.randomUUID();
        createTopic(dlq, 100_000);
        byte[] value = new byte[500_000];
        Arrays.fill(value, (byte) 'v');
        IncomingRecord big = new IncomingRecord("src", 0, 7, "big-key", value,
                new Rejection(Rejection.MISSING_REQUIRED_FIELD, "$.latency_ms", "required property 'latency_ms' not found"));
        IncomingRecord small = new IncomingRecord("src", 0, 8, "small-key", Kafka.utf8("{}"),
                new Rejection(Rejection.MISSING_REQUIRED_FIELD, "$.schema", "required"));

        try (DeadLetterPublisher publisher = new DeadLetterPublisher(kafka, dlq)) {
            publisher.publish(List.of(big, small), Instant.now());
        }

        List<ConsumerRecord<String, byte[]>> copies = Kafka.readAll(dlq);
        ConsumerRecord<String, byte[]> cut = copies.stream().filter(c -> "big-key".equals(c.key())).findFirst().orElseThrow();
        assertThat(Kafka.header(cut, DeadLetterPublisher.TRUNCATED)).isEqualTo("500000");
        assertThat(Kafka.header(cut, DeadLetterPublisher.REASON)).isEqualTo("missing_required_field");
        assertThat(Kafka.header(cut, DeadLetterPublisher.SOURCE_OFFSET)).isEqualTo("7");
        assertThat(cut.value().length).isBetween(90_000, 100_000);
        assertThat(value).startsWith(cut.value());
        ConsumerRecord<String, byte[]> whole = copies.stream().filter(c -> "small-key".equals(c.key())).findFirst().orElseThrow();
        assertThat(whole.value()).isEqualTo(Kafka.utf8("{}"));
        assertThat(Kafka.header(whole, DeadLetterPublisher.TRUNCATED)).isNull();
    }

    private void createTopic(String name, int maxMessageBytes) throws Exception {
        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }
}
