package io.tailaudit.server.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tailaudit.server.db.StorageException;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads single traces and trace lists. These are the only reads of the {@code trace} table, and each goes
 * through an index: the (occurred_at, trace_id) key for unfiltered lists and lookups, (task, occurred_at)
 * for a task's list. Pages are keyset-paginated, never by offset. A list with neither a task nor a from
 * covers {@code default-list-window} before its to, so it reads a few day partitions, not all of them; every
 * statement is cancelled after {@code query-timeout}.
 */
@ApplicationScoped
public class TraceQueries {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() { };

    private static final String SELECT = """
            SELECT trace_id, occurred_at, task, category, service, deployment_kind, provider, model, model_version,
                   quantization, region, latency_ms, ttft_ms, input_tokens, output_tokens, context_tokens, cost_usd,
                   status, error_type, quality, feedback, escalated, label, fallback, retries, schema_valid,
                   session_id, parent_trace_id, step, tags::text,
                   (input_text IS NOT NULL OR output_text IS NOT NULL), received_at
            FROM trace""";

    // the default quality floor until task settings exist; see README "Metrics"
    private static final String FAILURE = "(status <> 'ok' OR escalated OR feedback = 'negative' OR NOT schema_valid"
            + " OR coalesce(quality, 1) < 0.5)";

    private final DataSource dataSource;
    private final java.time.Clock clock;
    private final java.time.Duration defaultWindow;
    private final int timeoutSeconds;

