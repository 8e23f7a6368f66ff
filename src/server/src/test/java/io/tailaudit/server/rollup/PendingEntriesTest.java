package io.tailaudit.server.rollup;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
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
    void aBatchWritesAnEntryPerHourAndItsDailyCohortsOncePerDay() throws SQLException {
        RollupBatch batch = new RollupBatch();
        batch.addTrace(hour("chat", TEN.plusSeconds(60)), "chat", List.of(SHORT, ACME), OK, 800, 900, 100, null);
        batch.addTrace(hour("chat", ELEVEN.plusSeconds(60)), "chat", List.of(SHORT, ACME), OK, 1200, 1000, 50, 0.002);
        // feedback rates the ten o'clock trace negative: out of its old bin, into the escalation counts
        batch.correct(hour("chat", TEN), "chat", List.of(SHORT, ACME), OK, NEGATIVE);
        batch.addTrace(hour("extract", TEN), "extraction", List.of(SHORT), OK, 300, 10, 10, null);

        Map<String, List<PendingEntries.Entry>> byTask = batch.entriesByTask();
        List<PendingEntries.Entry> chat = byTask.get("chat").stream()
                .sorted(Comparator.comparing(PendingEntries.Entry::key)).toList();
        assertEquals(List.of(new RollupKey("chat", "local", "", "llama-13b", RollupKey.Span.HOUR, TEN),
                new RollupKey("chat", "local", "", "llama-13b", RollupKey.Span.HOUR, ELEVEN),
                new RollupKey("chat", "local", "", "llama-13b", RollupKey.Span.DAY, DAY)),
                chat.stream().map(PendingEntries.Entry::key).toList());
        assertEquals(1, byTask.get("extract").size(), "no daily cohort, no day entry");

        List<PendingEntries.Entry> decoded = PendingEntries.decode("chat", PendingEntries.encode(chat));
        assertEquals(3, decoded.size());
        RollupDelta ten = new RollupDelta();
        decoded.get(0).addTo(ten, c -> true, true);
        assertEquals("chat", ten.category);
        assertEquals(1, ten.traces);
        assertEquals(1, ten.escalations, "the correction's +1");
        assertEquals(1, ten.negative);
        assertEquals(1, ten.quality.count(), "the correction moved the trace between bins, it did not add one");
        assertEquals(Map.of(SHORT, 1L), counts(ten), "hour entries keep only context cohorts");
        assertEquals(800, ten.latency.getMaxValue(), 800 * RollupDelta.LATENCY_ACCURACY);
        assertEquals(900, ten.unpricedInputTokens);

        RollupDelta eleven = new RollupDelta();
        decoded.get(1).addTo(eleven, c -> true, false);
        assertNull(eleven.latency, "the sketch is merged only when asked");
        assertEquals(0.002, eleven.pricedCostUsd, 1e-12);
        assertEquals(0, eleven.unpricedInputTokens);

        PendingEntries.Entry day = decoded.get(2);
        assertNull(day.category());
        assertArrayEquals(new long[RollupDelta.COUNTS], day.counts());
        RollupDelta dayDelta = new RollupDelta();
        day.addTo(dayDelta, c -> true, true);
        assertEquals(Map.of(ACME, 2L), counts(dayDelta), "the tag cohort of both hours, once, in the day entry");
        assertEquals(0, dayDelta.traces);
        RollupDelta none = new RollupDelta();
        day.addTo(none, Cohort::hourly, true);
        assertTrue(none.cohorts.isEmpty(), "cohorts a read does not keep are skipped");
    }

    @Test
    void negativeCountsOfAFeedbackCorrectionSurviveTheEncoding() {
        long[] counts = {0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0};
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
    void aTraceAtARandomHourCostsItsPayloadAboutSixtyBytes() throws SQLException {
        RollupBatch batch = new RollupBatch();
        for (int h = 0; h < 500; h++) {
            batch.addTrace(hour("chat", TEN.minusSeconds(3600L * h)), "chat", List.of(SHORT, ACME), OK, 400 + h,
                    900, 100, null);
        }
        List<PendingEntries.Entry> entries = batch.entriesByTask().get("chat");
        assertEquals(500 + 22, entries.size(), "500 hours, over 22 days");
        int bytes = PendingEntries.encode(entries).length;
        assertTrue(bytes < 500 * 80, "deployments and cohorts are written once, not per entry: " + bytes + " bytes");
        RollupDelta all = new RollupDelta();
        for (PendingEntries.Entry e : PendingEntries.decode("chat", PendingEntries.encode(entries))) {
            e.addTo(all, c -> true, true);
        }
        assertEquals(500, all.traces);
        assertEquals(Map.of(SHORT, 500L, ACME, 500L), counts(all));
        assertEquals(400, all.latency.getMinValue(), 400 * RollupDelta.LATENCY_ACCURACY);
        assertEquals(899, all.latency.getMaxValue(), 899 * RollupDelta.LATENCY_ACCURACY);
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PendingEntries.decode("chat", new byte[] {9, 0, 0, 0, 0}));
    }

    private static Map<Cohort, Long> counts(RollupDelta d) {
        Map<Cohort, Long> out = new java.util.HashMap<>();
        d.cohorts.forEach((c, h) -> out.put(c, h.count()));
        return out;
    }
}
