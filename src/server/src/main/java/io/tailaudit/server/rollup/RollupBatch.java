package io.tailaudit.server.rollup;

import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

/**
 * Accumulates one ingest batch's contribution to the rollups: new traces, and feedback that changed a
 * stored trace (its old outcome leaves the histograms, its new one enters; latency is untouched). Counters,
 * histograms, sketches and context cohorts accumulate per hour; the other cohorts, which only day rows keep,
 * per day. Not thread-safe; one per batch.
 */
public final class RollupBatch {

    /** What a batch adds to one hour bucket. */
    private static final class Hour {
        /** Counters, tokens, cost and latency (its dense quality histogram never allocated). */
        final RollupDelta delta = new RollupDelta();
        final SparseQuality quality = new SparseQuality();
        /** The hourly cohorts (context), null until one is added. */
        Map<Cohort, SparseQuality> cohorts;
        /** The cohorts of its day's entry in {@link #days}, once looked up. */
        Map<Cohort, SparseQuality> dayCohorts;
    }

    private final Map<RollupKey, Hour> hours = new HashMap<>();
    /** Per day key the cohorts only day rows keep. */
    private final Map<RollupKey, Map<Cohort, SparseQuality>> days = new HashMap<>();
    /** Hours before the one in progress that {@link #encode} counts as recent: the current and previous. */
    private static final int RECENT_HOURS = 1;
    /** What {@link #encode} returned, until the batch changes. */
    private List<PendingRow> encoded;

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
        encoded = null;
        Hour h = hours.computeIfAbsent(key, k -> new Hour());
        RollupDelta d = h.delta;
        d.category = category;
        d.traces++;
        count(d, o, 1);
        add(key, h, cohorts, o, 1);
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
        encoded = null;
        Hour h = hours.computeIfAbsent(key, k -> new Hour());
        h.delta.category = category;
        count(h.delta, before, -1);
        count(h.delta, after, 1);
        add(key, h, cohorts, before, -1);
        add(key, h, cohorts, after, 1);
    }

    private void add(RollupKey key, Hour h, List<Cohort> of, Outcome o, int weight) {
        h.quality.add(o.ok(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), weight);
        for (Cohort c : of) {
            Map<Cohort, SparseQuality> m;
            if (c.hourly()) {
                m = h.cohorts == null ? h.cohorts = new HashMap<>() : h.cohorts;
            } else {
                m = h.dayCohorts == null ? h.dayCohorts = days.computeIfAbsent(key.day(), k -> new HashMap<>())
                        : h.dayCohorts;
            }
            m.computeIfAbsent(c, x -> new SparseQuality())
                    .add(o.ok(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), weight);
        }
    }

    /** A bucket's cohorts, each histogram encoded as {@link Cohort#encode} encodes it. */
    private static Map<Cohort, byte[]> encoded(Map<Cohort, SparseQuality> cohorts) {
        if (cohorts == null) {
            return Map.of();
        }
        Map<Cohort, byte[]> encoded = new HashMap<>();
        cohorts.forEach((c, q) -> encoded.put(c, c.hourly() ? q.encode() : q.encodeCounts()));
        return encoded;
    }

    /** One {@code tail_rollup_pending} row: a task's entries, the range of their buckets and their payload. */
    record PendingRow(String task, java.time.Instant firstBucket, java.time.Instant lastBucket, int entries,
                      byte[] payload) {
    }

    /**
     * The batch's pending rows, encoded once: ingest encodes them on the thread that built the batch, while
     * the writer's COPY is in flight. One row per task; two when the batch also holds hours older than the
     * previous one (a backfill): its recent hours (and the days they are in) in one row, the older hours
     * and the days that are over in the other. Readers fetch only the rows whose bucket range meets their
     * window, so the rules and pages on the last hour, read every few seconds, do not decode a backfill's
     * entries. Which row an entry goes in changes no figure, only what a reader skips.
     */
    public List<PendingRow> encode() {
        if (encoded == null) {
            java.time.Instant recent = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                    .minus(RECENT_HOURS, java.time.temporal.ChronoUnit.HOURS);
            List<PendingRow> rows = new ArrayList<>();
            try {
                entriesByTask().forEach((task, entries) -> {
                    // an entry is older when its bucket ends by then: an hour before it, a day that is over
                    Map<Boolean, List<PendingEntries.Entry>> older = entries.stream().collect(
                            java.util.stream.Collectors.partitioningBy(e -> !e.key().bucket()
                                    .plus(1, e.key().span().unit).isAfter(recent)));
                    if (older.get(true).stream().noneMatch(e -> e.key().span() == RollupKey.Span.HOUR)) {
                        rows.add(row(task, entries));       // live traffic: no hour before the previous one
                    } else {
                        rows.add(row(task, older.get(true)));
                        if (!older.get(false).isEmpty()) {
                            rows.add(row(task, older.get(false)));
                        }
                    }
                });
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            encoded = List.copyOf(rows);
        }
        return encoded;
    }

    private static PendingRow row(String task, List<PendingEntries.Entry> entries) {
        return new PendingRow(task,
                entries.stream().map(e -> e.key().bucket()).min(java.time.Instant::compareTo).orElseThrow(),
                entries.stream().map(e -> e.key().bucket()).max(java.time.Instant::compareTo).orElseThrow(),
                entries.size(), PendingEntries.encode(entries));
    }

    /** The batch's entries by task: an hour entry per hour touched, a day entry per day with daily cohorts. */
    Map<String, List<PendingEntries.Entry>> entriesByTask() throws java.sql.SQLException {
        Map<String, List<PendingEntries.Entry>> out = new HashMap<>();
        for (Map.Entry<RollupKey, Hour> e : hours.entrySet()) {
            RollupKey k = e.getKey();
            Hour h = e.getValue();
            RollupDelta d = h.delta;
            out.computeIfAbsent(k.task(), t -> new ArrayList<>()).add(new PendingEntries.Entry(k, d.category,
                    d.counts(), d.pricedCostUsd, d.unpricedInputTokens, d.unpricedOutputTokens, h.quality.encode(),
                    d.latency == null ? null : RollupWriter.encode(d.latency, true), encoded(h.cohorts)));
        }
        days.forEach((k, cohorts) -> out.computeIfAbsent(k.task(), t -> new ArrayList<>())
                .add(PendingEntries.Entry.cohortsOnly(k, encoded(cohorts))));
        return out;
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
        return hours.isEmpty();
    }
}
