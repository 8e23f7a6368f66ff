package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two halves of the rollups. Ingest {@link #append appends} a batch's deltas by COPY inside its
 * transaction: no reads and no locks on the hot path. The compactor {@link #merge merges} claimed deltas into
 * {@code tail_rollup}'s hour and day rows, as the only writer of that table (it holds an advisory lock): it
 * reads the buckets it touches, merges counters, histograms, cohorts and latency sketches in Java, COPYs the
 * merged rows into a temporary table and upserts them all in one statement.
 */
public final class RollupWriter {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RollupWriter.class);

    private static final String VALUE_COLUMNS = "category, traces, escalations, status_error, status_timeout,"
            + " status_refused, status_invalid_output, escalated, negative, schema_invalid, input_tokens, output_tokens,"
            + " over8k_input_tokens, over8k_output_tokens, priced_cost_usd, unpriced_input_tokens, unpriced_output_tokens, quality, latency, cohorts";

    // every row of the touched hours and days, by primary-key prefix: a fold touches most deployments of the
    // hours it touches, and a join against the keys lets the planner pick a scan of the whole table
    private static final String READ = "SELECT task, deployment_kind, provider, model, span, bucket, "
            + RollupDeltas.COLUMNS + """
             FROM tail_rollup
            WHERE (span = 'h' AND bucket = ANY(?::timestamptz[])) OR (span = 'd' AND bucket = ANY(?::timestamptz[]))""";

    private static final String FOLD_TABLE = "CREATE TEMP TABLE IF NOT EXISTS tail_rollup_fold"
            + " (LIKE tail_rollup) ON COMMIT DELETE ROWS";

    private static final String COPY_FOLD = "COPY tail_rollup_fold (task, deployment_kind, provider, model, span, bucket, "
            + VALUE_COLUMNS + ") FROM STDIN";

    private static final String UPSERT = "INSERT INTO tail_rollup SELECT * FROM tail_rollup_fold"
            + " ON CONFLICT (span, bucket, task, deployment_kind, provider, model) DO UPDATE SET "
            + String.join(", ", java.util.Arrays.stream(VALUE_COLUMNS.split(",\\s*")).map(c -> c + " = EXCLUDED." + c)
                    .toList());

    private RollupWriter() {
    }

    private static final String INSERT_PENDING = "INSERT INTO tail_rollup_pending (task, first_bucket, last_bucket,"
            + " entries, payload, appended_at) VALUES (?, ?, ?, ?, ?, ?)";

    /**
     * Appends the batches' pending rows, one per batch and task, in the caller's transaction: a few dozen
     * rows with binary payloads, so one batched INSERT (bytea sent as bytes, not as COPY's hex text).
     */
    public static void append(Connection c, Instant now, RollupBatch... batches) throws SQLException {
        Timestamp appended = Timestamp.from(now);
        int rows = 0;
        try (PreparedStatement ps = c.prepareStatement(INSERT_PENDING)) {
            for (RollupBatch batch : batches) {
                if (batch.isEmpty()) {
                    continue;
                }
                for (RollupBatch.PendingRow row : batch.encode()) {
                    ps.setString(1, row.task());
                    ps.setTimestamp(2, Timestamp.from(row.firstBucket()));
                    ps.setTimestamp(3, Timestamp.from(row.lastBucket()));
                    ps.setInt(4, row.entries());
                    ps.setBytes(5, row.payload());
                    ps.setTimestamp(6, appended);
                    ps.addBatch();
                    rows++;
                }
            }
            if (rows > 0) {
                ps.executeBatch();
            }
        }
    }

    /** The {@link #VALUE_COLUMNS} of a row in COPY text format, each after a tab. */
    private static void values(StringBuilder sb, RollupDelta d, byte[] cohorts) throws SQLException {
        sb.append('\t').append(d.category);
        for (long v : d.counts()) {
            sb.append('\t').append(v);
        }
        sb.append('\t').append(d.pricedCostUsd).append('\t').append(d.unpricedInputTokens)
                .append('\t').append(d.unpricedOutputTokens).append('\t').append(hex(HistogramCodec.encode(d.quality())))
                .append('\t').append(d.latency == null ? "\\N" : hex(encode(d.latency)))
                .append('\t').append(hex(cohorts));
    }

    private static void copyIn(Connection c, String sql, StringBuilder rows) throws SQLException {
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(rows.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), "08000", e);
        }
    }

    /**
     * Merges claimed deltas (already combined per bucket) into the rollups, in the caller's transaction,
     * which must hold the compactor's lock. An hour delta counts in its hour row, which keeps only the hourly
     * cohorts (context), and in its day row; a day delta only in its day row.
     */
    static void merge(Connection c, Map<RollupKey, RollupDelta> claimed) throws SQLException {
        if (claimed.isEmpty()) {
            return;
        }
        Map<RollupKey, RollupDelta> deltas = new HashMap<>();
        for (Map.Entry<RollupKey, RollupDelta> e : claimed.entrySet()) {
            if (e.getKey().span() == RollupKey.Span.DAY) {
                deltas.merge(e.getKey(), e.getValue(), RollupDelta::merge);
                continue;
            }
            deltas.computeIfAbsent(e.getKey().day(), k -> new RollupDelta()).merge(e.getValue());
            RollupDelta hour = e.getValue();
            hour.cohorts.keySet().removeIf(cohort -> !cohort.hourly());
            deltas.put(e.getKey(), hour);
        }
        long t0 = System.nanoTime();
        List<RollupKey> keys = new ArrayList<>(deltas.keySet());
        Map<RollupKey, RollupDelta> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setArray(1, c.createArrayOf("timestamptz", buckets(keys, RollupKey.Span.HOUR)));
            ps.setArray(2, c.createArrayOf("timestamptz", buckets(keys, RollupKey.Span.DAY)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RollupKey k = key(rs);
                    if (deltas.containsKey(k)) {
                        RollupDelta stored = new RollupDelta();
                        RollupDeltas.addTo(stored, rs, 7, cohort -> true, true);
                        rows.put(k, stored);
                    }
                }
            }
        }
        long t1 = System.nanoTime();
        StringBuilder sb = new StringBuilder(keys.size() * 300);
        for (RollupKey k : keys) {
            RollupDelta d = deltas.get(k);
            RollupDelta row = rows.merge(k, d, RollupDelta::merge);
            sb.append(text(k.task())).append('\t').append(k.deploymentKind()).append('\t').append(text(k.provider()))
                    .append('\t').append(text(k.model())).append('\t').append(k.span().code)
                    .append('\t').append(k.bucket());
            values(sb, row, Cohort.encode(row.cohorts));
            sb.append('\n');
        }
        long t2 = System.nanoTime();
        try (var st = c.createStatement()) {
            st.execute(FOLD_TABLE);
            copyIn(c, COPY_FOLD, sb);
            st.executeUpdate(UPSERT);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("rollup rows merged rows=%d read_ms=%.1f merge_encode_ms=%.1f upsert_ms=%.1f",
                    (Object) keys.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
        }
    }

    private static Object[] buckets(List<RollupKey> keys, RollupKey.Span span) {
        return keys.stream().filter(k -> k.span() == span).map(RollupKey::bucket).distinct().map(Timestamp::from)
                .toArray();
    }

    static RollupKey key(ResultSet rs) throws SQLException {
        return new RollupKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                RollupKey.Span.of(rs.getString(5)), rs.getTimestamp(6).toInstant());
    }

    /** The library's own compact encoding, index mapping included, which {@link RollupDeltas#addTo} reads back. */
    static byte[] encode(DDSketch sketch) throws SQLException {
        return encode(sketch, false);
    }

    /**
     * The library's encoding, without the index mapping when {@code omitMapping}: a sketch that merges it
     * must have the same mapping, as every rollup sketch does.
     */
    static byte[] encode(DDSketch sketch, boolean omitMapping) throws SQLException {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(omitMapping ? 32 : 256);
        try {
            sketch.encode(out, omitMapping);
        } catch (IOException e) {
            throw new SQLException("latency sketch could not be encoded", "XX000", e);
        }
        return out.trimmedCopy();
    }

    /** bytea in COPY text format: \\x then hex digits (the backslash itself escaped for COPY). */
    private static String hex(byte[] bytes) {
        return "\\\\x" + java.util.HexFormat.of().formatHex(bytes);
    }

    /** Task and model names in COPY text format. */
    private static String text(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }
}
