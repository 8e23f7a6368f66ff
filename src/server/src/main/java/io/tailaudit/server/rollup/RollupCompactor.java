package io.tailaudit.server.rollup;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Folds the deltas ingest appended into the hour and day rollups, off the ingest path. Each run takes a
 * transaction-scoped advisory lock, so one replica compacts at a time, claims the oldest deltas and deletes
 * them in the transaction that merges them, so every delta is merged exactly once.
 */
@ApplicationScoped
public class RollupCompactor {

    private static final Logger LOG = Logger.getLogger(RollupCompactor.class);
    private static final int CLAIM_LIMIT = 20_000;
    /** The advisory lock only one compactor holds at a time: "tailroll" in ASCII. */
    private static final long LOCK_KEY = 0x7461696c726f6c6cL;

    // = ANY(ARRAY(...)), not IN (...): with IN the planner hash-joins the claimed ids against a sequential scan
    // of the whole delta table, which under a backlog made claiming the most expensive part of a fold. No row
    // locks: the advisory lock already keeps other compactors out, and readers never lock.
    private static final String CLAIM = """
            DELETE FROM tail_rollup_delta WHERE id = ANY(ARRAY(
                SELECT id FROM tail_rollup_delta ORDER BY id LIMIT ?))
            RETURNING task, deployment_kind, provider, model, hour, """ + RollupDeltas.COLUMNS + ", appended_at";

    private final DataSource dataSource;
    private final Timer duration;
    /** Milliseconds the oldest delta of the last claim waited to be folded (0 when nothing was waiting). */
    private final AtomicLong lagMillis = new AtomicLong();
    private volatile boolean stopping;

    RollupCompactor(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.duration = Timer.builder("tailaudit.rollup.compaction.duration")
                .description("Time to fold one claim of rollup deltas").register(registry);
        Gauge.builder("tailaudit.rollup.lag", lagMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("How long the oldest delta of the last compaction waited to be folded")
                .register(registry);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "{tailaudit.rollup.compact-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void compact() throws SQLException {
        try {
            int claimed;
            do {
                claimed = compactOnce();
            } while (claimed == CLAIM_LIMIT && !stopping);
        } catch (SQLException e) {
            if (!stopping) {
                throw e;
            }
            // the pool closed under a running fold: it rolled back, its deltas wait for the next start
            LOG.debugf("compaction stopped by shutdown: %s", e.getMessage());
        }
    }

    /**
     * The compactor is the only writer of {@code tail_rollup}, one replica at a time: it reads the buckets
     * it touches and writes them back merged, without row locks.
     */
    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Merges one claim of deltas; returns how many deltas it took (0 as well when another replica holds the lock). */
    int compactOnce() throws SQLException {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!tryLock(c)) {
                    c.rollback();
                    return 0;  // another replica is compacting; the next run tries again
                }
                Map<RollupKey, RollupDelta> merged = new HashMap<>();
                int n = 0;
                Instant oldest = null;
                try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                    ps.setInt(1, CLAIM_LIMIT);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            n++;
                            RollupDeltas.addTo(merged.computeIfAbsent(RollupDeltas.key(rs), k -> new RollupDelta()),
                                    rs, 6, c2 -> true, true);
                            Instant appended = rs.getTimestamp("appended_at").toInstant();
                            oldest = oldest == null || appended.isBefore(oldest) ? appended : oldest;
                        }
                    }
                }
                long claimed = System.nanoTime();
                RollupWriter.merge(c, merged);
                c.commit();
                lagMillis.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis()));
                duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (n > 0) {
                    LOG.debugf("rollup compacted deltas=%d hour_buckets=%d claim_decode_ms=%.1f ms=%.1f", (Object) n,
                            (Object) merged.size(), (claimed - start) / 1e6, (System.nanoTime() - start) / 1e6);
                }
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
