package io.tailaudit.server.rollup;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingEntriesTest {

    private static final Instant TEN = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant ELEVEN = Instant.parse("2026-11-20T11:00:00Z");
    private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
    private static final Cohort SHORT = new Cohort(Cohort.CONTEXT, "<=2k");
    private static final Cohort ACME = new Cohort("tag:tenant", "acme");
    private static final RollupBatch.Outcome OK = new RollupBatch.Outcome("ok", 0.9, false, false, true, false);
    private static final RollupBatch.Outcome NEGATIVE = new RollupBatch.Outcome("ok", 0.9, false, true, true, false);

    private static RollupKey hour(String task, Instant at) {
        return RollupKey.of(task, "local", null, "llama-13b", at);
    }

    @Test
    void aBatchWritesAnEntryPerHourAndItsDailyCohortsOncePerDay() {
        RollupBatch batch = new RollupBatch();
        batch.addTrace(hour("chat", TEN.plusSeconds(60)), "chat", List.of(SHORT, ACME), OK, 800, 900, 100, null);
        batch.addTrace(hour("chat", ELEVEN.plusSeconds(60)), "chat", List.of(SHORT, ACME), OK, 1200, 1000, 50, 0.002);
        // feedback rates the ten o'clock trace negative: out of its old bin, into the escalation counts
        batch.correct(hour("chat", TEN), "chat", List.of(SHORT, ACME), OK, NEGATIVE);
        batch.addTrace(hour("extract", TEN), "extraction", List.of(SHORT), OK, 300, 10, 10, null);

        byte[] payload = payload(batch, "chat");
        List<PendingEntries.Entry> decoded = PendingEntries.decode("chat", payload);
        assertEquals(List.of(new RollupKey("chat", "local", "", "llama-13b", RollupKey.Span.HOUR, TEN),
                new RollupKey("chat", "local", "", "llama-13b", RollupKey.Span.HOUR, ELEVEN),
                new RollupKey("chat", "local", "", "llama-13b", RollupKey.Span.DAY, DAY)),
                decoded.stream().map(PendingEntries.Entry::key).sorted().toList());
        assertEquals(1, PendingEntries.decode("extract", payload(batch, "extract")).size(),
                "no daily cohort, no day entry");

        RollupDelta ten = new RollupDelta();
        add(payload, TEN, ten, c -> true, true);
        assertEquals("chat", ten.category);
        assertEquals(1, ten.traces);
        assertEquals(1, ten.escalations, "the correction's +1");
        assertEquals(1, ten.negative);
        assertEquals(1, ten.quality().count(), "the correction moved the trace between bins, it did not add one");
        assertEquals(Map.of(SHORT, 1L), counts(ten), "hour entries keep only context cohorts");
        assertEquals(800, ten.latency.getMaxValue(), 800 * RollupDelta.LATENCY_ACCURACY);
        assertEquals(900, ten.unpricedInputTokens);

        RollupDelta eleven = new RollupDelta();
        add(payload, ELEVEN, eleven, c -> true, false);
        assertNull(eleven.latency, "the sketch is merged only when asked");
        assertEquals(0.002, eleven.pricedCostUsd, 1e-12);
        assertEquals(0, eleven.unpricedInputTokens);

        PendingEntries.Entry day = decoded.stream().filter(e -> e.key().span() == RollupKey.Span.DAY).findFirst()
                .orElseThrow();
        assertNull(day.category());
        assertArrayEquals(new long[RollupDelta.COUNTS], day.counts());
        RollupDelta dayDelta = new RollupDelta();
        add(payload, DAY, dayDelta, c -> true, true);
        assertEquals(Map.of(ACME, 2L), counts(dayDelta), "the tag cohort of both hours, once, in the day entry");
        assertEquals(0, dayDelta.traces);
        RollupDelta none = new RollupDelta();
        add(payload, DAY, none, Cohort::hourly, true);
        assertTrue(none.cohorts.isEmpty(), "cohorts a read does not keep are skipped");
    }

    @Test
    void negativeCountsOfAFeedbackCorrectionSurviveTheEncoding() {
        long[] counts = {0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -300, 0};
        PendingEntries.Entry e = new PendingEntries.Entry(hour("chat", TEN), "chat", counts, -0.5, -7, 3,
                new byte[0], null, Map.of());
        PendingEntries.Entry back = PendingEntries.decode("chat", PendingEntries.encode(List.of(e))).get(0);
        assertArrayEquals(counts, back.counts());
        assertEquals(-0.5, back.pricedCostUsd());
        assertEquals(-7, back.unpricedInputTokens());
        assertEquals(3, back.unpricedOutputTokens());
        assertNull(back.latency());
        assertEquals(e.key(), back.key());
    }

    @Test
    void aTraceAtARandomHourCostsItsPayloadAboutSixtyBytes() {
        RollupBatch batch = new RollupBatch();
        for (int h = 0; h < 500; h++) {
            batch.addTrace(hour("chat", TEN.minusSeconds(3600L * h)), "chat", List.of(SHORT, ACME), OK, 400 + h,
                    900, 100, null);
        }
        byte[] payload = payload(batch, "chat");
        assertEquals(500 + 22, PendingEntries.decode("chat", payload).size(), "500 hours, over 22 days");
        assertTrue(payload.length < 500 * 80,
                "deployments and cohorts are written once, not per entry: " + payload.length + " bytes");
        RollupDelta all = new RollupDelta();
        PendingEntries.Cursor cursor = new PendingEntries.Cursor("chat", payload);
        while (cursor.next()) {
            cursor.addTo(all, c -> true, true);
        }
        assertEquals(500, all.traces);
        assertEquals(Map.of(SHORT, 500L, ACME, 500L), counts(all));
        assertEquals(400, all.latency.getMinValue(), 400 * RollupDelta.LATENCY_ACCURACY);
        assertEquals(899, all.latency.getMaxValue(), 899 * RollupDelta.LATENCY_ACCURACY);
    }

    @Test
    void aCursorSkipsTheEntriesAReaderDoesNotTakeAndAddsAnEntryToSeveralDeltas() {
        RollupBatch batch = new RollupBatch();
        for (int h = 0; h < 30; h++) {
            batch.addTrace(hour("chat", TEN.minusSeconds(3600L * h)), "chat", List.of(SHORT, ACME), OK, 100 + h,
                    10, 1, null);
        }
        byte[] payload = payload(batch, "chat");
        RollupDelta recent = new RollupDelta();
        RollupDelta again = new RollupDelta();
        int hours = 0;
        PendingEntries.Cursor cursor = new PendingEntries.Cursor("chat", payload);
        while (cursor.next()) {
            assertEquals(new RollupKey.Deployment("local", "", "llama-13b"), cursor.deployment());
            if (cursor.span() == RollupKey.Span.HOUR) {
                hours++;
                if (!cursor.bucket().isBefore(TEN.minusSeconds(3600L * 4))) {    // the last five hours only
                    cursor.addTo(recent, Cohort::hourly, true);
                    cursor.addTo(again, c -> false, false);
                }
            }
        }
        assertEquals(30, hours, "every entry is visited, those skipped whole");
        assertEquals(5, recent.traces);
        assertEquals(5, again.traces, "an entry adds to a second delta as to the first");
        assertEquals(Map.of(SHORT, 5L), counts(recent));
        assertTrue(again.cohorts.isEmpty());
        assertNull(again.latency);
        assertEquals(100, recent.latency.getMinValue(), 100 * RollupDelta.LATENCY_ACCURACY);
        assertEquals(104, recent.latency.getMaxValue(), 104 * RollupDelta.LATENCY_ACCURACY);
    }

    @Test
    void aBackfillsOlderHoursGoInARowOfTheirOwnSoReadersOfTheLastHourSkipIt() {
        Instant now = Instant.now();
        RollupBatch live = new RollupBatch();
        live.addTrace(hour("chat", now), "chat", List.of(SHORT, ACME), OK, 100, 10, 1, null);
        live.addTrace(hour("chat", now.minusSeconds(3600)), "chat", List.of(SHORT, ACME), OK, 100, 10, 1, null);
        assertEquals(1, live.encode().size(), "live traffic, tags and all: one row per task");

        RollupBatch backfill = new RollupBatch();
        backfill.addTrace(hour("chat", now), "chat", List.of(SHORT, ACME), OK, 100, 10, 1, null);
        for (int h = 2; h < 72; h++) {
            backfill.addTrace(hour("chat", now.minusSeconds(3600L * h)), "chat", List.of(SHORT, ACME), OK, 100, 10, 1,
                    null);
        }
        List<RollupBatch.PendingRow> rows = backfill.encode().stream()
                .sorted(Comparator.comparing(RollupBatch.PendingRow::lastBucket)).toList();
        assertEquals(2, rows.size());
        Instant thisHour = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        Instant previousHoursDay = thisHour.minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        assertEquals(previousHoursDay, rows.get(1).firstBucket(),
                "the recent row reaches back to the day of the previous hour, no further");
        assertTrue(rows.get(0).lastBucket().isBefore(thisHour.minusSeconds(3600)),
                "the older row ends before the previous hour: " + rows.get(0).lastBucket());
        int[] hours = new int[2];
        int traces = 0;
        for (int i = 0; i < 2; i++) {
            RollupDelta d = new RollupDelta();
            PendingEntries.Cursor cursor = new PendingEntries.Cursor("chat", rows.get(i).payload());
            while (cursor.next()) {
                hours[i] += cursor.span() == RollupKey.Span.HOUR ? 1 : 0;
                cursor.addTo(d, c -> true, false);
            }
            traces += (int) d.traces;
        }
        assertEquals(70, hours[0], "the hours before the previous one");
        assertEquals(1, hours[1], "this hour, with the days it and the previous hour are in");
        assertEquals(71, traces);
    }

    @Test
    void anUnknownFormatOrACutPayloadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PendingEntries.decode("chat", new byte[] {9, 0, 0, 0, 0}));
        RollupBatch batch = new RollupBatch();
        batch.addTrace(hour("chat", TEN), "chat", List.of(SHORT, ACME), OK, 100, 10, 1, null);
        byte[] payload = payload(batch, "chat");
        for (int cut = 1; cut < payload.length; cut++) {
            byte[] shorter = java.util.Arrays.copyOf(payload, cut);
            assertThrows(IllegalArgumentException.class, () -> {
                PendingEntries.Cursor cursor = new PendingEntries.Cursor("chat", shorter);
                while (cursor.next()) {
                    cursor.addTo(new RollupDelta(), c -> true, true);
                }
            }, "cut at " + cut + " of " + payload.length);
        }
    }

    /** The payload of a batch's one row of {@code task}: the tests' buckets are days old, so it has one. */
    private static byte[] payload(RollupBatch batch, String task) {
        List<RollupBatch.PendingRow> rows = batch.encode().stream().filter(r -> r.task().equals(task)).toList();
        assertEquals(1, rows.size());
        return rows.get(0).payload();
    }

    /** Adds the payload's entry of bucket {@code bucket} to {@code d} through a cursor. */
    private static void add(byte[] payload, Instant bucket, RollupDelta d, java.util.function.Predicate<Cohort> keep,
                            boolean latency) {
        PendingEntries.Cursor cursor = new PendingEntries.Cursor("chat", payload);
        while (cursor.next()) {
            if (cursor.bucket().equals(bucket)) {
                cursor.addTo(d, keep, latency);
                return;
            }
        }
        throw new AssertionError("no entry of " + bucket);
    }

    private static Map<Cohort, Long> counts(RollupDelta d) {
        Map<Cohort, Long> out = new java.util.HashMap<>();
        d.cohorts.forEach((c, h) -> out.put(c, h.count()));
        return out;
    }
}
