package io.tailaudit.server.rollup;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.db.AdvisoryLock;
import io.tailaudit.server.db.BinaryResults;
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
    /** At most this many rows per claim, whatever their entries. */
    private static final int CLAIM_ROWS = 200_000;
    private static final int CLAIM_FETCH = 1_000;
    /**
     * How much longer than {@code fold-after}, and to how many more than {@code max-pending-entries}, a
     * backlog waits while ingest catches up. A fold competes with ingest for the CPU, and folding a backfill
     * in one go rewrites each bucket it touches once, not once per fold.
     */
    private static final int BUSY_FACTOR = 4;
    private static final int LEGACY_CLAIM_LIMIT = 20_000;
    /** The advisory lock only one compactor holds at a time: "tailroll" in ASCII. */
    private static final long LOCK_KEY = 0x7461696c726f6c6cL;

    // = ANY(ARRAY(...)), not IN (...): with IN the planner hash-joins the claimed ids against a sequential scan
    // of the whole delta table, which under a backlog made claiming the most expensive part of a fold. No row
    // locks: the advisory lock already keeps other compactors out, and readers never lock.
    private static final String CLAIM = """
            DELETE FROM tail_rollup_pending WHERE id = ANY(ARRAY(
                SELECT id FROM (SELECT id, entries, sum(entries) OVER (ORDER BY id) AS upto
                                  FROM (SELECT id, entries FROM tail_rollup_pending ORDER BY id LIMIT ?) r) s
                 WHERE upto - entries < ?))
            RETURNING task, payload, appended_at""";

    /** Deltas in the layout before V5 (a row per task, deployment and hour), left by a server before the upgrade. */
    private static final String CLAIM_LEGACY = """
            DELETE FROM tail_rollup_delta WHERE id = ANY(ARRAY(
                SELECT id FROM tail_rollup_delta ORDER BY id LIMIT ?))
            RETURNING task, deployment_kind, provider, model, hour, """ + RollupDeltas.COLUMNS + ", appended_at";

    /** The oldest pending row, how many rows and how many entries are pending. */
    private static final String PENDING = """
            SELECT min(appended_at), count(*), coalesce(sum(entries), 0) FROM tail_rollup_pending""";

    private final DataSource dataSource;
    private final RollupConfig config;
    private final IngestBacklog ingest;
    private final Timer duration;
    /**
     * Milliseconds the oldest pending rollup had waited when the compactor last looked, or when its last
     * claim was folded (0 when nothing was waiting).
     */
    private final AtomicLong lagMillis = new AtomicLong();
    private volatile boolean stopping;
    /** Whether the deltas from before V5 are all folded; they are never appended again. */
    private volatile boolean legacyDrained;

    private final java.time.Clock clock;

    private final boolean ingestRole;

    RollupCompactor(DataSource dataSource, RollupConfig config, IngestBacklog ingest, MeterRegistry registry,
                    java.time.Clock clock, @org.eclipse.microprofile.config.inject.ConfigProperty(
                            name = "tailaudit.ingest.enabled", defaultValue = "true") boolean ingestRole) {
        this.clock = clock;
        this.ingestRole = ingestRole;
        this.dataSource = dataSource;
        this.config = config;
        this.ingest = ingest;
        this.duration = Timer.builder("tailaudit.rollup.compaction.duration")
                .description("Time to fold one claim of rollup deltas").register(registry);
        Gauge.builder("tailaudit.rollup.lag", lagMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("How long the oldest pending rollup had waited to be folded when the compactor last"
                        + " looked (reads count pending rollups, so this is not the freshness)")
                .register(registry);
    }

    /** How long the oldest pending rollup had waited when the compactor last looked, in seconds. */
    public double lagSeconds() {
        return lagMillis.get() / 1000.0;
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "{tailaudit.rollup.compact-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void compact() throws SQLException {
        if (!ingestRole) {
            return;                  // ingest writes the deltas and its replicas fold them; reads add what is pending
        }
        try {
            boolean due = due();
            if (legacyDrained && !due) {
                return;
            }
            boolean more;
            do {
                more = compactOnce(due);
            } while (more && !stopping);
        } catch (SQLException e) {
            if (stopping) {
                // the pool closed under a running fold: it rolled back, its deltas wait for the next start
                LOG.debugf("compaction stopped by shutdown: %s", e.getMessage());
            } else if (io.tailaudit.server.db.DatabaseFailure.of(e).isPresent()) {
                // the database is away or too slow: the fold rolled back and the next run folds the same entries
                LOG.warnf("rollups not folded, the database is unavailable; next run retries: %s", e.getMessage());
            } else {
                throw e;
            }
        }
    }

    /**
     * Folds what a server before V5 left in {@code tail_rollup_delta} now, then whatever is due. The first
     * compaction after start does this by itself.
     */
    void foldLegacy() throws SQLException {
        legacyDrained = false;
        compact();
    }

    /**
     * Whether to fold now: the pending rollups are few enough entries ({@code cheap-fold-entries}) to fold
     * at every look, as live traffic's are; or the oldest waited {@code fold-after}; or {@code
     * max-pending-entries} wait. While ingest catches up on a backlog, which a fold would slow down, both
     * limits are four times as high.
     */
    private boolean due() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PENDING);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            java.sql.Timestamp first = rs.getTimestamp(1);
            if (first == null) {
                lagMillis.set(0);
                return false;
            }
            Instant oldest = first.toInstant();
            lagMillis.set(Math.max(0, Duration.between(oldest, clock.instant()).toMillis()));
            long entries = rs.getLong(3);
            long lag = ingest.lagRecords();
            boolean busy = lag > config.cheapFoldEntries();
            Duration wait = busy ? config.foldAfter().multipliedBy(BUSY_FACTOR) : config.foldAfter();
            long most = busy ? (long) BUSY_FACTOR * config.maxPendingEntries() : config.maxPendingEntries();
            return entries <= config.cheapFoldEntries() || !oldest.isAfter(clock.instant().minus(wait))
                    || entries >= most;
        }
    }

    /**
     * Pending entries per claim, past the row that reaches it: more than a backlog grows to while ingest
     * catches up, so one claim folds a whole backlog and each fold rewrites the buckets it touches once.
     * The rows stream in; what the fold holds is a delta per bucket, however many entries it merges.
     */
    private long claimEntries() {
        return (BUSY_FACTOR + 1L) * config.maxPendingEntries();
    }

    /**
     * Merges one claim: deltas a server before V5 left, if any are, and pending rows when {@code pending}.
     * Returns whether more may be waiting (false as well when another replica holds the lock).
     */
    private boolean compactOnce(boolean pending) throws SQLException {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!AdvisoryLock.tryForTransaction(c, LOCK_KEY)) {
                    c.rollback();
                    return false;  // another replica is compacting; the next run tries again
                }
                Map<RollupKey, RollupDelta> merged = new HashMap<>();
                int legacy = 0;
                int n = 0;
                int entries = 0;
                PendingEntries.Dictionaries dictionaries = new PendingEntries.Dictionaries();
                long deleted = start;
                Instant oldest = null;
                if (!legacyDrained) {
                    try (PreparedStatement ps = c.prepareStatement(CLAIM_LEGACY)) {
                        ps.setInt(1, LEGACY_CLAIM_LIMIT);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                legacy++;
                                RollupDeltas.addTo(merged.computeIfAbsent(RollupDeltas.key(rs), k -> new RollupDelta()),
                                        rs, 6, all -> true, true);
                            }
                        }
                    }
                }
                try (PreparedStatement ps = BinaryResults.of(c.prepareStatement(CLAIM))) {
                    ps.setInt(1, pending ? CLAIM_ROWS : 0);
                    ps.setLong(2, claimEntries());
                    ps.setFetchSize(CLAIM_FETCH);       // the claimed payloads stream in, not all held at once
                    try (ResultSet rs = ps.executeQuery()) {
                        deleted = System.nanoTime();
                        while (rs.next()) {
                            n++;
                            PendingEntries.Cursor e = new PendingEntries.Cursor(rs.getString(1), rs.getBytes(2),
                                    dictionaries);
                            while (e.next()) {
                                e.addTo(merged.computeIfAbsent(e.key(), k -> new RollupDelta()), all -> true, true);
                                entries++;
                            }
                            Instant appended = rs.getTimestamp(3).toInstant();
                            oldest = oldest == null || appended.isBefore(oldest) ? appended : oldest;
                        }
                    }
                }
                long claimed = System.nanoTime();
                RollupWriter.merge(c, merged);
                c.commit();
                legacyDrained |= legacy < LEGACY_CLAIM_LIMIT;
                if (pending) {
                    lagMillis.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis()));
                }
                duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (n + legacy > 0) {
                    LOG.debugf("rollup compacted rows=%d legacy_rows=%d entries=%d buckets=%d delete_ms=%.1f"
                            + " claim_decode_ms=%.1f ms=%.1f", (Object) n, (Object) legacy, (Object) entries,
                            (Object) merged.size(), (deleted - start) / 1e6, (claimed - start) / 1e6,
                            (System.nanoTime() - start) / 1e6);
                }
                return (pending && (n == CLAIM_ROWS || entries >= claimEntries())) || !legacyDrained;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
