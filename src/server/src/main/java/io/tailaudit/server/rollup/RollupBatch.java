package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
        /** Counters, tokens, cost, quality, latency and the hourly cohorts (context). */
        final RollupDelta delta = new RollupDelta();
        /** The cohorts of its day's entry in {@link #days}, once looked up. */
        Map<Cohort, QualityHistogram> dayCohorts;
    }

    private final Map<RollupKey, Hour> hours = new HashMap<>();
    /** Per day key the cohorts only day rows keep. */
    private final Map<RollupKey, Map<Cohort, QualityHistogram>> days = new HashMap<>();
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
        if (cohorts.contains(Cohort.CONTEXT_OVER_8K)) {
            d.over8kInputTokens += in;
            d.over8kOutputTokens += out;
        }
        if (costUsd != null) {
            d.pricedCostUsd += costUsd;
        } else {
            d.unpricedInputTokens += in;
            d.unpricedOutputTokens += out;
        }
    }

    /** A stored trace, in the cohorts {@code cohorts}. */
    public void addTrace(io.tailaudit.server.trace.TraceRow t, List<Cohort> cohorts) {
        addTrace(RollupKey.of(t.task(), t.deploymentKind(), t.provider(), t.model(), t.occurredAt()), t.category(),
                cohorts, new Outcome(t.status(), t.quality(), t.escalated(), "negative".equals(t.feedback()),
                        t.schemaValid(), t.fallback()), t.latencyMs(), t.inputTokens(), t.outputTokens(), t.costUsd());
    }

    /** A stored trace whose outcome feedback changed, in the cohorts {@code cohorts}. */
    public void correct(io.tailaudit.server.trace.TraceStore.OutcomeChange change, List<Cohort> cohorts) {
        correct(RollupKey.of(change.task(), change.deploymentKind(), change.provider(), change.model(),
                change.occurredAt()), change.category(), cohorts, outcome(change.before()), outcome(change.after()));
    }

    private static Outcome outcome(io.tailaudit.server.trace.TraceStore.Outcome o) {
        return new Outcome(o.status(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), o.fallback());
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
        h.delta.quality().add(o.ok(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), weight);
        for (Cohort c : of) {
            Map<Cohort, QualityHistogram> m;
            if (c.hourly()) {
                m = h.delta.cohorts;
            } else {
                m = h.dayCohorts == null ? h.dayCohorts = days.computeIfAbsent(key.day(), k -> new HashMap<>())
                        : h.dayCohorts;
            }
            QualityHistogram q = m.get(c);
            if (q == null) {
                q = new QualityHistogram();
                m.put(c, q);
            }
            if (c.hourly()) {
                q.add(o.ok(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), weight);
            } else {
                q.addCount(o.ok(), o.quality(), o.escalated(), o.negative(), o.schemaValid(), weight);
            }
        }
    }

    /** One {@code tail_rollup_pending} row: a task's entries, the range of their buckets and their payload. */
    record PendingRow(String task, Instant firstBucket, Instant lastBucket, int entries, byte[] payload) {
    }

    /** A task's hour and day entries of this batch. */
    private static final class TaskEntries {
        final List<Map.Entry<RollupKey, Hour>> hours = new ArrayList<>();
        final List<Map.Entry<RollupKey, Map<Cohort, QualityHistogram>>> days = new ArrayList<>();
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
            Instant recent = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(RECENT_HOURS, ChronoUnit.HOURS);
            Map<String, TaskEntries> byTask = new HashMap<>();
            hours.entrySet().forEach(e -> byTask.computeIfAbsent(e.getKey().task(), t -> new TaskEntries()).hours.add(e));
            days.entrySet().forEach(e -> byTask.computeIfAbsent(e.getKey().task(), t -> new TaskEntries()).days.add(e));
            List<PendingRow> rows = new ArrayList<>();
            byTask.forEach((task, entries) -> {
                boolean backfill = entries.hours.stream().anyMatch(e -> older(e.getKey(), recent));
                if (!backfill) {
                    rows.add(row(task, entries, null, recent));       // live traffic: no hour before the previous one
                    return;
                }
                rows.add(row(task, entries, true, recent));
                PendingRow newer = row(task, entries, false, recent);
                if (newer != null) {
                    rows.add(newer);
                }
            });
            encoded = List.copyOf(rows);
        }
        return encoded;
    }

    /** Whether a bucket ends by {@code recent}: an hour before it, or a day that is over. */
    private static boolean older(RollupKey k, Instant recent) {
        return k.bucket().getEpochSecond() + k.span().unit.getDuration().getSeconds() <= recent.getEpochSecond();
    }

    /**
     * The row of a task's older entries ({@code older} true), of its newer ones (false), or of all (null);
     * null when there are none.
     */
    private static PendingRow row(String task, TaskEntries entries, Boolean older, Instant recent) {
        PendingEntries.Encoder encoder = new PendingEntries.Encoder(entries.hours.size() + entries.days.size());
        Instant first = null;
        Instant last = null;
        try {
            for (Map.Entry<RollupKey, Hour> e : entries.hours) {
                RollupKey k = e.getKey();
                if (older != null && older(k, recent) != older) {
                    continue;
                }
                RollupDelta d = e.getValue().delta;
                encoder.entry(k, d.category, d.counts(), d.pricedCostUsd, d.unpricedInputTokens,
                        d.unpricedOutputTokens, d.quality(),
                        d.latency == null ? null : RollupWriter.encode(d.latency, true), d.cohorts);
                first = first == null || k.bucket().isBefore(first) ? k.bucket() : first;
                last = last == null || k.bucket().isAfter(last) ? k.bucket() : last;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        for (Map.Entry<RollupKey, Map<Cohort, QualityHistogram>> e : entries.days) {
            RollupKey k = e.getKey();
            if (older != null && older(k, recent) != older) {
                continue;
            }
            encoder.entry(k, null, NO_COUNTS, 0, 0, 0, null, null, e.getValue());
            first = first == null || k.bucket().isBefore(first) ? k.bucket() : first;
            last = last == null || k.bucket().isAfter(last) ? k.bucket() : last;
        }
        return encoder.entries() == 0 ? null : new PendingRow(task, first, last, encoder.entries(), encoder.finish());
    }

    private static final long[] NO_COUNTS = new long[RollupDelta.COUNTS];

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
