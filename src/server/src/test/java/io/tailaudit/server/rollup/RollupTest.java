package io.tailaudit.server.rollup;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Rating;
import io.tailaudit.sdk.Status;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Ten traces in one hour, by hand: 7 ok at quality 0.9 (qe bin 90), 1 ok at 0.9 later rated negative
 * (bin 90, then capped to 0.25: bin 25), 1 escalated at 0.8 (capped: bin 25), 1 error (bin 0).
 * Latencies 100, 200, ..., 1000 ms.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class RollupTest {

    @Test
    void ingest_rolls_traces_up_by_hour_and_late_feedback_moves_a_trace_between_bins() throws Exception {
        String task = Traces.uniqueTask("rollup");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Outcome o = i == 8 ? Outcome.ok(0.8).withEscalated(true)
                    : i == 9 ? Outcome.failed(Status.ERROR, "oom") : Outcome.ok(0.9);
            traces.add(Traces.ok(task).occurredAt(hour.plusSeconds(60L * i)).latencyMs(100 * (i + 1)).outcome(o).build());
        }
        traces.forEach(Kafka::send);
        await().atMost(ofSeconds(20)).untilAsserted(() -> assertThat(row(task).traces).isEqualTo(10));
        assertThat(row(task).bin90).isEqualTo(8);

        Kafka.send(Feedback.rating(traces.get(0).traceId(), task, hour.plusSeconds(3_000), Rating.NEGATIVE));
        await().atMost(ofSeconds(20)).untilAsserted(() -> assertThat(row(task).negative).isEqualTo(1));

        traces.forEach(Kafka::send);                                  // a redelivery of the whole hour
        Kafka.send(Traces.ok(task).occurredAt(hour.plus(2, ChronoUnit.HOURS)).build());   // a marker after it
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM tail_rollup_hour WHERE task = ?", task)).isEqualTo(2));

        Row r = row(task);
        assertThat(r.traces).isEqualTo(10);
        assertThat(r.statusError).isEqualTo(1);
        assertThat(r.escalations).as("escalated + rated negative").isEqualTo(2);
        assertThat(r.bin90).isEqualTo(7);
        assertThat(r.bin25).isEqualTo(2);
        assertThat(r.bin0).isEqualTo(1);
        assertThat(r.hard).as("error, escalated, negative").isEqualTo(3);
        assertThat(r.flagged).isEqualTo(2);
        assertThat(r.p50).isCloseTo(500, within(500 * 0.02));
        assertThat(r.inputTokens).isEqualTo(9_000);
    }

    private record Row(long traces, long statusError, long escalations, long negative, long bin0, long bin25,
                       long bin90, long hard, long flagged, double p50, long inputTokens) {
    }

    private static Row row(String task) throws Exception {
        try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT traces, status_error, escalations, negative, qe_all[1], qe_all[26], qe_all[91],
                       (SELECT sum(x) FROM unnest(qe_hard) x), (SELECT sum(x) FROM unnest(qe_flagged) x),
                       latency, input_tokens
                FROM tail_rollup_hour WHERE task = ? ORDER BY hour LIMIT 1""")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Row(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
                }
                return new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                        rs.getLong(7), rs.getLong(8), rs.getLong(9),
                        RollupWriter.latency(rs.getBytes(10)).getValueAtQuantile(0.5), rs.getLong(11));
            }
        }
    }
}
