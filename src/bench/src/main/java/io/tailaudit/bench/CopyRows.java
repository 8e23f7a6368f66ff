package io.tailaudit.bench;

import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trace as the row the server stores, in COPY text format, with the contract's defaults applied as the
 * server's parser applies them (status ok, escalated/fallback false, schema_valid true), so the baseline
 * writes the same bytes per row as ingest does.
 */
final class CopyRows {

    /** Same list and order as {@code io.tailaudit.server.ingest.BatchWriter.COLUMNS} (package-private there). */
    static final String COLUMNS = "trace_id, occurred_at, task, category, service, deployment_kind, provider, model, "
            + "model_version, quantization, region, latency_ms, ttft_ms, input_tokens, output_tokens, context_tokens, "
            + "cost_usd, status, error_type, quality, feedback, escalated, fallback, retries, schema_valid, "
            + "session_id, parent_trace_id, step, input_text, output_text, tags, content_hash, received_at";

    private final StringBuilder sb;
    private boolean firstField = true;

    CopyRows(StringBuilder sb) {
        this.sb = sb;
    }

    void append(Trace t, Instant receivedAt) {
        int rowStart = sb.length();
        Usage u = t.usage() == null ? new Usage(null, null, null) : t.usage();
        Outcome o = t.outcome() == null ? new Outcome(null, null, null, null, null, null, null, null) : t.outcome();
        field(t.traceId()).field(t.occurredAt()).field(t.task()).field(t.category().wire()).field(t.service())
                .field(t.deployment().kind().wire()).field(t.deployment().provider()).field(t.deployment().model())
                .field(t.deployment().modelVersion()).field(t.deployment().quantization()).field(t.deployment().region())
                .field(t.latencyMs()).field(t.ttftMs()).field(u.inputTokens()).field(u.outputTokens())
                .field(u.contextTokens()).field(t.costUsd()).field(o.status() == null ? "ok" : o.status().wire())
                .field(o.errorType()).field(o.quality()).field(o.feedback() == null ? null : o.feedback().wire())
                .field(bool(o.escalated(), false)).field(bool(o.fallback(), false)).field(o.retries())
                .field(bool(o.schemaValid(), true)).field(t.sessionId()).field(t.parentTraceId()).field(t.step())
                .field(t.input()).field(t.output()).field(t.tags().isEmpty() ? null : json(t.tags()))
                .field(fnv(sb, rowStart)).field(receivedAt);
        sb.append('\n');
        firstField = true;
    }

    private CopyRows field(Object value) {
        if (!firstField) {
            sb.append('\t');
        }
        firstField = false;
        if (value == null) {
            sb.append("\\N");
        } else if (value instanceof Boolean b) {
            sb.append(b ? 't' : 'f');
        } else if (value instanceof Number || value instanceof Instant) {
            sb.append(value);
        } else {
            escape(value.toString());
        }
        return this;
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
    }

    private static boolean bool(Boolean value, boolean missing) {
        return value == null ? missing : value;
    }

    /** The server's jsonb text for tags: keys sorted, compact. */
    private static String json(Map<String, String> tags) {
        StringBuilder j = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(tags).entrySet()) {
            if (j.length() > 1) {
                j.append(',');
            }
            quote(j, e.getKey()).append(':');
            quote(j, e.getValue());
        }
        return j.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder j, String s) {
        j.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                j.append('\\');
            }
            j.append(c);
        }
        return j.append('"');
    }

    /** A content hash over the row so far, standing in for the server's; any 64-bit value would do for COPY. */
    private static long fnv(StringBuilder sb, int from) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < sb.length(); i++) {
            h ^= sb.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
