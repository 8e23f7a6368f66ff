package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Rating;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class IngestTest {

    private static final String FULL_TRACE = """
            {"schema":"tailaudit.trace/v1","kind":"trace","trace_id":"%s","occurred_at":"%s","task":"%s",
             "category":"extraction","service":"ap-automation",
             "deployment":{"kind":"cloud","provider":"openai","model":"gpt-4o-mini","model_version":"2025-08-06",
                           "quantization":"none","region":"eu-west-1"},
             "latency_ms":3210.5,"ttft_ms":640.25,
             "usage":{"input_tokens":3100,"output_tokens":240,"context_tokens":2800},
             "cost_usd":0.000609,
             "outcome":{"status":"invalid_output","error_type":"json_parse","quality":0.35,"feedback":"negative",
                        "escalated":true,"fallback":true,"retries":2,"schema_valid":false},
             "session_id":"sess-1","parent_trace_id":"parent-1","step":3,
             "input":"Extract totals for ACME, contact bill@acme.example","output":"{\\"total\\": 12.5}",
             "tags":{"tenant":"acme","language":"de"}}""";

    @Test
    void valid_trace_lands_with_every_field() {
        String id = UUID.randomUUID().toString();
        String task = Traces.uniqueTask("full");
        Instant at = Instant.now().minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS);
        Kafka.send(Kafka.TOPIC, id, Kafka.utf8(FULL_TRACE.formatted(id, at, task)));

        await().atMost(ofSeconds(20)).untilAsserted(() -> given().get("/api/v1/traces/" + id).then().statusCode(200));
        given().get("/api/v1/traces/" + id).then()
                .body("trace_id", equalTo(id)).body("occurred_at", equalTo(at.toString())).body("task", equalTo(task))
                .body("category", equalTo("extraction")).body("service", equalTo("ap-automation"))
                .body("deployment_kind", equalTo("cloud")).body("provider", equalTo("openai"))
                .body("model", equalTo("gpt-4o-mini")).body("model_version", equalTo("2025-08-06"))
                .body("quantization", equalTo("none")).body("region", equalTo("eu-west-1"))
                .body("latency_ms", equalTo(3210.5f)).body("ttft_ms", equalTo(640.25f))
                .body("input_tokens", equalTo(3100)).body("output_tokens", equalTo(240))
                .body("context_tokens", equalTo(2800)).body("cost_usd", equalTo(0.000609f))
                .body("status", equalTo("invalid_output")).body("error_type", equalTo("json_parse"))
                .body("quality", equalTo(0.35f)).body("feedback", equalTo("negative"))
                .body("escalated", equalTo(true)).body("fallback", equalTo(true)).body("retries", equalTo(2))
                .body("schema_valid", equalTo(false)).body("session_id", equalTo("sess-1"))
                .body("parent_trace_id", equalTo("parent-1")).body("step", equalTo(3))
                .body("tags.tenant", equalTo("acme")).body("tags.language", equalTo("de"))
                .body("has_text", equalTo(true));
        assertThat(Db.text("SELECT input_text FROM trace WHERE trace_id = ?", id))
                .as("prompt text is stored, with the e-mail address redacted")
                .isEqualTo("Extract totals for ACME, contact [REDACTED:email]");
        assertThat(Db.text("SELECT output_text FROM trace WHERE trace_id = ?", id)).isEqualTo("{\"total\": 12.5}");
    }

    @Test
    void text_is_never_part_of_the_api_response() {
        Trace t = Traces.ok(Traces.uniqueTask("secret")).input("my password is hunter2").output("noted").build();
        Kafka.send(t);

        await().atMost(ofSeconds(20)).untilAsserted(() -> given().get("/api/v1/traces/" + t.traceId()).then().statusCode(200));
        assertThat(given().get("/api/v1/traces/" + t.traceId()).asString()).doesNotContain("hunter2").doesNotContain("noted");
    }

    @Test
    void redelivered_trace_is_stored_once() {
        Trace t = Traces.ok(Traces.uniqueTask("redelivery")).build();
        byte[] value = EventWriter.write(t);
        Kafka.sendAll(Kafka.TOPIC, List.of(Map.entry(t.traceId(), value), Map.entry(t.traceId(), value)));
        Kafka.send(Kafka.TOPIC, t.traceId(), value);

        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", t.task())).isEqualTo(1));
        // a later, unrelated trace of the same task proves the redeliveries were consumed, not just slow
        Trace marker = Traces.ok(t.task()).build();
        Kafka.send(marker);
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", t.task())).isEqualTo(2));
        assertThat(Db.count("SELECT coalesce(sum(traces), 0) FROM task_volume_daily WHERE task = ?", t.task()))
                .as("the daily count counts each trace once").isEqualTo(2);
    }

    @Test
    void same_trace_id_with_other_content_goes_to_dlq_and_the_first_stands() {
        Trace first = Traces.ok(Traces.uniqueTask("conflict")).latencyMs(100).build();
        Kafka.send(first);
        await().atMost(ofSeconds(20)).untilAsserted(() -> given().get("/api/v1/traces/" + first.traceId()).then().statusCode(200));
        Trace second = Traces.ok(first.task()).traceId(first.traceId()).occurredAt(first.occurredAt()).latencyMs(999).build();
        Kafka.send(second);

        await().atMost(ofSeconds(20)).untilAsserted(() -> assertThat(deadLetterReason(first.traceId()))
                .isEqualTo("duplicate_trace_id_conflict"));
        given().get("/api/v1/traces/" + first.traceId()).then().body("latency_ms", equalTo(100.0f));
    }

    @Test
    void bad_records_reach_the_dlq_with_their_reason_and_the_valid_ones_of_the_batch_land() {
        String task = Traces.uniqueTask("mixed");
        Trace good1 = Traces.ok(task).build();
        Trace good2 = Traces.ok(task).build();
        String at = Instant.now().minus(2, ChronoUnit.MINUTES).toString();
        String malformed = "bad-json-" + UUID.randomUUID();
        String missing = "missing-" + UUID.randomUUID();
        String wrongEnum = "enum-" + UUID.randomUUID();
        String outOfRange = "range-" + UUID.randomUUID();
        String base = "\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"%s\",\"occurred_at\":\"" + at + "\",";
        Kafka.sendAll(Kafka.TOPIC, List.of(
                Map.entry(good1.traceId(), EventWriter.write(good1)),
                Map.entry(malformed, Kafka.utf8("{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":")),
                Map.entry(missing, Kafka.utf8("{" + base.formatted(missing) + "\"category\":\"chat\","
                        + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":5}")),
                Map.entry(wrongEnum, Kafka.utf8("{" + base.formatted(wrongEnum) + "\"task\":\"" + task + "\","
                        + "\"category\":\"poetry\",\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":5}")),
                Map.entry(outOfRange, Kafka.utf8("{" + base.formatted(outOfRange) + "\"task\":\"" + task + "\","
                        + "\"category\":\"chat\",\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":5,"
                        + "\"outcome\":{\"quality\":1.5}}")),
                Map.entry(good2.traceId(), EventWriter.write(good2))));

        await().atMost(ofSeconds(20)).untilAsserted(() -> {
            List<ConsumerRecord<String, byte[]>> dead = Kafka.deadLetters();
            assertThat(reasonOf(dead, malformed)).isEqualTo("malformed_json");
            assertThat(reasonOf(dead, missing)).isEqualTo("missing_required_field");
            assertThat(reasonOf(dead, wrongEnum)).isEqualTo("invalid_enum_value");
            assertThat(reasonOf(dead, outOfRange)).isEqualTo("out_of_range");
        });
        List<ConsumerRecord<String, byte[]>> dead = Kafka.deadLetters();
        assertThat(pathOf(dead, missing)).isEqualTo("$.task");
        assertThat(pathOf(dead, wrongEnum)).isEqualTo("$.category");
        assertThat(pathOf(dead, outOfRange)).isEqualTo("$.outcome.quality");
        ConsumerRecord<String, byte[]> r = dead.stream().filter(d -> missing.equals(d.key())).findFirst().orElseThrow();
        assertThat(Kafka.header(r, DeadLetterPublisher.SOURCE_TOPIC)).isEqualTo(Kafka.TOPIC);
        assertThat(Kafka.header(r, DeadLetterPublisher.SOURCE_PARTITION)).isNotBlank();
        assertThat(Kafka.header(r, DeadLetterPublisher.SOURCE_OFFSET)).isNotBlank();
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(2));
        given().get("/api/v1/dlq?reason=invalid_enum_value").then().statusCode(200)
                .body("items.record_key", org.hamcrest.Matchers.hasItem(wrongEnum));
    }

    @Test
    void feedback_before_its_trace_is_applied_when_the_trace_lands() {
        Trace t = Traces.ok(Traces.uniqueTask("early-feedback")).build();
        Kafka.send(Feedback.rating(t.traceId(), t.task(), t.occurredAt().plusSeconds(30), Rating.NEGATIVE));
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM feedback WHERE trace_id = ? AND applied_at IS NULL", t.traceId()))
                        .isEqualTo(1));

        Kafka.send(t);

        await().atMost(ofSeconds(20)).untilAsserted(() -> given().get("/api/v1/traces/" + t.traceId()).then()
                .statusCode(200).body("feedback", equalTo("negative")));
        assertThat(Db.count("SELECT count(*) FROM feedback WHERE trace_id = ? AND applied_at IS NULL", t.traceId()))
                .isZero();
    }

    @Test
    void feedback_after_its_trace_updates_it_and_the_latest_value_wins_whatever_the_arrival_order() {
        Trace t = Traces.ok(Traces.uniqueTask("late-feedback")).build();
        Kafka.send(t);
        await().atMost(ofSeconds(20)).untilAsserted(() -> given().get("/api/v1/traces/" + t.traceId()).then().statusCode(200));

        Kafka.send(Feedback.escalation(t.traceId(), t.task(), t.occurredAt().plusSeconds(60)));
        Kafka.send(Feedback.graded(t.traceId(), t.task(), t.occurredAt().plusSeconds(120), 0.2));
        Kafka.send(Feedback.graded(t.traceId(), t.task(), t.occurredAt().plusSeconds(90), 0.7));

        await().atMost(ofSeconds(20)).untilAsserted(() -> given().get("/api/v1/traces/" + t.traceId()).then()
                .body("escalated", equalTo(true)).body("quality", equalTo(0.2f))
                .body("feedback_events.size()", equalTo(3)));
    }

    @Test
    void trace_older_than_the_retention_is_rejected_with_a_reason() {
        Trace t = Traces.ok(Traces.uniqueTask("ancient")).occurredAt(Instant.now().minus(400, ChronoUnit.DAYS)).build();
        Kafka.send(t);

        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(deadLetterReason(t.traceId())).isEqualTo("occurred_at_out_of_range"));
    }

    private static String deadLetterReason(String key) {
        return Db.text("SELECT reason FROM dead_letter WHERE record_key = ? ORDER BY id DESC LIMIT 1", key);
    }

    private static String reasonOf(List<ConsumerRecord<String, byte[]>> dead, String key) {
        return dead.stream().filter(d -> key.equals(d.key())).findFirst()
                .map(d -> Kafka.header(d, DeadLetterPublisher.REASON)).orElse(null);
    }

    private static String pathOf(List<ConsumerRecord<String, byte[]>> dead, String key) {
        return dead.stream().filter(d -> key.equals(d.key())).findFirst()
                .map(d -> Kafka.header(d, DeadLetterPublisher.PATH)).orElse(null);
    }

    @Test
    void binary_copy_stores_what_text_input_would() {
        String id = UUID.randomUUID().toString();
        String task = Traces.uniqueTask("binary");
        // nanoseconds, rounded to microseconds as timestamptz input rounds them; text and tags beyond ASCII
        String at = Instant.now().minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString()
                .replace("Z", ".123456789Z");
        String trace = """
                {"schema":"tailaudit.trace/v1","trace_id":"%s","occurred_at":"%s","task":"%s","category":"chat",
                 "deployment":{"kind":"local","model":"m\u00fcnchen-7b"},"latency_ms":0.1,"cost_usd":1e-7,
                 "usage":{"input_tokens":2147483},"input":"tab\\tnewline\\nbackslash\\\\ \u00e9 \ud83d\ude00",
                 "tags":{"quote\\"key":"back\\\\slash","\u00fc":"\u2603"}}""".formatted(id, at, task);
        Kafka.send(Kafka.TOPIC, id, Kafka.utf8(trace));

        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE trace_id = ?", id)).isEqualTo(1));
        assertThat(Db.count("SELECT count(*) FROM trace WHERE trace_id = ? AND occurred_at = ?::timestamptz"
                + " AND model = 'm\u00fcnchen-7b' AND latency_ms = 0.1 AND cost_usd = 1e-7 AND input_tokens = 2147483"
                + " AND input_text = E'tab\\tnewline\\nbackslash\\\\ \u00e9 \ud83d\ude00'"
                + " AND tags = '{\"quote\\\"key\": \"back\\\\slash\", \"\u00fc\": \"\u2603\"}'::jsonb", id, at))
                .as("every column as PostgreSQL reads the same values from text").isEqualTo(1);
    }
}
