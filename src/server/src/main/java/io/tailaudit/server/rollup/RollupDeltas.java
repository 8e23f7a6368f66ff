package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Predicate;

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

    /**
     * Adds the delta whose {@link #COLUMNS} start at column {@code from} to {@code d}, merging the encoded
     * histograms and sketch straight into it, the sketch only when {@code latency}, and only the cohorts
     * {@code keep} accepts.
     */
    static void addTo(RollupDelta d, ResultSet rs, int from, Predicate<Cohort> keep, boolean latency)
            throws SQLException {
        int i = from;
        String category = rs.getString(i++);
        if (category != null) {
            d.category = category;
        }
        d.traces += rs.getLong(i++);
        d.escalations += rs.getLong(i++);
        d.statusError += rs.getLong(i++);
        d.statusTimeout += rs.getLong(i++);
        d.statusRefused += rs.getLong(i++);
        d.statusInvalidOutput += rs.getLong(i++);
        d.escalated += rs.getLong(i++);
        d.negative += rs.getLong(i++);
        d.schemaInvalid += rs.getLong(i++);
        d.inputTokens += rs.getLong(i++);
        d.outputTokens += rs.getLong(i++);
        d.pricedCostUsd += rs.getDouble(i++);
        d.unpricedInputTokens += rs.getLong(i++);
        d.unpricedOutputTokens += rs.getLong(i++);
        d.quality.mergeEncoded(rs.getBytes(i++));
        byte[] sketch = latency ? rs.getBytes(i) : null;
        i++;
        if (sketch != null) {
            try {
                d.latency().decodeAndMergeWith(ByteArrayInput.wrap(sketch));
            } catch (IOException e) {
                throw new SQLException("stored latency sketch is unreadable", "XX001", e);
            }
        }
        byte[] cohorts = rs.getBytes(i);
        if (cohorts != null) {
            Cohort.mergeEncoded(cohorts, d.cohorts, keep);
        }
    }
}
