package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.tailaudit.server.tail.QualityHistogram;

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
import java.util.TreeMap;

/**
 * The two halves of the rollups. Ingest {@link #append appends} a batch's deltas by COPY inside its
 * transaction: no reads and no locks on the hot path. The compactor {@link #merge merges} claimed deltas into
 * {@code tail_rollup}'s hour and day rows: it creates the missing buckets, locks them in primary-key order
 * (the same order for every replica, so concurrent compactors queue instead of deadlocking), merges
 * histograms, cohorts and latency sketches in Java, and writes them back.
 */
public final class RollupWriter {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RollupWriter.class);

    private static final String KEY_COLUMNS = "task, deployment_kind, provider, model, span, bucket";
    private static final String KEYS = """
            unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::"char"[], ?::timestamptz[])
            AS k(task, deployment_kind, provider, model, span, bucket)""";
    private static final String KEY_JOIN = """
            r.task = k.task AND r.deployment_kind = k.deployment_kind AND r.provider = k.provider
            AND r.model = k.model AND r.span = k.span AND r.bucket = k.bucket""";

    private static final String CREATE_MISSING = "INSERT INTO tail_rollup (" + KEY_COLUMNS + """
            , category, traces, escalations, status_error, status_timeout, status_refused,
              status_invalid_output, escalated, negative, schema_invalid, input_tokens, output_tokens,
              priced_cost_usd, unpriced_input_tokens, unpriced_output_tokens, quality, cohorts)
            SELECT k.*, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\x'::bytea, '\\x'::bytea
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::"char"[], ?::timestamptz[], ?::text[])
                 AS k(task, deployment_kind, provider, model, span, bucket, category)
            ON CONFLICT DO NOTHING""";

    private static final String LOCK = "SELECT r.task, r.deployment_kind, r.provider, r.model, r.span, r.bucket,"
            + " r.quality, r.latency, r.cohorts FROM tail_rollup r JOIN " + KEYS + " ON " + KEY_JOIN
            + " ORDER BY r.span, r.bucket, r.task, r.deployment_kind, r.provider, r.model FOR UPDATE OF r";

    private static final String UPDATE = """
            UPDATE tail_rollup SET category = ?, traces = traces + ?, escalations = escalations + ?,
                   status_error = status_error + ?, status_timeout = status_timeout + ?,
                   status_refused = status_refused + ?, status_invalid_output = status_invalid_output + ?,
                   escalated = escalated + ?, negative = negative + ?, schema_invalid = schema_invalid + ?,
                   input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
                   priced_cost_usd = priced_cost_usd + ?, unpriced_input_tokens = unpriced_input_tokens + ?,
                   unpriced_output_tokens = unpriced_output_tokens + ?, quality = ?, latency = ?, cohorts = ?
            WHERE task = ? AND deployment_kind = ? AND provider = ? AND model = ? AND span = ?::"char" AND bucket = ?""";

    private RollupWriter() {
    }

    private static final String COPY_DELTAS = "COPY tail_rollup_delta (task, deployment_kind, provider, model, hour,"
            + " category, traces, escalations, status_error, status_timeout, status_refused, status_invalid_output,"
            + " escalated, negative, schema_invalid, input_tokens, output_tokens, priced_cost_usd, unpriced_input_tokens,"
            + " unpriced_output_tokens, quality, latency, cohorts, appended_at) FROM STDIN";

    /** Appends the batch's deltas, one row per hour bucket, in the caller's transaction. */
    public static void append(Connection c, RollupBatch batch, Instant now) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(batch.deltas().size() * 400);
        for (Map.Entry<RollupKey, RollupDelta> e : batch.deltas().entrySet()) {
            RollupKey k = e.getKey();
            RollupDelta d = e.getValue();
            sb.append(text(k.task())).append('\t').append(k.deploymentKind()).append('\t').append(text(k.provider()))
                    .append('\t').append(text(k.model())).append('\t').append(k.bucket()).append('\t').append(d.category);
            for (long v : counts(d)) {
                sb.append('\t').append(v);
            }
            sb.append('\t').append(d.pricedCostUsd).append('\t').append(d.unpricedInputTokens)
                    .append('\t').append(d.unpricedOutputTokens).append('\t').append(hex(d.quality.encode()))
                    .append('\t').append(d.latency == null ? "\\N" : hex(encode(d.latency)))
                    .append('\t').append(hex(batch.encodedCohorts(k)))
                    .append('\t').append(now).append('\n');
        }
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_DELTAS, new StringReader(sb.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY into tail_rollup_delta failed: " + e.getMessage(), "08000", e);
        }
    }

    private static long[] counts(RollupDelta d) {
        return new long[] {d.traces, d.escalations, d.statusError, d.statusTimeout, d.statusRefused,
                d.statusInvalidOutput, d.escalated, d.negative, d.schemaInvalid, d.inputTokens, d.outputTokens};
    }

    /**
     * Merges hourly deltas (already combined per hour) into the rollups at both spans, in the caller's
     * transaction. Hour rows keep only the hourly cohorts (context), day rows all of them.
     */
    static void merge(Connection c, Map<RollupKey, RollupDelta> hourly) throws SQLException {
        if (hourly.isEmpty()) {
            return;
        }
        Map<RollupKey, RollupDelta> deltas = new TreeMap<>();
        for (Map.Entry<RollupKey, RollupDelta> e : hourly.entrySet()) {
            deltas.merge(e.getKey().day(), copy(e.getValue()), RollupDelta::merge);
            RollupDelta hour = e.getValue();
            hour.cohorts.keySet().removeIf(cohort -> !cohort.hourly());
            deltas.put(e.getKey(), hour);
        }
        mergeTotals(c, deltas);
    }

    private static RollupDelta copy(RollupDelta d) {
        RollupDelta out = new RollupDelta();
        out.category = d.category;
        return out.merge(d);
    }

    private static void mergeTotals(Connection c, Map<RollupKey, RollupDelta> deltas) throws SQLException {
        long t0 = System.nanoTime();
        List<RollupKey> keys = new ArrayList<>(deltas.keySet());
        try (PreparedStatement ps = c.prepareStatement(CREATE_MISSING)) {
            bindKeys(c, ps, keys);
            ps.setArray(7, c.createArrayOf("text", keys.stream().map(k -> deltas.get(k).category).toArray()));
            ps.executeUpdate();
        }
        long t1 = System.nanoTime();
        Map<RollupKey, Stored> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            bindKeys(c, ps, keys);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(key(rs), new Stored(QualityHistogram.decode(rs.getBytes(7)), rs.getBytes(8),
                            Cohort.decode(rs.getBytes(9))));
                }
            }
        }
        long t2 = System.nanoTime();
        long encode = 0;
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            for (RollupKey k : keys) {
                long e0 = System.nanoTime();
                RollupDelta d = deltas.get(k);
                Stored s = stored.get(k);
                int i = 1;
                ps.setString(i++, d.category);
                for (long v : counts(d)) {
                    ps.setLong(i++, v);
                }
                ps.setDouble(i++, d.pricedCostUsd);
                ps.setLong(i++, d.unpricedInputTokens);
                ps.setLong(i++, d.unpricedOutputTokens);
                ps.setBytes(i++, s.quality().merge(d.quality).encode());
                ps.setBytes(i++, mergedLatency(s.latency(), d.latency));
                d.cohorts.forEach((cohort, h) -> s.cohorts().merge(cohort, h, QualityHistogram::merge));
                ps.setBytes(i++, Cohort.encode(s.cohorts()));
                encode += System.nanoTime() - e0;
                bindKey(ps, i, k);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("rollup rows merged rows=%d create_ms=%.1f lock_read_ms=%.1f merge_encode_ms=%.1f update_ms=%.1f",
                    (Object) keys.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, encode / 1e6,
                    (System.nanoTime() - t2 - encode) / 1e6);
        }
    }

    static RollupKey key(ResultSet rs) throws SQLException {
        return new RollupKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                RollupKey.Span.of(rs.getString(5)), rs.getTimestamp(6).toInstant());
    }

    private static void bindKey(PreparedStatement ps, int from, RollupKey k) throws SQLException {
        ps.setString(from, k.task());
        ps.setString(from + 1, k.deploymentKind());
        ps.setString(from + 2, k.provider());
        ps.setString(from + 3, k.model());
        ps.setString(from + 4, k.span().code);
        ps.setTimestamp(from + 5, Timestamp.from(k.bucket()));
    }

    /** Decodes a stored latency sketch; empty when none is stored. */
    private static DDSketch latency(byte[] stored) throws SQLException {
        if (stored == null) {
            return com.datadoghq.sketch.ddsketch.DDSketches.unboundedDense(RollupDelta.LATENCY_ACCURACY);
        }
        try {
            return DDSketch.decode(ByteArrayInput.wrap(stored), UnboundedSizeDenseStore::new);
        } catch (IOException e) {
            throw new SQLException("stored latency sketch is unreadable", "XX001", e);
        }
    }

    private static byte[] mergedLatency(byte[] stored, DDSketch delta) throws SQLException {
        if (delta == null) {
            return stored;
        }
        DDSketch merged = latency(stored);
        merged.mergeWith(delta);
        return encode(merged);
    }

    /** The library's own compact encoding, index mapping included, which {@link #latency} reads back. */
    static byte[] encode(DDSketch sketch) throws SQLException {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(256);
        try {
            sketch.encode(out, false);
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

    private record Stored(QualityHistogram quality, byte[] latency, Map<Cohort, QualityHistogram> cohorts) {
    }

    private static void bindKeys(Connection c, PreparedStatement ps, List<RollupKey> keys) throws SQLException {
        ps.setArray(1, c.createArrayOf("text", keys.stream().map(RollupKey::task).toArray()));
        ps.setArray(2, c.createArrayOf("text", keys.stream().map(RollupKey::deploymentKind).toArray()));
        ps.setArray(3, c.createArrayOf("text", keys.stream().map(RollupKey::provider).toArray()));
        ps.setArray(4, c.createArrayOf("text", keys.stream().map(RollupKey::model).toArray()));
        ps.setArray(5, c.createArrayOf("text", keys.stream().map(k -> k.span().code).toArray()));
        ps.setArray(6, c.createArrayOf("timestamptz", keys.stream().map(k -> Timestamp.from(k.bucket())).toArray()));
    }
}
