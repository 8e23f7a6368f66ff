package io.tailaudit.sdk.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tailaudit.sdk.ContractSchema;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes events as contract v1 JSON. Streaming generation keeps the wire names next to the schema's and
 * avoids reflection; the output of every method validates against {@link ContractSchema}.
 * Thread-safe: {@link JsonFactory} is, and each call uses its own generator.
 */
public final class EventWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private EventWriter() {
    }

    /** An event's place in its producer's sequence: which client sent it, and its number there. */
    public record Stamp(String producerId, long seq) {
    }

    public static byte[] write(Trace t) {
        return write(t, null);
    }

    /** The trace as JSON, with its producer stamp when {@code stamp} is not null. */
    public static byte[] write(Trace t, Stamp stamp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("schema", ContractSchema.SCHEMA_ID);
            g.writeStringField("kind", "trace");
            g.writeStringField("trace_id", t.traceId());
            g.writeStringField("occurred_at", t.occurredAt().toString());
            g.writeStringField("task", t.task());
            g.writeStringField("category", t.category().wire());
            optional(g, "service", t.service());
            writeDeployment(g, t.deployment());
            g.writeNumberField("latency_ms", t.latencyMs());
            optional(g, "ttft_ms", t.ttftMs());
            if (t.usage() != null) {
                writeUsage(g, t.usage());
            }
            optional(g, "cost_usd", t.costUsd());
            if (t.outcome() != null) {
                writeOutcome(g, t.outcome());
            }
            optional(g, "session_id", t.sessionId());
            optional(g, "parent_trace_id", t.parentTraceId());
            if (t.step() != null) {
                g.writeNumberField("step", t.step());
            }
            optional(g, "input", t.input());
            optional(g, "output", t.output());
            if (!t.tags().isEmpty()) {
                g.writeObjectFieldStart("tags");
                for (Map.Entry<String, String> e : t.tags().entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            stamp(g, stamp);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] write(Feedback f) {
        return write(f, null);
    }

    /** The feedback event as JSON, with its producer stamp when {@code stamp} is not null. */
    public static byte[] write(Feedback f, Stamp stamp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("schema", ContractSchema.SCHEMA_ID);
            g.writeStringField("kind", "feedback");
            g.writeStringField("trace_id", f.traceId());
            g.writeStringField("task", f.task());
            g.writeStringField("occurred_at", f.occurredAt().toString());
            if (f.feedback() != null) {
                g.writeStringField("feedback", f.feedback().wire());
            }
            if (f.escalated() != null) {
                g.writeBooleanField("escalated", f.escalated());
            }
            optional(g, "quality", f.quality());
            optional(g, "label", f.label());
            stamp(g, stamp);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void stamp(JsonGenerator g, Stamp stamp) throws IOException {
        if (stamp != null) {
            g.writeObjectFieldStart("producer");
            g.writeStringField("id", stamp.producerId());
            g.writeNumberField("seq", stamp.seq());
            g.writeEndObject();
        }
    }

    private static void writeDeployment(JsonGenerator g, Deployment d) throws IOException {
        g.writeObjectFieldStart("deployment");
        g.writeStringField("kind", d.kind().wire());
        optional(g, "provider", d.provider());
        g.writeStringField("model", d.model());
        optional(g, "model_version", d.modelVersion());
        optional(g, "quantization", d.quantization());
        optional(g, "region", d.region());
        g.writeEndObject();
    }

    private static void writeUsage(JsonGenerator g, Usage u) throws IOException {
        g.writeObjectFieldStart("usage");
        optional(g, "input_tokens", u.inputTokens());
        optional(g, "output_tokens", u.outputTokens());
        optional(g, "context_tokens", u.contextTokens());
        g.writeEndObject();
    }

    private static void writeOutcome(JsonGenerator g, Outcome o) throws IOException {
        g.writeObjectFieldStart("outcome");
        if (o.status() != null) {
            g.writeStringField("status", o.status().wire());
        }
        optional(g, "error_type", o.errorType());
        optional(g, "quality", o.quality());
        if (o.feedback() != null) {
            g.writeStringField("feedback", o.feedback().wire());
        }
        optional(g, "escalated", o.escalated());
        optional(g, "fallback", o.fallback());
        optional(g, "retries", o.retries());
        optional(g, "schema_valid", o.schemaValid());
        g.writeEndObject();
    }

    private static void optional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void optional(JsonGenerator g, String name, Double value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value);
        }
    }

    private static void optional(JsonGenerator g, String name, Integer value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value);
        }
    }

    private static void optional(JsonGenerator g, String name, Boolean value) throws IOException {
        if (value != null) {
            g.writeBooleanField(name, value);
        }
    }
}
