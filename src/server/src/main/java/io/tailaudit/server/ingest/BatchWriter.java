package io.tailaudit.server.ingest;

import io.tailaudit.server.rollup.CohortValues;
import io.tailaudit.server.rollup.RollupBatch;
import io.tailaudit.server.rollup.RollupKey;
import io.tailaudit.server.rollup.RollupWriter;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Array;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Writes one polled batch inside the caller's transaction: traces by COPY straight into {@code trace_key}
 * and {@code trace}, the per-task daily counts, then feedback (stored once, merged into its trace when the
 * trace is there), then the batch's dead letters. Every step is idempotent, so a replayed batch changes
 * nothing.
 *
 * <p>Traces are written optimistically: the record key is the trace_id, so one consumer owns a given id
 * and a batch normally holds only new ids. A redelivered or reused id makes the COPY into
 * {@code trace_key} fail on its primary key; the writer then rolls back to a savepoint, looks the batch's
 * ids up, skips the redeliveries (same content hash) and rejects the conflicts (other content).
 */
final class BatchWriter {

    static final String COLUMNS = "trace_id, occurred_at, task, category, service, deployment_kind, provider, model, "
            + "model_version, quantization, region, latency_ms, ttft_ms, input_tokens, output_tokens, context_tokens, "
            + "cost_usd, status, error_type, quality, feedback, escalated, fallback, retries, schema_valid, "
            + "session_id, parent_trace_id, step, input_text, output_text, tags, content_hash, received_at";

    private static final String COPY_KEYS = "COPY trace_key (trace_id, occurred_at, content_hash) FROM STDIN";

    private static final String COPY_TRACES = "COPY trace (" + COLUMNS + ") FROM STDIN";

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

    private static final String INSERT_DEAD_LETTER = """
            INSERT INTO dead_letter (source_topic, source_partition, source_offset, record_key, reason, json_path,
                                     detail, payload_preview, payload_bytes, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING""";

    private static final int PREVIEW_CHARS = 2048;
    private static final int PREVIEW_READ_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(BatchWriter.class);

