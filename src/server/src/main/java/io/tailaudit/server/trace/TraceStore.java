package io.tailaudit.server.trace;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The writes to trace's tables, in the caller's transaction: traces by COPY straight into {@code trace_key}
 * and {@code trace} with the per-task daily counts of {@code task_volume_daily}, and feedback (stored once,
 * merged into its trace when the trace is there). Every step is idempotent, so a replayed batch changes
 * nothing.
 *
 * <p>Traces are written optimistically: the record key is the trace_id, so one consumer owns a given id and
 * a batch normally holds only new ids. A redelivered or reused id makes the COPY into {@code trace_key} fail
 * on its primary key; the store then rolls back to a savepoint, looks the batch's ids up, skips the
 * redeliveries (same content hash) and returns the conflicts (other content).
 */
public final class TraceStore {

    public static final String COLUMNS = "trace_id, occurred_at, task, category, service, deployment_kind, provider, model, "
            + "model_version, quantization, region, latency_ms, ttft_ms, input_tokens, output_tokens, context_tokens, "
            + "cost_usd, status, error_type, quality, feedback, escalated, fallback, retries, schema_valid, "
            + "session_id, parent_trace_id, step, input_text, output_text, tags, content_hash, received_at";

    private static final String COPY_KEYS = "COPY trace_key (trace_id, occurred_at, content_hash) FROM STDIN (FORMAT binary)";

    private static final String COPY_TRACES = "COPY trace (" + COLUMNS + ") FROM STDIN (FORMAT binary)";

    private static final String STORED = "SELECT trace_id, content_hash FROM trace_key WHERE trace_id = ANY (?)";

    private static final String COUNT_DAILY = """
            INSERT INTO task_volume_daily (task, day, service, traces)
            SELECT * FROM unnest(?::text[], ?::date[], ?::text[], ?::bigint[])
            ON CONFLICT (task, day, service) DO UPDATE SET traces = task_volume_daily.traces + excluded.traces""";

    private static final String UNIQUE_VIOLATION = "23505";

    private static final String INSERT_FEEDBACK = """
            INSERT INTO feedback (event_hash, trace_id, task, occurred_at, feedback, escalated, quality, label, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (event_hash) DO NOTHING""";

    private static final String ANY_HELD = "SELECT EXISTS (SELECT 1 FROM feedback WHERE applied_at IS NULL)";

    private static final String PENDING_FOR = """
            SELECT f.event_hash, k.occurred_at, f.trace_id FROM feedback f JOIN trace_key k USING (trace_id)
            WHERE f.applied_at IS NULL AND f.trace_id = ANY (?)
            ORDER BY f.occurred_at""";

    private static final String MERGE_FEEDBACK = """
            WITH old AS (
                SELECT trace_id, occurred_at, status, quality, escalated, feedback, schema_valid, fallback
                FROM trace WHERE trace_id = ? AND occurred_at = ? FOR UPDATE
            )
            UPDATE trace t SET
              feedback    = CASE WHEN f.feedback  IS NOT NULL AND f.occurred_at > coalesce(t.feedback_at,  t.occurred_at) THEN f.feedback    ELSE t.feedback    END,
              feedback_at = CASE WHEN f.feedback  IS NOT NULL AND f.occurred_at > coalesce(t.feedback_at,  t.occurred_at) THEN f.occurred_at ELSE t.feedback_at END,
              escalated   = CASE WHEN f.escalated IS NOT NULL AND f.occurred_at > coalesce(t.escalated_at, t.occurred_at) THEN f.escalated   ELSE t.escalated   END,
              escalated_at= CASE WHEN f.escalated IS NOT NULL AND f.occurred_at > coalesce(t.escalated_at, t.occurred_at) THEN f.occurred_at ELSE t.escalated_at END,
              quality     = CASE WHEN f.quality   IS NOT NULL AND f.occurred_at > coalesce(t.quality_at,   t.occurred_at) THEN f.quality     ELSE t.quality     END,
              quality_at  = CASE WHEN f.quality   IS NOT NULL AND f.occurred_at > coalesce(t.quality_at,   t.occurred_at) THEN f.occurred_at ELSE t.quality_at  END,
              label       = CASE WHEN f.label     IS NOT NULL AND f.occurred_at > coalesce(t.label_at,     t.occurred_at) THEN f.label       ELSE t.label       END,
              label_at    = CASE WHEN f.label     IS NOT NULL AND f.occurred_at > coalesce(t.label_at,     t.occurred_at) THEN f.occurred_at ELSE t.label_at    END
            FROM feedback f, old o
            WHERE f.event_hash = ? AND f.trace_id = t.trace_id AND t.trace_id = o.trace_id AND t.occurred_at = o.occurred_at
            RETURNING t.task, t.category, t.deployment_kind, t.provider, t.model, t.occurred_at,
                      o.status, o.quality, o.escalated, o.feedback, o.schema_valid, o.fallback,
                      t.quality, t.escalated, t.feedback, t.context_tokens, t.input_tokens, t.step, t.model_version,
                      ARRAY(SELECT key FROM jsonb_each_text(t.tags) ORDER BY key),
                      ARRAY(SELECT value FROM jsonb_each_text(t.tags) ORDER BY key)""";

