package io.tailaudit.server.trace;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;

/**
 * Drops feedback (trace's table: ingest stores it, the merge applies it) whose trace never arrived within the hold period, and counts it. Created at start-up, so
 * its counter is exported (at 0) before the first run, and dashboards and alerts see a series from the start.
 */
@Startup
@ApplicationScoped
public class FeedbackJanitor {

    private static final Logger LOG = Logger.getLogger(FeedbackJanitor.class);

    private final DataSource dataSource;
    private final java.time.Duration hold;
    private final Clock clock;
    private final Counter expired;

    private final boolean ingestRole;

    FeedbackJanitor(DataSource dataSource,
                    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "tailaudit.ingest.feedback-hold",
                            defaultValue = "7d") java.time.Duration hold, Clock clock, MeterRegistry registry,
                    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "tailaudit.ingest.enabled",
                            defaultValue = "true") boolean ingestRole) {
        this.dataSource = dataSource;
        this.ingestRole = ingestRole;
        this.hold = hold;
        this.clock = clock;
        this.expired = Counter.builder("tailaudit.feedback.expired")
                .description("Feedback dropped because its trace never arrived within the hold period")
                .register(registry);
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void dropExpired() throws SQLException {
        if (!ingestRole) {
            return;                  // the ingest role holds and applies feedback, and expires it
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "DELETE FROM feedback WHERE applied_at IS NULL AND received_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant().minus(hold)));
            int n = ps.executeUpdate();
            if (n > 0) {
                expired.increment(n);
                LOG.warnf("feedback dropped without its trace count=%d hold=%s", n, hold);
            }
        }
    }
}
