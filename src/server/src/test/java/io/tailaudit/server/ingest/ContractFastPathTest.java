package io.tailaudit.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Rating;
import io.tailaudit.sdk.Status;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;
import io.tailaudit.sdk.internal.EventWriter;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ContractFastPathTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void it_is_on_for_the_schema_it_was_written_for() {
        assertThat(ContractFastPath.sha256OfSchema())
                .as("the contract schema changed: check every rule of ContractFastPath against the new schema (it must "
                        + "stay at least as strict), extend ContractFastPathProperties to the change, then put the "
                        + "new SHA-256 in ContractFastPath.SCHEMA_SHA256. Until then the fast path is off.")
                .isEqualTo(ContractFastPath.SCHEMA_SHA256);
        assertThat(ContractFastPath.ENABLED).isTrue();
    }

    @Test
    void what_the_sdk_writes_is_proved_valid_and_read_at_the_same_instant() throws Exception {
        Instant at = Instant.parse("2026-11-30T10:15:30.123456789Z");
        Trace full = Trace.builder("summarize", Category.LONG_CONTEXT_QA).occurredAt(at).service("svc")
                .deployment(Deployment.cloud("openai", "gpt-x")).latencyMs(812.25).ttftMs(90).costUsd(0.0031)
                .usage(Usage.of(1200, 300, 32_000))
                .outcome(Outcome.failed(Status.TIMEOUT, "deadline").withEscalated(true).withFallback(true))
                .sessionId("s-1").parentTraceId("p-1").step(3).input("question").output("answer")
                .tags(Map.of("team", "search", "tier", "gold")).build();
        Trace bare = Trace.builder("classify", Category.CLASSIFICATION).occurredAt(Instant.parse("2026-11-30T10:15:30Z"))
                .deployment(Deployment.local("ollama", "qwen")).latencyMs(3).outcome(Outcome.ok(1)).build();

        assertThat(ContractFastPath.proveValid(read(EventWriter.write(full, new EventWriter.Stamp("c-1", 42)))))
                .isEqualTo(at);
        assertThat(ContractFastPath.proveValid(read(EventWriter.write(bare)))).isEqualTo(Instant.parse("2026-11-30T10:15:30Z"));
        for (Feedback f : new Feedback[]{Feedback.rating("t", "summarize", at, Rating.NEGATIVE),
                Feedback.escalation("t", "summarize", at), Feedback.graded("t", "summarize", at, 0.25),
                new Feedback("t", "summarize", at, null, null, null, "wrong_language")}) {
            assertThat(ContractFastPath.proveValid(read(EventWriter.write(f)))).as("%s", f).isEqualTo(at);
        }
    }

    @Test
    void it_leaves_to_the_schema_what_it_cannot_prove_even_when_valid() throws Exception {
        String valid = "{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"t\",\"occurred_at\":\"2026-11-30T10:15:30Z\","
                + "\"task\":\"x\",\"category\":\"chat\",\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},"
                + "\"latency_ms\":1%s}";
        assertThat(ContractFastPath.proveValid(read(valid.formatted("")))).isNotNull();
        // integral 5.0 is a JSON Schema integer; a non-blank name of only non-ASCII letters; a leap second
        for (String extra : new String[]{",\"step\":5.0", ",\"service\":\"" + "\uD83D\uDE00".repeat(200) + "\""}) {
            JsonNode node = read(valid.formatted(extra));
            assertThat(EventParser.schemaErrors(node)).as(extra).isEmpty();
            assertThat(ContractFastPath.proveValid(node)).as(extra).isNull();
        }
        assertThat(ContractFastPath.proveValid(read(valid.formatted("").replace("\"task\":\"x\"", "\"task\":\"\u00e9\u00e8\""))))
                .isNull();
        assertThat(ContractFastPath.parseInstant("2016-12-31T23:59:60Z")).isNull();
        assertThat(ContractFastPath.parseInstant("2026-11-30t10:15:30z")).isNull();
    }

    private static JsonNode read(byte[] json) throws Exception {
        return JSON.readTree(json);
    }

    private static JsonNode read(String json) throws Exception {
        return JSON.readTree(json);
    }
}
