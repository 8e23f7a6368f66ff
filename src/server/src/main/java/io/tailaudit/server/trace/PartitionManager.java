package io.tailaudit.server.trace;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.db.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Owns the day partitions of {@code trace} (UTC days): creates them ahead of time and on demand for
 * back-dated traces, drops them past the retention together with their idempotency keys and daily counts.
 * DDL runs on its own auto-commit connection, never inside an ingest transaction.
 */
@ApplicationScoped
public class PartitionManager {

    private static final Logger LOG = Logger.getLogger(PartitionManager.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");

    private final DataSource dataSource;
    private final TraceConfig config;
    private final Clock clock;
    private final Set<LocalDate> known = ConcurrentHashMap.newKeySet();
    /** The ingest role keeps the partitions; other replicas only read them. */
    private final boolean ingestRole;

    PartitionManager(DataSource dataSource, TraceConfig config, Clock clock,
                     @org.eclipse.microprofile.config.inject.ConfigProperty(name = "tailaudit.ingest.enabled",
                             defaultValue = "true") boolean ingestRole) {
        this.dataSource = dataSource;
        this.ingestRole = ingestRole;
        this.config = config;
        this.clock = clock;
        if (config.partitionsAhead() < 0) {
            throw new IllegalArgumentException("tailaudit.trace.partitions-ahead must be >= 0, got " + config.partitionsAhead());
        }
        if (config.retention().toDays() < 1) {
            throw new IllegalArgumentException("tailaudit.trace.retention must be at least 1d, got " + config.retention());
        }
    }

    public Duration retention() {
        return config.retention();
    }

    void onStart(@Observes StartupEvent event) throws SQLException {
        scheduledMaintain();
    }

    /** Hourly, on the ingest role: partitions ahead exist, partitions past the retention are gone. */
    @Scheduled(every = "1h", delayed = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledMaintain() throws SQLException {
        if (ingestRole) {
            maintain();
        }
    }

    /** Partitions ahead exist, partitions past the retention are gone. */
    void maintain() throws SQLException {
        maintain(LocalDate.now(clock.withZone(ZoneOffset.UTC)));
    }

    /** {@link #maintain()} as of {@code today} (UTC): the retention test moves the calendar on. */
    void maintain(LocalDate today) throws SQLException {
        Set<LocalDate> ahead = new TreeSet<>();
        for (int i = 0; i <= config.partitionsAhead(); i++) {
            ahead.add(today.plusDays(i));
        }
        ensure(ahead);
        dropOlderThan(today.minusDays(config.retention().toDays()));
    }

    /** Makes sure a partition exists for each day; cheap when they already do. */
    public void ensure(Collection<LocalDate> days) {
        Set<LocalDate> missing = new TreeSet<>();
        for (LocalDate d : days) {
            if (!known.contains(d)) {
                missing.add(d);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            if (known.isEmpty()) {
                known.addAll(existing(st));
            }
            for (LocalDate d : missing) {
                if (known.contains(d)) {
                    continue;
                }
                try {
                    st.execute("CREATE TABLE IF NOT EXISTS " + name(d) + " PARTITION OF trace FOR VALUES FROM ('"
                            + d + " 00:00:00+00') TO ('" + d.plusDays(1) + " 00:00:00+00')");
                } catch (SQLException e) {
                    // another replica created it between our check and our CREATE
                    if (!"42P07".equals(e.getSQLState())) {
                        throw e;
                    }
                }
                known.add(d);
                LOG.debugf("trace partition ready day=%s", d);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private void dropOlderThan(LocalDate firstKept) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            for (LocalDate d : existing(st)) {
                if (d.isBefore(firstKept)) {
                    st.execute("DROP TABLE IF EXISTS " + name(d));
                    known.remove(d);
                    LOG.infof("trace partition dropped day=%s retention=%s", d, config.retention());
                }
            }
            String cutoff = "'" + firstKept + " 00:00:00+00'";
            int keys = st.executeUpdate("DELETE FROM trace_key WHERE occurred_at < " + cutoff);
            st.executeUpdate("DELETE FROM task_volume_daily WHERE day < '" + firstKept + "'");
            if (keys > 0) {
                LOG.infof("trace keys purged count=%d before=%s", keys, firstKept);
            }
        }
    }

    private static Set<LocalDate> existing(Statement st) throws SQLException {
        Set<LocalDate> days = new TreeSet<>();
        try (ResultSet rs = st.executeQuery("""
                SELECT c.relname FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
                WHERE p.relname = 'trace'""")) {
            while (rs.next()) {
                String n = rs.getString(1);
                if (n.startsWith("trace_p") && n.length() == 15) {
                    days.add(LocalDate.parse(n.substring(7), SUFFIX));
                }
            }
        }
        return days;
    }

    private static String name(LocalDate day) {
        return "trace_p" + SUFFIX.format(day);
    }
}
