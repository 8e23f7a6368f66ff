package io.tailaudit.server.alerts;

import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The history and the outbox: a cycle's changes become {@code alert_event} rows and their notifications
 * {@code alert_notification} rows, rendered per channel and group, in the transaction that records the
 * changes; {@link NotificationSender} delivers the outbox.
 */
@ApplicationScoped
class AlertOutbox {

    private final AlertStore store;
    private final NotificationRenderer renderer;

    AlertOutbox(AlertStore store, NotificationRenderer renderer) {
        this.store = store;
        this.renderer = renderer;
    }

    /** Records the changes as events and queues their notifications; returns the notifications queued. */
    int record(Connection c, List<AlertStates.Change> changes, Instant now) throws SQLException {
        return enqueue(c, changes, insertEvents(c, changes, now), now);
    }

    private static List<Long> insertEvents(Connection c, List<AlertStates.Change> changes, Instant now) throws SQLException {
        List<Long> ids = new ArrayList<>();
        if (changes.isEmpty()) {
            return ids;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO alert_event (rule_id, rule_name, metric, subject, severity, kind, at, value, low, high,
                                         threshold, summary, link, silenced, fingerprint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")) {
            for (AlertStates.Change ch : changes) {
                AlertRule r = ch.rule();
                Observation o = ch.o();
                ps.setLong(1, r.id());
                ps.setString(2, r.name());
                ps.setString(3, r.metric().code);
                ps.setString(4, o.subject());
                ps.setString(5, r.severity());
                ps.setString(6, ch.kind());
                ps.setTimestamp(7, Timestamp.from(now));
                AlertStore.setDouble(ps, 8, o.value());
                AlertStore.setDouble(ps, 9, o.low());
                AlertStore.setDouble(ps, 10, o.high());
                AlertStore.setDouble(ps, 11, o.threshold());
                ps.setString(12, o.summary());
                ps.setString(13, o.link());
                ps.setBoolean(14, ch.silenced());
                ps.setString(15, fingerprint(r.id(), o.subject()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Renders and queues the notifications of this cycle's changes: one request per channel and group. */
    private int enqueue(Connection c, List<AlertStates.Change> changes, List<Long> ids, Instant now) throws SQLException {
        List<NotificationRenderer.Alert> alerts = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            AlertStates.Change ch = changes.get(i);
            if (ch.send()) {
                alerts.add(new NotificationRenderer.Alert(ids.get(i), ch.rule(), ch.o().subject(), ch.o().category(),
                        ch.kind(), ch.startsAt(), now, ch.o().value(), ch.o().low(), ch.o().high(), ch.o().threshold(),
                        ch.o().summary(), ch.o().link(), fingerprint(ch.rule().id(), ch.o().subject())));
            }
        }
        if (alerts.isEmpty()) {
            return 0;
        }
        int queued = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO alert_notification (channel_id, event_ids, body, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?)""")) {
            for (AlertStore.ChannelSecret ch : store.channelsWithSecrets(c, true)) {
                List<NotificationRenderer.Alert> mine = alerts.stream().filter(a -> AlertRule.rank(a.rule().severity())
                        <= AlertRule.rank(ch.channel().minSeverity())).toList();
                for (NotificationRenderer.Rendered r : renderer.render(ch, mine)) {
                    ps.setLong(1, ch.channel().id());
                    ps.setArray(2, c.createArrayOf("bigint", r.eventIds().toArray()));
                    ps.setString(3, r.body());
                    ps.setTimestamp(4, Timestamp.from(now));
                    ps.setTimestamp(5, Timestamp.from(now));
                    ps.addBatch();
                    queued++;
                }
            }
            if (queued > 0) {
                ps.executeBatch();
            }
        }
        return queued;
    }

    /** Stable per rule x subject: PagerDuty's dedup key, Alertmanager's identity, the webhook's fingerprint. */
    static String fingerprint(long rule, String subject) {
        String s = "tailaudit/rule-" + rule + (subject.isEmpty() ? "" : "/" + subject);
        return s.length() > 255 ? s.substring(0, 255) : s;
    }
}