    TraceQueries(DataSource dataSource, java.time.Clock clock, TraceConfig config) {
        if (config.defaultListWindow().compareTo(java.time.Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("tailaudit.trace.default-list-window must be at least 1h, got "
                    + config.defaultListWindow());
        }
        if (config.queryTimeout().toSeconds() < 1) {
            throw new IllegalArgumentException("tailaudit.trace.query-timeout must be at least 1s, got "
                    + config.queryTimeout());
        }
        this.dataSource = dataSource;
        this.clock = clock;
        this.defaultWindow = config.defaultListWindow();
        this.timeoutSeconds = (int) Math.min(Integer.MAX_VALUE, config.queryTimeout().toSeconds());
    }

    /** A statement cancelled after the query timeout (the driver sends the cancel; the read answers 57014). */
    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    /** DESIGN's effective quality of a stored trace, in SQL. */
    public static final String EFFECTIVE_QUALITY = "LEAST(CASE WHEN status <> 'ok' THEN 0 ELSE coalesce(quality, 1) END,"
            + " CASE WHEN escalated OR feedback IS NOT DISTINCT FROM 'negative' OR NOT schema_valid THEN 0.25 ELSE 1 END)";

    /** A trace with its effective quality. */
    public record Ranked(double effectiveQuality, TraceSummary trace) {
    }

    /**
     * A task's traces in [from, to) with the lowest effective quality first (ties: newest first), through
     * the (task, occurred_at) index.
     */
    public List<Ranked> worst(String task, Instant from, Instant to, int limit) {
        try {
            String sql = SELECT.replace("\nFROM trace", ", " + EFFECTIVE_QUALITY + " AS qe\nFROM trace")
                    + " WHERE task = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY qe, occurred_at DESC, trace_id LIMIT ?";
            List<Ranked> out = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql)) {
                ps.setString(1, task);
                ps.setTimestamp(2, Timestamp.from(from));
                ps.setTimestamp(3, Timestamp.from(to));
                ps.setInt(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Ranked(rs.getDouble("qe"), row(rs, null)));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * {@link #list} keeping only traces whose tag {@code key} equals {@code value}: tags are not indexed, so
     * it reads pages of {@code f.limit()} until that many match or {@code maxPages} were read; the cursor
     * continues after the last page read.
     */
    public TracePage listTagged(TraceFilter f, String key, String value, int maxPages) {
        List<TraceSummary> items = new ArrayList<>();
        Optional<String> next = Optional.empty();
        Optional<Instant> bound = Optional.empty();
        TraceFilter page = f;
        for (int i = 0; i < maxPages && items.size() < f.limit(); i++) {
            TracePage p = list(page);
            if (bound.isEmpty()) {
                bound = p.defaultFrom();
            }
            for (TraceSummary t : p.items()) {
                if (value.equals(t.tags().get(key))) {
                    items.add(t);
                }
            }
            next = p.nextCursor();
            if (next.isEmpty()) {
                break;
            }
            page = new TraceFilter(f.task(), f.deploymentKind(), f.model(), f.status(), f.failuresOnly(), f.from(),
                    f.to(), next.map(TraceCursor::decode), f.limit());
        }
        return new TracePage(items, next, bound);
    }

    public TracePage list(TraceFilter f) {
        try {
            StringBuilder sql = new StringBuilder(SELECT).append(" WHERE true");
            List<Object> args = new ArrayList<>();
            Optional<Instant> defaultFrom = Optional.empty();
            if (f.task().isEmpty() && f.from().isEmpty()) {
                defaultFrom = Optional.of(f.to().orElse(clock.instant()).minus(defaultWindow));
                where(sql, args, " AND occurred_at >= ?", Timestamp.from(defaultFrom.get()));
            }
            f.task().ifPresent(v -> where(sql, args, " AND task = ?", v));
            f.deploymentKind().ifPresent(v -> where(sql, args, " AND deployment_kind = ?", v));
            f.model().ifPresent(v -> where(sql, args, " AND model = ?", v));
            f.status().ifPresent(v -> where(sql, args, " AND status = ?", v));
            if (f.failuresOnly()) {
                sql.append(" AND ").append(FAILURE);
            }
            f.from().ifPresent(v -> where(sql, args, " AND occurred_at >= ?", Timestamp.from(v)));
            f.to().ifPresent(v -> where(sql, args, " AND occurred_at < ?", Timestamp.from(v)));
            f.after().ifPresent(c -> {
                sql.append(" AND (occurred_at, trace_id) < (?, ?)");
                args.add(Timestamp.from(c.occurredAt()));
                args.add(c.traceId());
            });
            sql.append(" ORDER BY occurred_at DESC, trace_id DESC LIMIT ?");
            args.add(f.limit() + 1);
            List<TraceSummary> rows = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(row(rs, null));
                    }
                }
            }
            Optional<String> next = Optional.empty();
            if (rows.size() > f.limit()) {
                rows = rows.subList(0, f.limit());
                TraceSummary last = rows.get(rows.size() - 1);
                next = Optional.of(new TraceCursor(last.occurredAt(), last.traceId()).encode());
            }
            return new TracePage(rows, next, defaultFrom);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** A trace's prompt and output text (null where not stored); only for roles allowed to read text. */
    public record Text(String input, String output) {
    }

    public Text text(String traceId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, """
                SELECT t.input_text, t.output_text FROM trace_key k
                JOIN trace t ON t.occurred_at = k.occurred_at AND t.trace_id = k.trace_id WHERE k.trace_id = ?""")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new TraceNotFoundException(traceId);
                }
                return new Text(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * A trace's agent chain: the traces of its task within an hour either side that share its session,
     * name it as parent, are its parent or share its parent, in time order (through the (task, occurred_at) index), at most 50.
     */
    public List<TraceSummary> chain(TraceSummary t) {
        try {
            if (t.sessionId() == null && t.parentTraceId() == null && t.step() == null) {
                return List.of();
            }
            List<TraceSummary> out = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, SELECT
                    + " WHERE task = ? AND occurred_at >= ? AND occurred_at <= ?"
                    + " AND (session_id = ? OR parent_trace_id = ? OR trace_id = ? OR parent_trace_id = ?)"
                    + " ORDER BY occurred_at, trace_id LIMIT 50")) {
                ps.setString(1, t.task());
                ps.setTimestamp(2, Timestamp.from(t.occurredAt().minus(java.time.Duration.ofHours(1))));
                ps.setTimestamp(3, Timestamp.from(t.occurredAt().plus(java.time.Duration.ofHours(1))));
                ps.setString(4, t.sessionId());
                ps.setString(5, t.traceId());
                ps.setString(6, t.parentTraceId());
                ps.setString(7, t.parentTraceId());          // its siblings: the other steps of the same parent
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs, null));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The trace with its applied and pending feedback; throws {@link TraceNotFoundException}. */
    public TraceSummary get(String traceId) {
        try (Connection c = dataSource.getConnection()) {
            Timestamp at;
            try (PreparedStatement ps = prepare(c, "SELECT occurred_at FROM trace_key WHERE trace_id = ?")) {
                ps.setString(1, traceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new TraceNotFoundException(traceId);
                    }
                    at = rs.getTimestamp(1);
                }
            }
            List<TraceSummary.AppliedFeedback> feedback = feedback(c, traceId);
            try (PreparedStatement ps = prepare(c, SELECT + " WHERE occurred_at = ? AND trace_id = ?")) {
                ps.setTimestamp(1, at);
                ps.setString(2, traceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new TraceNotFoundException(traceId);
                    }
                    return row(rs, feedback);
                }
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private List<TraceSummary.AppliedFeedback> feedback(Connection c, String traceId) throws SQLException {
        List<TraceSummary.AppliedFeedback> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, """
                SELECT occurred_at, feedback, escalated, quality, label, received_at, applied_at
                FROM feedback WHERE trace_id = ? ORDER BY occurred_at""")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TraceSummary.AppliedFeedback(instant(rs, 1), rs.getString(2),
                            (Boolean) rs.getObject(3), doubleOrNull(rs, 4), rs.getString(5), instant(rs, 6),
                            instant(rs, 7)));
                }
            }
        }
        return out;
    }

    private static void where(StringBuilder sql, List<Object> args, String clause, Object value) {
        sql.append(clause);
        args.add(value);
    }

    private static TraceSummary row(ResultSet rs, List<TraceSummary.AppliedFeedback> feedback) throws SQLException {
        return new TraceSummary(rs.getString(1), instant(rs, 2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), rs.getDouble(12), doubleOrNull(rs, 13), intOrNull(rs, 14), intOrNull(rs, 15),
                intOrNull(rs, 16), doubleOrNull(rs, 17), rs.getString(18), rs.getString(19), doubleOrNull(rs, 20),
                rs.getString(21), rs.getBoolean(22), rs.getString(23), rs.getBoolean(24), intOrNull(rs, 25),
                rs.getBoolean(26), rs.getString(27), rs.getString(28), intOrNull(rs, 29), tags(rs.getString(30)),
                rs.getBoolean(31), instant(rs, 32), feedback);
    }

    private static Map<String, String> tags(String json) throws SQLException {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, TAGS);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored tags are not a JSON object", e);
        }
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }

    private static Double doubleOrNull(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }

    private static Integer intOrNull(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }

    /** The category the task's newest trace reports (one row through the (task, occurred_at) index). */
    public Optional<String> latestCategory(String task) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT category FROM trace WHERE task = ? ORDER BY occurred_at DESC LIMIT 1")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Each task's first trace, in one statement: the day from the daily counts, the instant from that day's
     * traces through the (task, occurred_at) index.
     */
    public Map<String, Instant> firstTraces() {
        Map<String, Instant> out = new java.util.TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, """
                SELECT d.task, coalesce((SELECT min(t.occurred_at) FROM trace t WHERE t.task = d.task
                                           AND t.occurred_at >= d.day AND t.occurred_at < d.day + interval '1 day'),
                                        d.day)
                  FROM (SELECT task, min(day)::timestamp AT TIME ZONE 'UTC' AS day
                          FROM task_volume_daily GROUP BY task) d""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getTimestamp(2).toInstant());
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Whether the task has a stored trace at or after {@code at} (one row through the (task, occurred_at) index). */
    public boolean anyAtOrAfter(String task, Instant at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM trace WHERE task = ? AND occurred_at >= ? LIMIT 1")) {
            ps.setString(1, task);
            ps.setTimestamp(2, Timestamp.from(at));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** A task's stored input texts in [from, to): how many there are, and up to {@code limit} of them. */
    public record InputSample(long total, List<Input> inputs) {
    }

    public record Input(String traceId, String text) {
    }

    /**
     * A uniform sample of a task's input texts in [from, to) (all of them when there are at most
     * {@code limit}): ordered by the traces' content hash, which no trace chooses, so the sample is the same
     * for the same traces.
     */
    public InputSample inputSample(String task, Instant from, Instant to, int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, """
                SELECT trace_id, input_text, count(*) OVER () FROM trace
                 WHERE task = ? AND occurred_at >= ? AND occurred_at < ? AND input_text IS NOT NULL
                 ORDER BY content_hash, trace_id LIMIT ?""")) {
            ps.setString(1, task);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            ps.setInt(4, limit);
            List<Input> inputs = new ArrayList<>();
            long total = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inputs.add(new Input(rs.getString(1), rs.getString(2)));
                    total = rs.getLong(3);
                }
            }
            return new InputSample(total, inputs);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** What the index holds of a stored trace: its filter fields and its redacted text. */
    public record Indexable(String traceId, Instant occurredAt, String task, String deploymentKind, String provider,
                            String model, String status, Map<String, String> tags, String input, String output) {
    }

    private static final String INDEXABLE = "SELECT t.trace_id, t.occurred_at, t.task, t.deployment_kind,"
            + " t.provider, t.model, t.status, t.tags::text, t.input_text, t.output_text FROM trace t";

    /** The stored traces of these ids (the first version each, as ingest stored it); ids not stored are left out. */
    public List<Indexable> indexable(java.util.Collection<String> traceIds) {
        if (traceIds.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, INDEXABLE
                + " JOIN trace_key k ON t.occurred_at = k.occurred_at AND t.trace_id = k.trace_id"
                + " WHERE k.trace_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", traceIds.toArray()));
            return indexable(ps);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Every stored trace after (at, id) in (occurred_at, trace_id) order, a page at a time: the index's rebuild. */
    public List<Indexable> indexableAfter(Instant at, String id, int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, INDEXABLE
                + " WHERE (t.occurred_at, t.trace_id) > (?, ?) ORDER BY t.occurred_at, t.trace_id LIMIT ?")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, id);
            ps.setInt(3, limit);
            return indexable(ps);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private static List<Indexable> indexable(PreparedStatement ps) throws SQLException {
        List<Indexable> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Indexable(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), tags(rs.getString(8)),
                        rs.getString(9), rs.getString(10)));
            }
        }
        return out;
    }
}
