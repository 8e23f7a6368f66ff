package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads {@code tail_rollup_delta} rows, for the compactor and for readers that add what is not folded yet. */
final class RollupDeltas {

    /** The columns {@link #delta} reads, in order, after the key columns. */
    static final String COLUMNS = """
            category, traces, escalations, status_error, status_timeout, status_refused, status_invalid_output,
            escalated, negative, schema_invalid, input_tokens, output_tokens, priced_cost_usd,
            unpriced_input_tokens, unpriced_output_tokens, quality, latency, cohorts""";

    private RollupDeltas() {
    }

    /** The hour key from columns 1-5: task, deployment_kind, provider, model, hour. */
    static RollupKey key(ResultSet rs) throws SQLException {
        return new RollupKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), RollupKey.Span.HOUR,
                rs.getTimestamp(5).toInstant());
    }

    /** The delta whose {@link #COLUMNS} start at column {@code from}. */
    static RollupDelta delta(ResultSet rs, int from) throws SQLException {
        RollupDelta d = new RollupDelta();
        int i = from;
        d.category = rs.getString(i++);
        d.traces = rs.getLong(i++);
        d.escalations = rs.getLong(i++);
        d.statusError = rs.getLong(i++);
        d.statusTimeout = rs.getLong(i++);
        d.statusRefused = rs.getLong(i++);
        d.statusInvalidOutput = rs.getLong(i++);
        d.escalated = rs.getLong(i++);
        d.negative = rs.getLong(i++);
        d.schemaInvalid = rs.getLong(i++);
        d.inputTokens = rs.getLong(i++);
        d.outputTokens = rs.getLong(i++);
        d.pricedCostUsd = rs.getDouble(i++);
        d.unpricedInputTokens = rs.getLong(i++);
        d.unpricedOutputTokens = rs.getLong(i++);
        d.quality.merge(QualityHistogram.decode(rs.getBytes(i++)));
        byte[] latency = rs.getBytes(i++);
        if (latency != null) {
            d.latency = RollupWriter.latency(latency);
        }
        byte[] cohorts = rs.getBytes(i);
        if (cohorts != null) {
            Cohort.decode(cohorts).forEach((c, h) -> d.cohort(c).merge(h));
        }
        return d;
    }
}
