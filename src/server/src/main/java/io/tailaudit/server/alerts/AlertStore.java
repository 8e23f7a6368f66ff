package io.tailaudit.server.alerts;

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
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Rules, channels, silences, history and the outbox's delivery status, in PostgreSQL. */
@ApplicationScoped
public class AlertStore {

    private static final String RULE_COLUMNS = "id, name, metric, scope, scope_value, threshold, window_name,"
            + " for_seconds, hysteresis, severity, labels::text, runbook_url, repeat_seconds, enabled";
    private static final String CHANNEL_COLUMNS = "id, name, kind, url, secret, min_severity, enabled";
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() { };

    private final DataSource dataSource;
    private final ObjectMapper json;

    private final java.time.Clock clock;

    AlertStore(DataSource dataSource, ObjectMapper json, java.time.Clock clock) {
        this.clock = clock;
        this.dataSource = dataSource;
        this.json = json;
    }

    // ---- rules

    public List<AlertRule> rules() {
        try (Connection c = dataSource.getConnection()) {
            return rules(c, false);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    List<AlertRule> rules(Connection c, boolean enabledOnly) throws SQLException {
        List<AlertRule> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + RULE_COLUMNS + " FROM alert_rule"
                + (enabledOnly ? " WHERE enabled" : "") + " ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rule(rs));
            }
        }
        return out;
    }

