package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Predicate;

/**
 * Reads and merges rollup values: {@code tail_rollup} rows, the entries of {@code tail_rollup_pending} and the
 * deltas of {@code tail_rollup_delta} a server before V5 left.
 */
final class RollupDeltas {

    /** The columns {@link #addTo} reads, in order, after the key columns. */
    static final String COLUMNS = """
            category, traces, escalations, status_error, status_timeout, status_refused, status_invalid_output,
            escalated, negative, schema_invalid, input_tokens, output_tokens, over8k_input_tokens,
            over8k_output_tokens, priced_cost_usd,
            unpriced_input_tokens, unpriced_output_tokens, quality, latency, cohorts""";

    private RollupDeltas() {
    }

    /** The hour key from columns 1-5: task, deployment_kind, provider, model, hour. */
    static RollupKey key(ResultSet rs) throws SQLException {
        return new RollupKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), RollupKey.Span.HOUR,
                rs.getTimestamp(5).toInstant());
    }

    /**
     * Adds the row whose {@link #COLUMNS} start at column {@code from} to {@code d}, merging the encoded
     * histograms and sketch straight into it, the sketch only when {@code latency}, and only the cohorts
     * {@code keep} accepts.
     */
    static void addTo(RollupDelta d, ResultSet rs, int from, Predicate<Cohort> keep, boolean latency)
            throws SQLException {
        int i = from;
        String category = rs.getString(i++);
        long[] counts = new long[RollupDelta.COUNTS];
        for (int c = 0; c < counts.length; c++) {
            counts[c] = rs.getLong(i++);
        }
        double priced = rs.getDouble(i++);
        long unpricedIn = rs.getLong(i++);
        long unpricedOut = rs.getLong(i++);
        byte[] quality = rs.getBytes(i++);
        byte[] sketch = latency ? rs.getBytes(i) : null;
        i++;
        add(d, category, counts, priced, unpricedIn, unpricedOut, quality, sketch, rs.getBytes(i), keep);
    }

    /**
     * Adds encoded values to {@code d}: the histograms and sketch merged straight into it, only the cohorts
     * {@code keep} accepts; {@code category}, {@code sketch} and {@code cohorts} may be null.
     */
    static void add(RollupDelta d, String category, long[] counts, double pricedCostUsd, long unpricedInputTokens,
                    long unpricedOutputTokens, byte[] quality, byte[] sketch, byte[] cohorts, Predicate<Cohort> keep)
            throws SQLException {
        if (category != null) {
            d.category = category;
        }
        d.addCounts(counts);
        d.pricedCostUsd += pricedCostUsd;
        d.unpricedInputTokens += unpricedInputTokens;
        d.unpricedOutputTokens += unpricedOutputTokens;
        if (quality.length > 0) {
            HistogramCodec.mergeEncoded(d.quality(), quality);
        }
        if (sketch != null) {
            try {
                d.latency().decodeAndMergeWith(ByteArrayInput.wrap(sketch));
            } catch (IOException e) {
                throw new SQLException("stored latency sketch is unreadable", "XX001", e);
            }
        }
        if (cohorts != null) {
            Cohort.mergeEncoded(cohorts, d.cohorts, keep);
        }
    }
}
