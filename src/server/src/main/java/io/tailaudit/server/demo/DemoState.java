package io.tailaudit.server.demo;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** How far the demo generator has produced, in table demo_state. */
@ApplicationScoped
class DemoState {

    private static final Logger LOG = Logger.getLogger(DemoState.class);
    private static final String NAME = "generator";

    private final DataSource dataSource;

    DemoState(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Optional<Instant> generatedUntil() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT generated_until FROM demo_state WHERE name = ?")) {
            ps.setString(1, NAME);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
            }
        } catch (SQLException e) {
            LOG.warnf("demo state unreadable, starting from the full backfill: %s", e.getMessage());
            return Optional.empty();
        }
    }

    void save(Instant until) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO demo_state (name, generated_until) VALUES (?, ?)
                     ON CONFLICT (name) DO UPDATE SET generated_until = excluded.generated_until""")) {
            ps.setString(1, NAME);
            ps.setTimestamp(2, Timestamp.from(until));
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("demo state not saved until=%s: %s", until, e.getMessage());
        }
    }
}
