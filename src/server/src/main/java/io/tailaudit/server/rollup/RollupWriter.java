package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.tailaudit.server.tail.QualityHistogram;

import java.io.IOException;
import java.sql.Array;
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
 * Applies a batch's rollup deltas inside the caller's transaction: creates the missing buckets, locks the
 * batch's buckets in key order (the same order for every replica, so concurrent writers queue instead of
 * deadlocking), merges histograms and latency sketches in Java, and writes them back.
 */
public final class RollupWriter {

    private static final String CREATE_MISSING = """
            INSERT INTO tail_rollup_hour (task, deployment_kind, provider, model, hour, category,
                                          qe_all, qe_hard, qe_flagged, qe_sum)
            SELECT k.task, k.kind, k.provider, k.model, k.hour, k.category,
                   array_fill(0::bigint, ARRAY[100]), array_fill(0::bigint, ARRAY[100]),
                   array_fill(0::bigint, ARRAY[100]), array_fill(0::float8, ARRAY[100])
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[])
                 AS k(task, kind, provider, model, hour, category)
            ON CONFLICT DO NOTHING""";

    private static final String LOCK = """
            SELECT r.task, r.deployment_kind, r.provider, r.model, r.hour, r.qe_all, r.qe_hard, r.qe_flagged,
                   r.qe_sum, r.latency
            FROM tail_rollup_hour r
            JOIN unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])
                 AS k(task, kind, provider, model, hour)
              ON r.task = k.task AND r.deployment_kind = k.kind AND r.provider = k.provider
             AND r.model = k.model AND r.hour = k.hour
            ORDER BY r.task, r.deployment_kind, r.provider, r.model, r.hour
            FOR UPDATE OF r""";

    private static final String UPDATE = """
            UPDATE tail_rollup_hour SET category = ?, traces = traces + ?, escalations = escalations + ?,
                   status_error = status_error + ?, status_timeout = status_timeout + ?,
                   status_refused = status_refused + ?, status_invalid_output = status_invalid_output + ?,
                   escalated = escalated + ?, negative = negative + ?, schema_invalid = schema_invalid + ?,
                   input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
                   priced_cost_usd = priced_cost_usd + ?, unpriced_input_tokens = unpriced_input_tokens + ?,
                   unpriced_output_tokens = unpriced_output_tokens + ?,
                   qe_all = ?, qe_hard = ?, qe_flagged = ?, qe_sum = ?, latency = ?
            WHERE task = ? AND deployment_kind = ? AND provider = ? AND model = ? AND hour = ?""";

    private RollupWriter() {
    }

    public static void write(Connection c, RollupBatch batch) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        Map<RollupKey, RollupDelta> deltas = batch.deltas();
        List<RollupKey> keys = new ArrayList<>(deltas.keySet());
        try (PreparedStatement ps = c.prepareStatement(CREATE_MISSING)) {
            bindKeys(c, ps, keys);
            ps.setArray(6, c.createArrayOf("text", keys.stream().map(k -> deltas.get(k).category).toArray()));
            ps.executeUpdate();
        }
        Map<RollupKey, Stored> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            bindKeys(c, ps, keys);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RollupKey k = new RollupKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant());
                    stored.put(k, new Stored(QualityHistogram.of(longs(rs.getArray(6)), longs(rs.getArray(7)),
                            longs(rs.getArray(8)), doubles(rs.getArray(9))), rs.getBytes(10)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            for (RollupKey k : keys) {
                RollupDelta d = deltas.get(k);
                Stored s = stored.get(k);
                QualityHistogram q = s.quality().merge(d.quality);
                int i = 1;
                ps.setString(i++, d.category);
                for (long v : new long[] {d.traces, d.escalations, d.statusError, d.statusTimeout, d.statusRefused,
                        d.statusInvalidOutput, d.escalated, d.negative, d.schemaInvalid, d.inputTokens, d.outputTokens}) {
                    ps.setLong(i++, v);
                }
                ps.setDouble(i++, d.pricedCostUsd);
                ps.setLong(i++, d.unpricedInputTokens);
                ps.setLong(i++, d.unpricedOutputTokens);
                ps.setArray(i++, c.createArrayOf("bigint", box(q.all())));
                ps.setArray(i++, c.createArrayOf("bigint", box(q.hard())));
                ps.setArray(i++, c.createArrayOf("bigint", box(q.flagged())));
                ps.setArray(i++, c.createArrayOf("float8", box(q.sums())));
                ps.setBytes(i++, mergedLatency(s.latency(), d.latency));
                ps.setString(i++, k.task());
                ps.setString(i++, k.deploymentKind());
                ps.setString(i++, k.provider());
                ps.setString(i++, k.model());
                ps.setTimestamp(i, Timestamp.from(k.hour()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Decodes a stored latency sketch; empty when none is stored. */
    public static DDSketch latency(byte[] stored) throws SQLException {
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
        // the library's own compact encoding, index mapping included, which decode() reads back
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(512);
        try {
            merged.encode(out, false);
        } catch (IOException e) {
            throw new SQLException("latency sketch could not be encoded", "XX000", e);
        }
        return out.trimmedCopy();
    }

    private record Stored(QualityHistogram quality, byte[] latency) {
    }

    private static void bindKeys(Connection c, PreparedStatement ps, List<RollupKey> keys) throws SQLException {
        ps.setArray(1, c.createArrayOf("text", keys.stream().map(RollupKey::task).toArray()));
        ps.setArray(2, c.createArrayOf("text", keys.stream().map(RollupKey::deploymentKind).toArray()));
        ps.setArray(3, c.createArrayOf("text", keys.stream().map(RollupKey::provider).toArray()));
        ps.setArray(4, c.createArrayOf("text", keys.stream().map(RollupKey::model).toArray()));
        ps.setArray(5, c.createArrayOf("timestamptz", keys.stream().map(k -> Timestamp.from(k.hour())).toArray()));
    }

    private static long[] longs(Array a) throws SQLException {
        Long[] boxed = (Long[]) a.getArray();
        long[] out = new long[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    private static double[] doubles(Array a) throws SQLException {
        Double[] boxed = (Double[]) a.getArray();
        double[] out = new double[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    private static Long[] box(long[] v) {
        Long[] out = new Long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static Double[] box(double[] v) {
        Double[] out = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
