package io.tailaudit.server.rollup;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Folds the deltas ingest appended into the hour and day rollups, off the ingest path. Each run claims the oldest
 * deltas with {@code FOR UPDATE SKIP LOCKED} and deletes them in the transaction that merges them, so any
 * number of replicas can compact at once and every delta is merged exactly once.
 */
@ApplicationScoped
public class RollupCompactor {

    private static final Logger LOG = Logger.getLogger(RollupCompactor.class);
    private static final int CLAIM_LIMIT = 20_000;

    private static final String CLAIM = """
            DELETE FROM tail_rollup_delta WHERE id IN (
                SELECT id FROM tail_rollup_delta ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING task, deployment_kind, provider, model, hour, """ + RollupDeltas.COLUMNS + ", appended_at";

    private final DataSource dataSource;
    private final Timer duration;
    /** Milliseconds the oldest delta of the last claim waited to be folded (0 when nothing was waiting). */
    private final AtomicLong lagMillis = new AtomicLong();

    RollupCompactor(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.duration = Timer.builder("tailaudit.rollup.compaction.duration")
                .description("Time to fold one claim of rollup deltas").register(registry);
        Gauge.builder("tailaudit.rollup.lag", lagMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("How long the oldest delta of the last compaction waited to be folded")
                .register(registry);
    }

    @Scheduled(every = "{tailaudit.rollup.compact-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void compact() throws SQLException {
        int claimed;
        do {
            claimed = compactOnce();
        } while (claimed == CLAIM_LIMIT);
    }

    /** Merges one claim of deltas; returns how many deltas it took. */
    int compactOnce() throws SQLException {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<RollupKey, RollupDelta> merged = new TreeMap<>();
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
                RollupWriter.merge(c, merged);
                c.commit();
                lagMillis.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis()));
                duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (n > 0) {
                    LOG.debugf("rollup compacted deltas=%d hour_buckets=%d ms=%.1f", (Object) n, (Object) merged.size(),
                            (System.nanoTime() - start) / 1e6);
                }
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
