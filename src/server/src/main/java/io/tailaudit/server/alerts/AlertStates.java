package io.tailaudit.server.alerts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The states of rule x subject ({@code alert_state}): pending until the rule's {@code for} has passed,
 * firing until the reading clears, then gone; the state machine that moves one of them on a reading, and
 * the batched writes of a cycle's moves. A move worth an event is a {@link Change}.
 */
final class AlertStates {

    private AlertStates() {
    }

    /** A state change worth an event, before it has an id. */
    record Change(AlertRule rule, Observation o, String kind, Instant startsAt, boolean silenced, boolean send) {
    }

    /** The state machine of one rule x subject; records what changed. */
    static void step(StateWrites c, AlertRule rule, Observation o, State s, boolean silenced, Instant now,
                      List<Change> changes) throws SQLException {
        Duration forDuration = Duration.ofSeconds(rule.forSeconds());
        if (s == null) {
            if (!o.holds()) {
                return;
            }
            if (rule.forSeconds() == 0) {
                c.insert(rule, o, now, true, !silenced);
                changes.add(new Change(rule, o, "firing", now, silenced, !silenced));
            } else {
                c.insert(rule, o, now, false, false);
            }
            return;
        }
        if (!s.firing) {
            if (!o.holds()) {
                c.delete(rule.id(), o.subject());       // stopped holding before its for: nothing happened
            } else if (!s.pendingSince.plus(forDuration).isAfter(now)) {
                c.update(rule, o, true, now, !silenced, silenced ? null : now);
                changes.add(new Change(rule, o, "firing", now, silenced, !silenced));
            }
            return;       // still pending: the row keeps the reading that started it
        }
        if (o.clears()) {
            c.delete(rule.id(), o.subject());
            // a receiver that was told it fires is told it resolved, silence or not
            changes.add(new Change(rule, o, "resolved", s.firingSince, silenced, s.notified));
        } else if (!s.notified && !silenced) {
            // the silence that kept it quiet ended while it still fires
            c.update(rule, o, true, s.firingSince, true, now);
            changes.add(new Change(rule, o, "firing", s.firingSince, false, true));
        } else if (s.notified && !silenced && s.lastNotifiedAt != null
                && !s.lastNotifiedAt.plusSeconds(rule.repeatSeconds()).isAfter(now)) {
            c.update(rule, o, true, s.firingSince, true, now);
            changes.add(new Change(rule, o, "repeat", s.firingSince, false, true));
        }
        // still firing, nothing to send: the row keeps the reading of its last notification
    }

    static final class State {
        long ruleId;
        String subject;
        boolean firing;
        Instant pendingSince;
        Instant firingSince;
        boolean notified;
        Instant lastNotifiedAt;
        String summary;
    }

    static String key(long rule, String subject) {
        return rule + "\u0000" + subject;
    }

    static Map<String, State> load(Connection c) throws SQLException {
        Map<String, State> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT rule_id, subject, firing, pending_since, firing_since,"
                + " notified, last_notified_at, summary FROM alert_state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                State s = new State();
                s.ruleId = rs.getLong(1);
                s.subject = rs.getString(2);
                s.firing = rs.getBoolean(3);
                s.pendingSince = rs.getTimestamp(4).toInstant();
                s.firingSince = instant(rs.getTimestamp(5));
                s.notified = rs.getBoolean(6);
                s.lastNotifiedAt = instant(rs.getTimestamp(7));
                s.summary = rs.getString(8);
                out.put(key(s.ruleId, s.subject), s);
            }
        }
        return out;
    }

    /** The cycle's state changes, written in three batches once every rule is evaluated. */
    static final class StateWrites implements AutoCloseable {

        private final PreparedStatement insert;
        private final PreparedStatement update;
        private final PreparedStatement delete;

        StateWrites(Connection c) throws SQLException {
            insert = c.prepareStatement("""
                    INSERT INTO alert_state (rule_id, subject, firing, pending_since, firing_since, notified,
                                             last_notified_at, value, low, high, summary, verdict)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
            update = c.prepareStatement("""
                    UPDATE alert_state SET firing = ?, firing_since = ?, notified = ?, last_notified_at = ?, value = ?,
                           low = ?, high = ?, summary = ?, verdict = ?
                     WHERE rule_id = ? AND subject = ?""");
            delete = c.prepareStatement("DELETE FROM alert_state WHERE rule_id = ? AND subject = ?");
        }

        void insert(AlertRule rule, Observation o, Instant now, boolean firing, boolean notified)
                throws SQLException {
            insert.setLong(1, rule.id());
            insert.setString(2, o.subject());
            insert.setBoolean(3, firing);
            insert.setTimestamp(4, Timestamp.from(now));
            insert.setTimestamp(5, firing ? Timestamp.from(now) : null);
            insert.setBoolean(6, notified);
            insert.setTimestamp(7, notified ? Timestamp.from(now) : null);
            AlertStore.setDouble(insert, 8, o.value());
            AlertStore.setDouble(insert, 9, o.low());
            AlertStore.setDouble(insert, 10, o.high());
            insert.setString(11, o.summary());
            insert.setString(12, o.verdict());
            insert.addBatch();
        }

        void update(AlertRule rule, Observation o, boolean firing, Instant firingSince, boolean notified,
                    Instant lastNotifiedAt) throws SQLException {
            update.setBoolean(1, firing);
            update.setTimestamp(2, firingSince == null ? null : Timestamp.from(firingSince));
            update.setBoolean(3, notified);
            update.setTimestamp(4, lastNotifiedAt == null ? null : Timestamp.from(lastNotifiedAt));
            AlertStore.setDouble(update, 5, o.value());
            AlertStore.setDouble(update, 6, o.low());
            AlertStore.setDouble(update, 7, o.high());
            update.setString(8, o.summary());
            update.setString(9, o.verdict());
            update.setLong(10, rule.id());
            update.setString(11, o.subject());
            update.addBatch();
        }

        void delete(long rule, String subject) throws SQLException {
            delete.setLong(1, rule);
            delete.setString(2, subject);
            delete.addBatch();
        }

        void flush() throws SQLException {
            insert.executeBatch();
            update.executeBatch();
            delete.executeBatch();
        }

        @Override
        public void close() throws SQLException {
            insert.close();
            update.close();
            delete.close();
        }
    }

    /** Alerts firing now, per severity. */
    static Map<String, Integer> firingBySeverity(Connection c) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.severity, count(*) FROM alert_state s"
                + " JOIN alert_rule r ON r.id = s.rule_id WHERE s.firing GROUP BY r.severity");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