    private static final String MARK_APPLIED = "UPDATE feedback SET applied_at = ? WHERE event_hash = ANY (?)";

    private static final Logger LOG = Logger.getLogger(TraceStore.class);

    private TraceStore() {
    }

    /**
     * A batch's traces (unique by trace_id) with their binary COPY rows, built ahead so the write itself only
     * streams them. {@code receivedAt} is when ingest read them.
     */
    public record Payload(List<TraceRow> traces, Instant receivedAt, byte[] keyRows, byte[] traceRows) {

        public Payload {
            traces = List.copyOf(traces);
        }

        public static Payload of(List<TraceRow> traces, Instant receivedAt) {
            return new Payload(traces, receivedAt, TraceStore.keyRows(traces), TraceStore.traceRows(traces, receivedAt));
        }
    }

    /**
     * Erases a task's stored input and output text (the task stores no text from now on); returns how many
     * traces had some. Runs in the caller's transaction.
     */
    public static long eraseText(Connection c, String task) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE trace SET input_text = NULL, output_text = NULL"
                + " WHERE task = ? AND (input_text IS NOT NULL OR output_text IS NOT NULL)")) {
            ps.setString(1, task);
            return ps.executeLargeUpdate();
        }
    }

    /**
     * Stores the payload's new traces and counts them per task and day. {@code alongside} is handed the
     * traces that are new and may start work on them that overlaps PostgreSQL's processing of the COPY (it
     * must not use the connection); its future is joined before this returns, its failure rethrown.
     *
     * @return the traces whose trace_id was stored before with other content: the first version stands
     */
    public static List<TraceRow> insert(Connection c, Payload payload,
                                        Function<List<TraceRow>, CompletableFuture<Void>> alongside)
            throws SQLException {
        List<TraceRow> traces = payload.traces();
        if (traces.isEmpty()) {
            return List.of();
        }
        Savepoint beforeKeys = c.setSavepoint();
        try {
            long t0 = System.nanoTime();
            copy(c, COPY_KEYS, payload.keyRows());
            c.releaseSavepoint(beforeKeys);
            long t1 = System.nanoTime();
            insertNew(c, traces, payload.traceRows(), alongside);
            if (LOG.isDebugEnabled()) {
                LOG.debugf("traces written keys_ms=%.1f rows_ms=%.1f", (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
            }
            return List.of();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(beforeKeys);
        }
        // some ids were stored before: a redelivery (same content) changes nothing, a reuse is a conflict
        Map<String, Long> stored = storedHashes(c, traces);
        List<TraceRow> fresh = new ArrayList<>(traces.size());
        List<TraceRow> conflicts = new ArrayList<>();
        for (TraceRow t : traces) {
            Long hash = stored.get(t.traceId());
            if (hash == null) {
                fresh.add(t);
            } else if (hash != t.contentHash()) {
                conflicts.add(t);
            }
        }
        if (!fresh.isEmpty()) {
            Payload rest = Payload.of(fresh, payload.receivedAt());
            copy(c, COPY_KEYS, rest.keyRows());
            insertNew(c, fresh, rest.traceRows(), alongside);
        }
        return conflicts;
    }

    private static void insertNew(Connection c, List<TraceRow> traces, byte[] traceRows,
                                  Function<List<TraceRow>, CompletableFuture<Void>> alongside) throws SQLException {
        CompletableFuture<Void> started = alongside.apply(traces);
        try {
            copy(c, COPY_TRACES, traceRows);
            countDaily(c, traces);
        } finally {
            // what runs alongside owns its state again only once it is done
            try {
                started.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        }
    }

    private static void countDaily(Connection c, List<TraceRow> traces) throws SQLException {
        Map<List<Object>, Long> daily = new HashMap<>();
        for (TraceRow t : traces) {
            daily.merge(List.of(t.task(), LocalDate.ofInstant(t.occurredAt(), ZoneOffset.UTC),
                    t.service() == null ? "" : t.service()), 1L, Long::sum);
        }
        try (PreparedStatement ps = c.prepareStatement(COUNT_DAILY)) {
            ps.setArray(1, c.createArrayOf("text", daily.keySet().stream().map(k -> k.get(0)).toArray()));
            ps.setArray(2, c.createArrayOf("date", daily.keySet().stream().map(k -> java.sql.Date.valueOf((LocalDate) k.get(1))).toArray()));
            ps.setArray(3, c.createArrayOf("text", daily.keySet().stream().map(k -> k.get(2)).toArray()));
            ps.setArray(4, c.createArrayOf("bigint", daily.values().toArray()));
            ps.executeUpdate();
        }
    }

    private static Map<String, Long> storedHashes(Connection c, List<TraceRow> traces) throws SQLException {
        Map<String, Long> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(STORED)) {
            ps.setArray(1, c.createArrayOf("text", traces.stream().map(TraceRow::traceId).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return stored;
    }

    private static final int TRACE_FIELDS = 33;

    private static byte[] keyRows(List<TraceRow> traces) {
        CopyBinary rows = new CopyBinary(traces.size() * 72);
        // in key order: consecutive inserts land on neighbouring leaves of the trace_id index, not random ones
        List<TraceRow> sorted = new ArrayList<>(traces);
        sorted.sort(java.util.Comparator.comparing(TraceRow::traceId));
        for (TraceRow t : sorted) {
            rows.row(3).text(t.traceId()).timestamptz(t.occurredAt()).int8(t.contentHash());
        }
        return rows.finish();
    }

    /** In {@link #COLUMNS} order, each value in its column's type. */
    private static byte[] traceRows(List<TraceRow> traces, Instant receivedAt) {
        CopyBinary rows = new CopyBinary(traces.size() * 420);
        for (TraceRow t : traces) {
            rows.row(TRACE_FIELDS).text(t.traceId()).timestamptz(t.occurredAt()).text(t.task()).text(t.category())
                    .text(t.service()).text(t.deploymentKind()).text(t.provider()).text(t.model())
                    .text(t.modelVersion()).text(t.quantization()).text(t.region()).float8(t.latencyMs())
                    .float8(t.ttftMs()).int4(t.inputTokens()).int4(t.outputTokens()).int4(t.contextTokens())
                    .float8(t.costUsd()).text(t.status()).text(t.errorType()).float8(t.quality()).text(t.feedback())
                    .bool(t.escalated()).bool(t.fallback()).int4(t.retries()).bool(t.schemaValid())
                    .text(t.sessionId()).text(t.parentTraceId()).int4(t.step()).text(t.inputText())
                    .text(t.outputText()).jsonb(t.tags()).int8(t.contentHash()).timestamptz(receivedAt);
        }
        return rows.finish();
    }

    private static void copy(Connection c, String sql, byte[] rows) throws SQLException {
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, CopyBinary.stream(rows));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), "08000", e);
        }
    }

    /** Stores feedback events once each (a redelivery changes nothing); merged by {@link #applyPendingFeedback}. */
    public static void insertFeedback(Connection c, List<FeedbackRow> feedback, Instant receivedAt)
            throws SQLException {
        if (feedback.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_FEEDBACK)) {
            for (FeedbackRow f : feedback) {
                ps.setLong(1, f.eventHash());
                ps.setString(2, f.traceId());
                ps.setString(3, f.task());
                ps.setTimestamp(4, Timestamp.from(f.occurredAt()));
                ps.setString(5, f.feedback());
                ps.setObject(6, f.escalated(), Types.BOOLEAN);
                ps.setObject(7, f.quality(), Types.DOUBLE);
                ps.setString(8, f.label());
                ps.setTimestamp(9, Timestamp.from(receivedAt));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The outcome fields a trace's effective quality and failure state depend on. */
    public record Outcome(String status, Double quality, boolean escalated, boolean negative, boolean schemaValid,
                          boolean fallback) {
    }

    /**
     * A stored trace whose outcome feedback changed: where it counts (task, category, deployment, when), its
     * outcome before and after, and the attributes its cohorts are read from.
     */
    public record OutcomeChange(String task, String category, String deploymentKind, String provider, String model,
                                Instant occurredAt, Outcome before, Outcome after, Integer contextTokens,
                                Integer inputTokens, Integer step, String modelVersion,
                                java.util.SortedMap<String, String> tags) {
    }

    /**
     * Merges the held feedback of {@code traceIds} whose traces are stored, field by field (the value with
     * the latest occurred_at wins; the trace's own values count as of its occurred_at), so the outcome does
     * not depend on arrival order; marks it applied.
     *
     * @return each trace's outcome change, for the rollups to move it from the old outcome to the new one
     */
    public static List<OutcomeChange> applyPendingFeedback(Connection c, Set<String> traceIds, Instant now)
            throws SQLException {
        if (traceIds.isEmpty()) {
            return List.of();
        }
        // usually nothing is held: one look at the partial index spares probing it with every trace_id
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(ANY_HELD)) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return List.of();
            }
        }
        List<Long> hashes = new ArrayList<>();
        List<Timestamp> traceTimes = new ArrayList<>();
        List<String> traceIdsByHash = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PENDING_FOR)) {
            Array ids = c.createArrayOf("text", traceIds.toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hashes.add(rs.getLong(1));
                    traceTimes.add(rs.getTimestamp(2));
                    traceIdsByHash.add(rs.getString(3));
                }
            }
        }
        if (hashes.isEmpty()) {
            return List.of();
        }
        List<OutcomeChange> changes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(MERGE_FEEDBACK)) {
            for (int i = 0; i < hashes.size(); i++) {
                ps.setString(1, traceIdsByHash.get(i));
                ps.setTimestamp(2, traceTimes.get(i));
                ps.setLong(3, hashes.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String status = rs.getString(7);
                        boolean schemaValid = rs.getBoolean(11);
                        boolean fallback = rs.getBoolean(12);
                        Outcome before = new Outcome(status, doubleOrNull(rs, 8), rs.getBoolean(9),
                                "negative".equals(rs.getString(10)), schemaValid, fallback);
                        Outcome after = new Outcome(status, doubleOrNull(rs, 13), rs.getBoolean(14),
                                "negative".equals(rs.getString(15)), schemaValid, fallback);
                        changes.add(new OutcomeChange(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getTimestamp(6).toInstant(), before, after,
                                intOrNull(rs, 16), intOrNull(rs, 17), intOrNull(rs, 18), rs.getString(19), tags(rs)));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(MARK_APPLIED)) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setArray(2, c.createArrayOf("bigint", hashes.toArray()));
            ps.executeUpdate();
        }
        return changes;
    }

    private static Integer intOrNull(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }

    private static java.util.SortedMap<String, String> tags(ResultSet rs) throws SQLException {
        String[] keys = (String[]) rs.getArray(20).getArray();
        String[] values = (String[]) rs.getArray(21).getArray();
        java.util.SortedMap<String, String> tags = new java.util.TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            tags.put(keys[i], values[i]);
        }
        return tags;
    }

    private static Double doubleOrNull(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }
}
