package io.tailaudit.server.alerts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.db.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers the outbox. Each due notification is claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas
 * never send the same one, POSTed, and marked delivered on a 2xx; otherwise it is retried with a doubling
 * backoff ({@code first-retry}, then doubling up to {@code max-retry-backoff}) until a receiver accepts it or
 * {@code give-up-after} passes. A receiver that is down loses nothing: the notification waits in the table.
 */
@ApplicationScoped
class NotificationSender {

    private static final Logger LOG = Logger.getLogger(NotificationSender.class);
    private static final int CLAIM = 20;
    /** The webhook's signature header: {@code sha256=} and the hex HMAC-SHA256 of the body under the secret. */
    public static final String SIGNATURE_HEADER = "X-TailAudit-Signature";

    private final DataSource dataSource;
    private final AlertsConfig config;
    private final MeterRegistry registry;
    private final ReceiverClient receivers;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean stopping;

    private final java.time.Clock clock;

    NotificationSender(DataSource dataSource, AlertsConfig config, MeterRegistry registry, ReceiverClient receivers,
                       java.time.Clock clock) {
        this.clock = clock;
        this.dataSource = dataSource;
        this.config = config;
        this.registry = registry;
        this.receivers = receivers;
        for (String kind : ChannelInput.KINDS) {
            for (String outcome : java.util.List.of("delivered", "failed")) {
                count(kind, outcome, 0);
            }
        }
        count("any", "expired", 0);
        Gauge.builder("tailaudit.notifications.pending", pending, AtomicLong::get)
                .description("Notifications waiting to be delivered (after the sender's last look)").register(registry);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "{tailaudit.alerts.deliver-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        if (!config.enabled()) {
            return;
        }
        try {
            int sent;
            do {
                sent = deliverDue();
            } while (sent == CLAIM && !stopping);
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.warnf("notification delivery failed, next run retries: %s", e.getMessage());
            }
        }
    }

    /**
     * Attempts up to {@value #CLAIM} due notifications once each, one transaction apiece, so a receiver's
     * answer is recorded as soon as it is known; returns how many it attempted.
     */
    public int deliverDue() {
        try (Connection c = dataSource.getConnection()) {
            expire(c);
            c.setAutoCommit(false);
            int attempted = 0;
            try {
                while (attempted < CLAIM && !stopping && deliverOne(c)) {
                    attempted++;
                }
                c.setAutoCommit(true);
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM alert_notification WHERE status = 'pending'");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    pending.set(rs.getLong(1));
                }
            } catch (SQLException | RuntimeException e) {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                throw e;
            }
            return attempted;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Claims the oldest due notification, sends it and records the outcome; false when none is due. */
    private boolean deliverOne(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT n.id, n.body, n.attempts, ch.kind, ch.url, ch.secret, ch.name
                  FROM alert_notification n JOIN alert_channel ch ON ch.id = n.channel_id
                 WHERE n.status = 'pending' AND n.next_attempt_at <= now()
                 ORDER BY n.next_attempt_at, n.id LIMIT 1 FOR UPDATE OF n SKIP LOCKED""");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                c.commit();
                return false;
            }
            String error;
            try {
                error = send(rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(2));
            } catch (RuntimeException e) {
                error = "not sent: " + e.getMessage();
            }
            record(c, rs.getLong(1), rs.getInt(3) + 1, error);
            c.commit();
            count(rs.getString(4), error == null ? "delivered" : "failed", 1);
            if (error != null) {
                LOG.infof("notification not delivered, will retry id=%d channel=%s error=%s", rs.getLong(1),
                        rs.getString(7), error);
            }
            return true;
        }
    }

    /** POSTs the body; null when the receiver accepted it (2xx), else what went wrong. */
    String send(String kind, String url, String secret, String body) {
        String target = "alertmanager".equals(kind) ? url.trim().replaceAll("/+$", "") + "/api/v2/alerts" : url;
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "TailAudit");
        if ("webhook".equals(kind) && secret != null && !secret.isEmpty()) {
            headers.put(SIGNATURE_HEADER, "sha256=" + hmac(secret, body));
        }
        return receivers.post(target, headers, body);
    }

    /** Hex HMAC-SHA256 of the UTF-8 body under the UTF-8 secret, as the signature header carries it. */
    public static String hmac(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private void record(Connection c, long id, int attempts, String error) throws SQLException {
        if (error == null) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE alert_notification SET status = 'delivered',"
                    + " attempts = ?, delivered_at = now(), last_error = NULL WHERE id = ?")) {
                ps.setInt(1, attempts);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            return;
        }
        Duration backoff = config.firstRetry().multipliedBy(1L << Math.min(attempts - 1, 20));
        if (backoff.compareTo(config.maxRetryBackoff()) > 0) {
            backoff = config.maxRetryBackoff();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE alert_notification SET attempts = ?,"
                + " next_attempt_at = ?, last_error = ? WHERE id = ?")) {
            ps.setInt(1, attempts);
            ps.setTimestamp(2, Timestamp.from(clock.instant().plus(backoff)));
            ps.setString(3, error.length() > 500 ? error.substring(0, 500) : error);
            ps.setLong(4, id);
            ps.executeUpdate();
        }
    }

    private void expire(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE alert_notification SET status = 'expired'"
                + " WHERE status = 'pending' AND created_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant().minus(config.giveUpAfter())));
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.warnf("notifications expired undelivered after %s count=%d", config.giveUpAfter(), n);
                count("any", "expired", n);
            }
        }
    }

    private void count(String kind, String outcome, double n) {
        outcomes.computeIfAbsent(kind + "/" + outcome, k -> Counter.builder("tailaudit.notifications")
                .tag("channel_kind", kind).tag("outcome", outcome)
                .description("Notification attempts by channel kind and outcome (expired: gave up)")
                .register(registry)).increment(n);
    }
}