    public Optional<AlertRule> rule(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + RULE_COLUMNS + " FROM alert_rule WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rule(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Stores a new rule, or replaces rule {@code id}; the input must be {@link RuleInput#problems valid}. */
    public AlertRule saveRule(Long id, RuleInput in) {
        String sql = id == null
                ? "INSERT INTO alert_rule (name, metric, scope, scope_value, threshold, window_name, for_seconds,"
                        + " hysteresis, severity, labels, runbook_url, repeat_seconds, enabled)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?) RETURNING " + RULE_COLUMNS
                : "UPDATE alert_rule SET name = ?, metric = ?, scope = ?, scope_value = ?, threshold = ?,"
                        + " window_name = ?, for_seconds = ?, hysteresis = ?, severity = ?, labels = ?::jsonb,"
                        + " runbook_url = ?, repeat_seconds = ?, enabled = ?, updated_at = now() WHERE id = ?"
                        + " RETURNING "
                        + RULE_COLUMNS;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            AlertMetric metric = AlertMetric.of(in.metric()).orElseThrow();
            ps.setString(1, in.name().trim());
            ps.setString(2, metric.code);
            ps.setString(3, in.effectiveScope());
            ps.setString(4, in.scopeValue());
            setDouble(ps, 5, in.threshold());
            ps.setString(6, in.window() == null ? "1h" : in.window());
            ps.setInt(7, in.forSeconds() == null ? 300 : in.forSeconds());
            ps.setDouble(8, in.hysteresis() == null ? 0.2 : in.hysteresis());
            ps.setString(9, in.severity() == null ? "warning" : in.severity());
            ps.setString(10, write(in.labels() == null ? Map.of() : in.labels()));
            ps.setString(11, in.runbookUrl());
            ps.setInt(12, in.repeatSeconds() == null ? 14_400 : in.repeatSeconds());
            ps.setBoolean(13, in.enabled() == null || in.enabled());
            if (id != null) {
                ps.setLong(14, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new java.util.NoSuchElementException("no rule " + id);
                }
                return rule(rs);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public boolean deleteRule(long id) {
        return delete("DELETE FROM alert_rule WHERE id = ?", id);
    }

    private AlertRule rule(ResultSet rs) throws SQLException {
        Map<String, String> labels;
        try {
            labels = new TreeMap<>(json.readValue(rs.getString(11), LABELS));
        } catch (JsonProcessingException e) {
            throw new SQLException("labels of rule " + rs.getLong(1) + " are not a JSON object of strings", e);
        }
        return new AlertRule(rs.getLong(1), rs.getString(2), AlertMetric.of(rs.getString(3)).orElseThrow(
                () -> new SQLException("unknown metric in the rules")), rs.getString(4), rs.getString(5),
                doubleOrNull(rs, 6), rs.getString(7), rs.getInt(8), rs.getDouble(9), rs.getString(10), labels,
                rs.getString(12), rs.getInt(13), rs.getBoolean(14));
    }

    // ---- channels

    public record Channel(long id, String name, String kind, String url, boolean hasSecret, String minSeverity,
                          boolean enabled) {

        /**
         * The channel as roles other than admin see it: the URL cut to its scheme and host
         * ({@code https://hooks.slack.com/...}), since a Slack or webhook URL is itself a credential.
         */
        public Channel masked() {
            return new Channel(id, name, kind, maskUrl(url), hasSecret, minSeverity, enabled);
        }

        static String maskUrl(String url) {
            try {
                java.net.URI uri = new java.net.URI(url.trim());
                if (uri.getScheme() != null && uri.getHost() != null) {
                    return uri.getScheme() + "://" + uri.getHost() + "/...";
                }
            } catch (java.net.URISyntaxException | RuntimeException e) {
                // below: nothing of an unreadable URL is shown
            }
            return "...";
        }
    }

    /** A channel with its secret, for the evaluator and the sender only. */
    record ChannelSecret(Channel channel, String secret) {
    }

    public List<Channel> channels() {
        try (Connection c = dataSource.getConnection()) {
            return channelsWithSecrets(c, false).stream().map(ChannelSecret::channel).toList();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    List<ChannelSecret> channelsWithSecrets(Connection c, boolean enabledOnly) throws SQLException {
        List<ChannelSecret> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CHANNEL_COLUMNS
                + " FROM alert_channel" + (enabledOnly ? " WHERE enabled" : "") + " ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(channel(rs));
            }
        }
        return out;
    }

    /** Stores a new channel, or replaces channel {@code id} (keeping its secret when none is given). */
    public Channel saveChannel(Long id, ChannelInput in) {
        String sql = id == null
                ? "INSERT INTO alert_channel (name, kind, url, secret, min_severity, enabled) VALUES (?, ?, ?, ?, ?, ?)"
                        + " RETURNING " + CHANNEL_COLUMNS
                : "UPDATE alert_channel SET name = ?, kind = ?, url = ?, secret = coalesce(?, secret),"
                        + " min_severity = ?, enabled = ?, updated_at = now() WHERE id = ?"
                        + " RETURNING " + CHANNEL_COLUMNS;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, in.name().trim());
            ps.setString(2, in.kind());
            ps.setString(3, in.url().trim());
            ps.setString(4, in.secret() == null || in.secret().isBlank() ? null : in.secret());
            ps.setString(5, in.minSeverity() == null ? "info" : in.minSeverity());
            ps.setBoolean(6, in.enabled() == null || in.enabled());
            if (id != null) {
                ps.setLong(7, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new java.util.NoSuchElementException("no channel " + id);
                }
                return channel(rs).channel();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private static ChannelSecret channel(ResultSet rs) throws SQLException {
        return new ChannelSecret(new Channel(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5) != null, rs.getString(6), rs.getBoolean(7)), rs.getString(5));
    }

    public boolean deleteChannel(long id) {
        return delete("DELETE FROM alert_channel WHERE id = ?", id);
    }

    // ---- silences

    public record Silence(long id, Long ruleId, String subject, Instant endsAt, String createdBy, String comment,
                          Instant createdAt) {

        boolean matches(long rule, String s, Instant now) {
            return endsAt.isAfter(now) && (ruleId == null || ruleId == rule) && (subject == null || subject.equals(s));
        }
    }

    /** Silences that have not ended, newest first. */
    public List<Silence> silences() {
        try (Connection c = dataSource.getConnection()) {
            return activeSilences(c, clock.instant());
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    List<Silence> activeSilences(Connection c, Instant now) throws SQLException {
        List<Silence> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, rule_id, subject, ends_at, created_by, comment,"
                + " created_at FROM alert_silence WHERE ends_at > ? ORDER BY id DESC")) {
            ps.setTimestamp(1, Timestamp.from(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long rule = rs.getLong(2);
                    out.add(new Silence(rs.getLong(1), rs.wasNull() ? null : rule, rs.getString(3),
                            rs.getTimestamp(4).toInstant(), rs.getString(5), rs.getString(6),
                            rs.getTimestamp(7).toInstant()));
                }
            }
        }
        return out;
    }

    public Silence addSilence(Long ruleId, String subject, Instant endsAt, String createdBy, String comment) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO alert_silence (rule_id, subject, ends_at, created_by, comment) VALUES (?, ?, ?, ?, ?)"
                        + " RETURNING id, created_at")) {
            if (ruleId == null) {
                ps.setNull(1, Types.BIGINT);
            } else {
                ps.setLong(1, ruleId);
            }
            ps.setString(2, subject);
            ps.setTimestamp(3, Timestamp.from(endsAt));
            ps.setString(4, createdBy);
            ps.setString(5, comment);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Silence(rs.getLong(1), ruleId, subject, endsAt, createdBy, comment,
                        rs.getTimestamp(2).toInstant());
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Ends a silence now. */
    public boolean endSilence(long id) {
        return delete("UPDATE alert_silence SET ends_at = least(ends_at, now()) WHERE id = ? AND ends_at > now()", id);
    }

    // ---- state, history and deliveries

    public record Active(long ruleId, String ruleName, String metric, String severity, String subject, boolean firing,
                         Instant pendingSince, Instant firingSince, boolean notified, Double value, Double low,
                         Double high, String summary) {
    }

    /** Alerts pending or firing, firing first. */
    public List<Active> active() {
        try {
            List<Active> out = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    SELECT s.rule_id, r.name, r.metric, r.severity, s.subject, s.firing, s.pending_since, s.firing_since,
                           s.notified, s.value, s.low, s.high, s.summary
                      FROM alert_state s JOIN alert_rule r ON r.id = s.rule_id
                     ORDER BY s.firing DESC, array_position(ARRAY['critical', 'warning', 'info'], r.severity),
                              s.pending_since""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Active(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getBoolean(6), rs.getTimestamp(7).toInstant(), instant(rs, 8), rs.getBoolean(9),
                            doubleOrNull(rs, 10), doubleOrNull(rs, 11), doubleOrNull(rs, 12), rs.getString(13)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public record Event(long id, Long ruleId, String ruleName, String metric, String subject, String severity,
                        String kind, Instant at, Double value, Double low, Double high, Double threshold,
                        String summary, String link, boolean silenced, String fingerprint) {
    }

    /** The newest events, before {@code beforeId} when given (keyset paging). */
    public List<Event> history(int limit, Long beforeId) {
        try {
            List<Event> out = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    SELECT id, rule_id, rule_name, metric, subject, severity, kind, at, value, low, high, threshold,
                           summary, link, silenced, fingerprint
                      FROM alert_event WHERE id < ? ORDER BY id DESC LIMIT ?""")) {
                ps.setLong(1, beforeId == null ? Long.MAX_VALUE : beforeId);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long rule = rs.getLong(2);
                        out.add(new Event(rs.getLong(1), rs.wasNull() ? null : rule, rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getTimestamp(8).toInstant(),
                                doubleOrNull(rs, 9), doubleOrNull(rs, 10), doubleOrNull(rs, 11), doubleOrNull(rs, 12),
                                rs.getString(13), rs.getString(14), rs.getBoolean(15), rs.getString(16)));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public record Delivery(long id, long channelId, String channel, String kind, List<Long> eventIds, String status,
                           int attempts, Instant createdAt, Instant nextAttemptAt, Instant deliveredAt,
                           String lastError) {

        /**
         * The delivery as roles other than admin see it: the last error cut to what failed ({@code HTTP 500},
         * {@code refused target}, {@code timed out after 10s}), without the receiver's words or addresses.
         */
        public Delivery summarised() {
            String summary = lastError == null ? null : lastError.split(":", 2)[0];
            return new Delivery(id, channelId, channel, kind, eventIds, status, attempts, createdAt, nextAttemptAt,
                    deliveredAt, summary);
        }
    }

    /** The newest notifications with their delivery status. */
    public List<Delivery> deliveries(int limit) {
        try {
            List<Delivery> out = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    SELECT n.id, n.channel_id, ch.name, ch.kind, n.event_ids, n.status, n.attempts, n.created_at,
                           n.next_attempt_at, n.delivered_at, n.last_error
                      FROM alert_notification n JOIN alert_channel ch ON ch.id = n.channel_id
                     ORDER BY n.id DESC LIMIT ?""")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Long[] ids = (Long[]) rs.getArray(5).getArray();
                        out.add(new Delivery(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                List.of(ids), rs.getString(6), rs.getInt(7), rs.getTimestamp(8).toInstant(),
                                rs.getTimestamp(9).toInstant(), instant(rs, 10), rs.getString(11)));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    // ---- helpers

    private boolean delete(String sql, long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null || v.isNaN()) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    static Double doubleOrNull(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i);
        return t == null ? null : t.toInstant();
    }
}
