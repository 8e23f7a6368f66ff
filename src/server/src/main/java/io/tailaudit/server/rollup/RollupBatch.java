package io.tailaudit.server.rollup;

import java.util.List;
import java.util.HashMap;
import java.util.Map;

/**
 * Accumulates one ingest batch's contribution to the hourly rollups: new traces, and feedback that changed
 * a stored trace (its old outcome leaves the histograms, its new one enters; latency is untouched).
 * Not thread-safe; one per batch.
 */
public final class RollupBatch {

    private final Map<RollupKey, RollupDelta> deltas = new HashMap<>();
    private final Map<RollupKey, Map<Cohort, SparseQuality>> cohorts = new HashMap<>();

    /** The outcome fields a trace's effective quality and failure state depend on. */
    public record Outcome(String status, Double quality, boolean escalated, boolean negative, boolean schemaValid,
                          boolean fallback) {

        boolean ok() {
            return "ok".equals(status);
        }

        /** Escalation as DESIGN counts it: escalated, fell back, or rated negative. */
        boolean escalation() {
            return escalated || fallback || negative;
        }
    }

    public void addTrace(RollupKey key, String category, List<Cohort> cohorts, Outcome o, double latencyMs,
                         Integer inputTokens, Integer outputTokens, Double costUsd) {
        RollupDelta d = deltas.computeIfAbsent(key, k -> new RollupDelta());
        d.category = category;
        d.traces++;
        count(d, o, 1);
        add(key, d, cohorts, o, 1);
        d.latency().accept(latencyMs);
        long in = inputTokens == null ? 0 : inputTokens;
        long out = outputTokens == null ? 0 : outputTokens;
        d.inputTokens += in;
        d.outputTokens += out;
        if (costUsd != null) {
            d.pricedCostUsd += costUsd;
        } else {
            d.unpricedInputTokens += in;
            d.unpricedOutputTokens += out;
        }
    }

    /** A stored trace whose outcome feedback changed from {@code before} to {@code after}. */
    public void correct(RollupKey key, String category, List<Cohort> cohorts, Outcome before, Outcome after) {
        if (before.equals(after)) {
            return;
        }
        RollupDelta d = deltas.computeIfAbsent(key, k -> new RollupDelta());
        d.category = category;
        count(d, before, -1);
        count(d, after, 1);
        add(key, d, cohorts, before, -1);
        add(key, d, cohorts, after, 1);
    }

    private void add(RollupKey key, RollupDelta d, List<Cohort> of, Outcome o, int weight) {
        d.quality.add(o.ok(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), weight);
        Map<Cohort, SparseQuality> m = cohorts.computeIfAbsent(key, k -> new HashMap<>());
        for (Cohort c : of) {
            m.computeIfAbsent(c, x -> new SparseQuality())
                    .add(o.ok(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), weight);
        }
    }

    /** The bucket's cohorts in {@link Cohort#encode}'s format. */
    byte[] encodedCohorts(RollupKey key) {
        Map<Cohort, byte[]> encoded = new java.util.HashMap<>();
        cohorts.getOrDefault(key, Map.of()).forEach((c, q) -> encoded.put(c, c.hourly() ? q.encode() : q.encodeCounts()));
        return Cohort.encodeEncoded(encoded);
    }

    private static void count(RollupDelta d, Outcome o, int w) {
        d.escalations += o.escalation() ? w : 0;
        d.escalated += o.escalated() ? w : 0;
        d.negative += o.negative() ? w : 0;
        d.schemaInvalid += o.schemaValid() ? 0 : w;
        switch (o.status()) {
            case "error" -> d.statusError += w;
            case "timeout" -> d.statusTimeout += w;
            case "refused" -> d.statusRefused += w;
            case "invalid_output" -> d.statusInvalidOutput += w;
            default -> { }
        }
    }

    public boolean isEmpty() {
        return deltas.isEmpty();
    }

    Map<RollupKey, RollupDelta> deltas() {
        return deltas;
    }
}