    private final TextRedactor redactor;
    private final CohortValues cohorts;
    /** Builds a batch's rollups while the writer streams its COPY; idle otherwise. */
    private final Executor rollupBuilder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tailaudit-rollup-builder");
        t.setDaemon(true);
        return t;
    });

    BatchWriter(TextRedactor redactor, CohortValues cohorts) {
        this.redactor = redactor;
        this.cohorts = cohorts;
    }

    /**
     * A batch's traces with their COPY text, built while the previous batch is being stored so the
     * write itself only streams it. {@code receivedAt} is when ingest read them.
     */
    record TracePayload(List<IncomingRecord> traces, Instant receivedAt, String keyRows, String traceRows) {

        TracePayload {
            traces = List.copyOf(traces);
        }

        static TracePayload of(List<IncomingRecord> traces, Instant receivedAt) {
            return new TracePayload(traces, receivedAt, BatchWriter.keyRows(traces),
                    BatchWriter.traceRows(traces, receivedAt));
        }
    }

    /**
     * Writes the batch on {@code c} (auto-commit off); the caller commits. Traces must be unique by
     * trace_id within the batch; {@code rejected} records carry a {@link Rejection}. Returns the trace
     * records that reused a stored id with other content, now dead letters too.
     */
    List<IncomingRecord> write(Connection c, TracePayload payload, List<IncomingRecord> feedback,
                 List<IncomingRecord> rejected, Instant receivedAt) throws SQLException {
        try {
            return writeAll(c, payload, feedback, rejected, receivedAt);
        } catch (SQLException | RuntimeException e) {
            cohorts.discard();
            throw e;
        }
    }

    private List<IncomingRecord> writeAll(Connection c, TracePayload payload, List<IncomingRecord> feedback,
                 List<IncomingRecord> rejected, Instant receivedAt) throws SQLException {
        List<IncomingRecord> traces = payload.traces();
        RollupBatch rollups = new RollupBatch();
        long t0 = System.nanoTime();
        List<IncomingRecord> conflicts = traces.isEmpty() ? List.of() : writeTraces(c, payload, rollups);
        long t1 = System.nanoTime();
        Set<String> touched = new HashSet<>();
        traces.forEach(r -> touched.add(((TraceRow) r.event()).traceId()));
        if (!feedback.isEmpty()) {
            insertFeedback(c, feedback, receivedAt);
            feedback.forEach(r -> touched.add(((FeedbackRow) r.event()).traceId()));
        }
        // feedback corrections in a batch of their own: the traces' rollups were encoded as they were built
        RollupBatch corrections = new RollupBatch();
        if (!touched.isEmpty()) {
            applyPendingFeedback(c, touched, receivedAt, corrections);
        }
        RollupWriter.append(c, receivedAt, rollups, corrections);
        cohorts.save(c);
        long t2 = System.nanoTime();
        List<IncomingRecord> dead = new ArrayList<>(rejected);
        dead.addAll(conflicts);
        if (!dead.isEmpty()) {
            insertDeadLetters(c, dead, receivedAt);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("batch written traces=%d feedback=%d dead=%d traces_ms=%.1f feedback_ms=%.1f dead_ms=%.1f",
                    traces.size(), feedback.size(), dead.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    (System.nanoTime() - t2) / 1e6);
        }
        return conflicts;
    }

    private List<IncomingRecord> writeTraces(Connection c, TracePayload payload, RollupBatch rollups) throws SQLException {
        List<IncomingRecord> traces = payload.traces();
        Savepoint beforeKeys = c.setSavepoint();
        try {
            long t0 = System.nanoTime();
            copy(c, COPY_KEYS, payload.keyRows());
            c.releaseSavepoint(beforeKeys);
            long t1 = System.nanoTime();
            insertNew(c, traces, payload.traceRows(), rollups);
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
        // some ids were stored before: a redelivery (same content) changes nothing, a reuse is rejected
        Map<String, Long> stored = storedHashes(c, traces);
        List<IncomingRecord> fresh = new ArrayList<>(traces.size());
        List<IncomingRecord> conflicts = new ArrayList<>();
        for (IncomingRecord r : traces) {
            TraceRow t = (TraceRow) r.event();
            Long hash = stored.get(t.traceId());
            if (hash == null) {
                fresh.add(r);
            } else if (hash != t.contentHash()) {
                conflicts.add(r.withEvent(new Rejection(Rejection.DUPLICATE_TRACE_ID_CONFLICT, "$.trace_id",
                        "trace_id was already stored with different content; the first version stands")));
            }
        }
        if (!fresh.isEmpty()) {
            TracePayload rest = TracePayload.of(fresh, payload.receivedAt());
            copy(c, COPY_KEYS, rest.keyRows());
            insertNew(c, fresh, rest.traceRows(), rollups);
        }
        return conflicts;
    }

    /**
     * COPYs the new traces and counts them per task and day; meanwhile another thread adds them to the
     * batch's rollups, so that work overlaps PostgreSQL's processing of the COPY instead of following it.
     */
    private void insertNew(Connection c, List<IncomingRecord> traces, String traceRows, RollupBatch rollups)
            throws SQLException {
        // the builder must not touch the connection: read the cohort values of tasks not seen yet first
        cohorts.load(c, traces.stream().map(r -> ((TraceRow) r.event()).task()).distinct().toList());
        CompletableFuture<Void> built = CompletableFuture.runAsync(() -> {
            addTraces(traces, rollups);
            rollups.encode();
        }, rollupBuilder);
        try {
            copy(c, COPY_TRACES, traceRows);
            countDaily(c, traces);
        } finally {
            // the rollups and cohort values are this thread's again only once the builder is done
            try {
                built.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        }
    }

    private void addTraces(List<IncomingRecord> traces, RollupBatch rollups) {
        for (IncomingRecord r : traces) {
            TraceRow t = (TraceRow) r.event();
            rollups.addTrace(RollupKey.of(t.task(), t.deploymentKind(), t.provider(), t.model(), t.occurredAt()),
                    t.category(), cohorts.of(t.task(), t.contextTokens(), t.inputTokens(), t.step(),
                            t.modelVersion(), t.tags()), new RollupBatch.Outcome(t.status(), t.quality(), t.escalated(),
                            "negative".equals(t.feedback()), t.schemaValid(), t.fallback()),
                    t.latencyMs(), t.inputTokens(), t.outputTokens(), t.costUsd());
        }
    }

    private static void countDaily(Connection c, List<IncomingRecord> traces) throws SQLException {
        Map<List<Object>, Long> daily = new HashMap<>();
        for (IncomingRecord r : traces) {
            TraceRow t = (TraceRow) r.event();
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

    private static Map<String, Long> storedHashes(Connection c, List<IncomingRecord> traces) throws SQLException {
        Map<String, Long> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(STORED)) {
            ps.setArray(1, c.createArrayOf("text", traces.stream().map(r -> ((TraceRow) r.event()).traceId()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return stored;
    }

    private static String keyRows(List<IncomingRecord> traces) {
        StringBuilder sb = new StringBuilder(traces.size() * 64);
        CopyText row = new CopyText(sb);
        for (IncomingRecord r : traces) {
            TraceRow t = (TraceRow) r.event();
            row.add(t.traceId()).add(t.occurredAt()).add(t.contentHash());
            row.endRow();
        }
        return sb.toString();
    }

    private static String traceRows(List<IncomingRecord> traces, Instant receivedAt) {
        StringBuilder sb = new StringBuilder(traces.size() * 360);
        CopyText row = new CopyText(sb);
        for (IncomingRecord r : traces) {
            TraceRow t = (TraceRow) r.event();
            row.add(t.traceId()).add(t.occurredAt()).add(t.task()).add(t.category()).add(t.service())
                    .add(t.deploymentKind()).add(t.provider()).add(t.model()).add(t.modelVersion())
                    .add(t.quantization()).add(t.region()).add(t.latencyMs()).add(t.ttftMs()).add(t.inputTokens())
                    .add(t.outputTokens()).add(t.contextTokens()).add(t.costUsd()).add(t.status()).add(t.errorType())
                    .add(t.quality()).add(t.feedback()).add(t.escalated()).add(t.fallback()).add(t.retries())
                    .add(t.schemaValid()).add(t.sessionId()).add(t.parentTraceId()).add(t.step()).add(t.inputText())
                    .add(t.outputText()).addJson(t.tags()).add(t.contentHash()).add(receivedAt);
            row.endRow();
        }
        return sb.toString();
    }

    private static void copy(Connection c, String sql, String rows) throws SQLException {
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(rows));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), "08000", e);
        }
    }

    private static void insertFeedback(Connection c, List<IncomingRecord> feedback, Instant receivedAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_FEEDBACK)) {
            for (IncomingRecord r : feedback) {
                FeedbackRow f = (FeedbackRow) r.event();
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

    private void applyPendingFeedback(Connection c, Set<String> traceIds, Instant now, RollupBatch rollups)
            throws SQLException {
        // usually nothing is held: one look at the partial index spares probing it with every trace_id
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(ANY_HELD)) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return;
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
            return;
        }
        // field by field, the value with the latest occurred_at wins (the trace's own values count as of its
        // occurred_at), so the outcome does not depend on arrival order; the rollup moves the trace from its
        // old outcome to its new one
        try (PreparedStatement ps = c.prepareStatement(MERGE_FEEDBACK)) {
            for (int i = 0; i < hashes.size(); i++) {
                ps.setString(1, traceIdsByHash.get(i));
                ps.setTimestamp(2, traceTimes.get(i));
                ps.setLong(3, hashes.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        RollupKey key = RollupKey.of(rs.getString(1), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getTimestamp(6).toInstant());
                        String status = rs.getString(7);
                        boolean schemaValid = rs.getBoolean(11);
                        boolean fallback = rs.getBoolean(12);
                        RollupBatch.Outcome before = new RollupBatch.Outcome(status, doubleOrNull(rs, 8),
                                rs.getBoolean(9), "negative".equals(rs.getString(10)), schemaValid, fallback);
                        RollupBatch.Outcome after = new RollupBatch.Outcome(status, doubleOrNull(rs, 13),
                                rs.getBoolean(14), "negative".equals(rs.getString(15)), schemaValid, fallback);
                        rollups.correct(key, rs.getString(2), cohorts.of(c, key.task(), intOrNull(rs, 16),
                                intOrNull(rs, 17), intOrNull(rs, 18), rs.getString(19), tags(rs)), before, after);
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(MARK_APPLIED)) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setArray(2, c.createArrayOf("bigint", hashes.toArray()));
            ps.executeUpdate();
        }
    }

    private void insertDeadLetters(Connection c, List<IncomingRecord> dead, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_DEAD_LETTER)) {
            for (IncomingRecord r : dead) {
                Rejection why = (Rejection) r.event();
                ps.setString(1, r.topic());
                ps.setInt(2, r.partition());
                ps.setLong(3, r.offset());
                // the key is the producer's choice, shown at /api/v1/dlq: redacted like any free text
                ps.setString(4, r.key() == null ? null : TextRedactor.redact(r.key().replace("\u0000", "")));
                ps.setString(5, why.reason());
                ps.setString(6, why.path());
                ps.setString(7, why.detail().replace("\u0000", ""));
                ps.setString(8, preview(r.value()));
                ps.setInt(9, r.value() == null ? 0 : r.value().length);
                ps.setTimestamp(10, Timestamp.from(receivedAt));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Redacted before it is cut, from at most 64 KB of the payload: enough context for any detector. */
    private String preview(byte[] value) {
        if (value == null) {
            return null;
        }
        String s = new String(value, 0, Math.min(value.length, PREVIEW_READ_BYTES), StandardCharsets.UTF_8);
        return redactor.prefix(s.replace("\u0000", ""), PREVIEW_CHARS);
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
