package io.tailaudit.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.tailaudit.sdk.internal.EventWriter;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SDK's events serialize to exactly what the contract's JSON Schema accepts. */
class ContractSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = load();

    private static JsonSchema load() {
        try (InputStream in = ContractSchema.open()) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_trace_with_every_field_validates() throws Exception {
        Trace t = Trace.builder("contract-qa", Category.LONG_CONTEXT_QA)
                .deployment(Deployment.local("vllm", "llama-3.1-8b").withModelVersion("2025-12").withQuantization("q4")
                        .withRegion("fra"))
                .service("legal").latencyMs(4100.5).ttftMs(800).usage(Usage.of(9000, 300, 8700)).costUsd(0.01)
                .outcome(Outcome.failed(Status.ERROR, "context_overflow").withEscalated(true).withFallback(true)
                        .withRetries(2).withSchemaValid(false).withFeedback(Rating.NEGATIVE))
                .sessionId("s").parentTraceId("p").step(2).input("q").output("a").tags(Map.of("tenant", "acme"))
                .build();

        assertThat(SCHEMA.validate(JSON.readTree(EventWriter.write(t)))).isEmpty();
    }

    @Test
    void a_minimal_trace_validates() throws Exception {
        Trace t = Trace.builder("autocomplete", Category.AUTOCOMPLETE)
                .deployment(Deployment.local(null, "starcoder2-3b")).latencyMs(40).build();

        assertThat(SCHEMA.validate(JSON.readTree(EventWriter.write(t)))).isEmpty();
    }

    @Test
    void feedback_validates() throws Exception {
        Feedback f = Feedback.graded("t-1", "chat", Instant.parse("2026-11-24T10:00:00Z"), 0.25);

        assertThat(SCHEMA.validate(JSON.readTree(EventWriter.write(f)))).isEmpty();
    }

    @Test
    void feedback_without_any_signal_is_rejected_by_the_schema() throws Exception {
        String json = "{\"schema\":\"tailaudit.trace/v1\",\"kind\":\"feedback\",\"trace_id\":\"t\",\"task\":\"x\","
                + "\"occurred_at\":\"2026-11-24T10:00:00Z\"}";

        assertThat(SCHEMA.validate(JSON.readTree(json))).isNotEmpty();
    }

    @Test
    void an_unknown_schema_version_is_rejected() throws Exception {
        Trace t = Trace.builder("x", Category.OTHER).deployment(Deployment.cloud("p", "m")).latencyMs(1).build();
        String json = new String(EventWriter.write(t)).replace("tailaudit.trace/v1", "tailaudit.trace/v9");

        assertThat(SCHEMA.validate(JSON.readTree(json))).isNotEmpty();
    }

    @Test
    void the_schema_states_the_same_maxima_as_the_sdk() throws Exception {
        JsonNode defs;
        try (InputStream in = ContractSchema.open()) {
            defs = JSON.readTree(in).path("$defs");
        }
        JsonNode trace = defs.path("trace").path("properties");

        assertThat(defs.path("milliseconds").path("maximum").asDouble()).isEqualTo(ContractSchema.MAX_MILLISECONDS);
        assertThat(defs.path("tokens").path("maximum").asInt()).isEqualTo(ContractSchema.MAX_TOKENS);
        assertThat(trace.path("cost_usd").path("maximum").asDouble()).isEqualTo(ContractSchema.MAX_COST_USD);
        assertThat(trace.path("outcome").path("properties").path("retries").path("maximum").asInt())
                .isEqualTo(ContractSchema.MAX_RETRIES);
        assertThat(trace.path("step").path("maximum").asInt()).isEqualTo(ContractSchema.MAX_STEP);
    }

    @Test
    void a_latency_longer_than_a_day_is_rejected_by_the_schema() throws Exception {
        String json = new String(EventWriter.write(Trace.builder("x", Category.OTHER)
                .deployment(Deployment.cloud("p", "m")).latencyMs(1).build())).replace("\"latency_ms\":1.0",
                "\"latency_ms\":86400000.5");

        assertThat(json).contains("86400000.5");
        assertThat(SCHEMA.validate(JSON.readTree(json))).isNotEmpty();
    }

    @Test
    void the_sdk_refuses_a_latency_the_schema_rejects() {
        assertThatThrownBy(() -> Trace.builder("x", Category.OTHER).deployment(Deployment.cloud("p", "m"))
                .latencyMs(Double.POSITIVE_INFINITY).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency_ms");
    }

    @Test
    void the_sdk_refuses_a_token_count_the_schema_rejects() {
        assertThatThrownBy(() -> Usage.of(ContractSchema.MAX_TOKENS + 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage.input_tokens");
    }
}
