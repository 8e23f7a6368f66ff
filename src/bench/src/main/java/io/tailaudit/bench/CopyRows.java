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

    /** Same list and order as {@code io.tailaudit.server.trace.TraceStore.COLUMNS}. */
    static final String COLUMNS = "trace_id, occurred_at, task, category, service, deployment_kind, provider, model, "
            + "model_version, quantization, region, latency_ms, ttft_ms, input_tokens, output_tokens, context_tokens, "
            + "cost_usd, status, error_type, quality, feedback, escalated, fallback, retries, schema_valid, "
            + "session_id, parent_trace_id, step, input_text, output_text, tags, content_hash, received_at";

    private final StringBuilder sb;
    private boolean firstField = true;

    CopyRows(StringBuilder sb) {
        this.sb = sb;
    }

    /**
     * Appends the row as COPY text and returns its values in {@link #COLUMNS} order (String, Instant, Double,
     * Integer, Boolean, Long; tags as their jsonb text), so another loader can bind exactly what COPY loads.
     */
    Object[] append(Trace t, Instant receivedAt) {
        int rowStart = sb.length();
        Usage u = t.usage() == null ? new Usage(null, null, null) : t.usage();
        Outcome o = t.outcome() == null ? new Outcome(null, null, null, null, null, null, null, null) : t.outcome();
        Object[] v = {t.traceId(), t.occurredAt(), t.task(), t.category().wire(), t.service(),
                t.deployment().kind().wire(), t.deployment().provider(), t.deployment().model(),
                t.deployment().modelVersion(), t.deployment().quantization(), t.deployment().region(),
                t.latencyMs(), t.ttftMs(), u.inputTokens(), u.outputTokens(), u.contextTokens(), t.costUsd(),
                o.status() == null ? "ok" : o.status().wire(), o.errorType(), o.quality(),
                o.feedback() == null ? null : o.feedback().wire(), bool(o.escalated(), false),
                bool(o.fallback(), false), o.retries(), bool(o.schemaValid(), true), t.sessionId(),
                t.parentTraceId(), t.step(), t.input(), t.output(), t.tags().isEmpty() ? null : json(t.tags()),
                null, receivedAt};
        for (int i = 0; i < v.length - 2; i++) {
            field(v[i]);
        }
        v[v.length - 2] = fnv(sb, rowStart);
        field(v[v.length - 2]).field(receivedAt);
        sb.append('\n');
        firstField = true;
        return v;
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
