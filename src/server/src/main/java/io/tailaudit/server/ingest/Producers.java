package io.tailaudit.server.ingest;

import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.db.StorageException;
import io.tailaudit.server.trace.PartitionManager;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the reconciliation ledger: per producer active in a window, what it numbered (0 to its highest
 * sequence number), what ingest stored and dead-lettered, and the gaps: numbers that never arrived. Events
 * of one producer reach the topic's partitions, and ingest, in any order, so a gap is first only pending;
 * {@link #check} records when each gap was first seen ({@code producer_gap}), and one still open the grace
 * period after that is overdue: an event lost between the producer and the store. A producer takes a new id
 * when it restarts, so a restart is not a gap; what a producer lost after its last stored event shows only
 * in its own counters ({@code ClientStats.dropped}).
 */
@ApplicationScoped
public class Producers {

    private static final Logger LOG = Logger.getLogger(Producers.class);
    /** Gaps listed per producer, at most; the counts cover all of them. */
    static final int MAX_GAPS = 100;
    /** Gaps tracked per producer, at most (a producer dropping every other event has millions). */
    static final int MAX_TRACKED = 1_000;

    private final DataSource dataSource;
    private final Clock clock;
    private final IngestConfig config;
    private final PartitionManager partitions;

    Producers(DataSource dataSource, Clock clock, IngestConfig config, PartitionManager partitions) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.config = config;
        this.partitions = partitions;
    }

    /** Sequence numbers [from, to) that never arrived; {@code openSince}: when the gap was first seen. */
    public record Gap(long from, long to, Instant openSince, boolean overdue) {
        public long missing() {
            return to - from;
        }

        /** The last missing sequence number. */
        public long last() {
            return to - 1;
        }
    }

    /**
     * One producer over the whole ledger. {@code state}: {@code complete} (no gap), {@code pending} (gaps
     * within the grace period), {@code gap} (a gap past it).
     */
    public record Producer(String producerId, Instant firstSeen, Instant lastSeen, long expected, long stored,
                           long deadLettered, long missing, long overdueMissing, int gapCount, List<Gap> gaps,
                           String state) {
    }

    public record Ledger(Instant since, Duration grace, List<Producer> producers) {

        /** Events missing in gaps past the grace period, over every producer. */
        public long overdueMissing() {
            return producers.stream().mapToLong(Producer::overdueMissing).sum();
        }
    }

    /** Every producer seen since {@code since}, with its whole ledger. */
    public Ledger since(Instant since) {
        Instant now = clock.instant();
        List<Producer> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            Map<String, Bits> bits = read(c, since);
            Map<String, List<long[]>> tracked = tracked(c, bits.keySet());
            bits.forEach((id, b) -> out.add(producer(id, b, tracked.getOrDefault(id, List.of()), now)));
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        return new Ledger(since, config.ledgerGrace(), out);
    }

    /**
     * Records the gaps of every producer seen within the grace period and a day, keeping when each was
     * first seen; a gap that closed is forgotten. Runs on ingest replicas.
     */
    @Scheduled(every = "{tailaudit.ingest.ledger-check-every}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void check() {
        if (!config.enabled() || !config.ledger()) {
            return;
        }
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, Bits> bits = read(c, now.minus(config.ledgerGrace()).minus(Duration.ofDays(1)));
                Map<String, List<long[]>> tracked = tracked(c, bits.keySet());
                try (PreparedStatement del = c.prepareStatement("DELETE FROM producer_gap WHERE producer_id = ?");
                     PreparedStatement ins = c.prepareStatement(
                             "INSERT INTO producer_gap (producer_id, from_seq, to_seq, first_seen) VALUES (?, ?, ?, ?)")) {
                    for (Map.Entry<String, Bits> e : bits.entrySet()) {
                        del.setString(1, e.getKey());
                        del.addBatch();
                        List<long[]> before = tracked.getOrDefault(e.getKey(), List.of());
                        int n = 0;
                        for (long[] g : e.getValue().gaps()) {
                            if (n++ == MAX_TRACKED) {
                                break;
                            }
                            Instant first = firstSeen(before, g);
                            ins.setString(1, e.getKey());
                            ins.setLong(2, g[0]);
                            ins.setLong(3, g[1]);
                            ins.setTimestamp(4, Timestamp.from(first == null ? now : first));
                            ins.addBatch();
                        }
                    }
                    del.executeBatch();
                    ins.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            LOG.warnf("producer gaps not checked, next run retries: %s", e.getMessage());
        }
    }

    /** The ledger keeps a producer's blocks as long as the traces are kept. */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void expire() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM producer_ledger WHERE last_seen < ?")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant().minus(partitions.retention())));
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("producer ledger not expired: %s", e.getMessage());
        }
    }

    /** A producer's stored and dead-lettered numbers, and when it was first and last seen. */
    private record Bits(BitSet stored, BitSet dead, Instant firstSeen, Instant lastSeen) {

        /** The highest number + 1. */
        long expected() {
            BitSet all = (BitSet) stored.clone();
            all.or(dead);
            return all.length();
        }

        List<long[]> gaps() {
            BitSet all = (BitSet) stored.clone();
            all.or(dead);
            List<long[]> out = new ArrayList<>();
            int end = all.length();
            for (int from = all.nextClearBit(0); from < end; ) {
                int to = all.nextSetBit(from);
                out.add(new long[] {from, to});
                from = all.nextClearBit(to);
            }
            return out;
        }
    }

    private static Map<String, Bits> read(Connection c, Instant since) throws SQLException {
        Map<String, Bits> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT producer_id, block, stored::text, dead::text, first_seen, last_seen FROM producer_ledger
                 WHERE producer_id IN (SELECT producer_id FROM producer_ledger WHERE last_seen >= ?)
                 ORDER BY producer_id, block""")) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long block = rs.getLong(2);
                    if (block > Integer.MAX_VALUE / ProducerLedger.BLOCK) {
                        continue;            // past what a BitSet holds: 8.8 billion events from one client
                    }
                    Instant first = rs.getTimestamp(5).toInstant();
                    Instant last = rs.getTimestamp(6).toInstant();
                    Bits b = out.get(rs.getString(1));
                    if (b == null) {
                        b = new Bits(new BitSet(), new BitSet(), first, last);
                    } else {
                        b = new Bits(b.stored(), b.dead(), first.isBefore(b.firstSeen()) ? first : b.firstSeen(),
                                last.isAfter(b.lastSeen()) ? last : b.lastSeen());
                    }
                    set(b.stored(), block, rs.getString(3));
                    set(b.dead(), block, rs.getString(4));
                    out.put(rs.getString(1), b);
                }
            }
        }
        return out;
    }

    private static void set(BitSet into, long block, String bits) {
        int base = (int) block * ProducerLedger.BLOCK;
        for (int i = bits.indexOf('1'); i >= 0; i = bits.indexOf('1', i + 1)) {
            into.set(base + i);
        }
    }

    /** The gaps {@link #check} recorded: {from, to, first seen (epoch ms)}. */
    private static Map<String, List<long[]>> tracked(Connection c, java.util.Collection<String> producers)
            throws SQLException {
        Map<String, List<long[]>> out = new HashMap<>();
        if (producers.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT producer_id, from_seq, to_seq, first_seen FROM producer_gap WHERE producer_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", producers.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new long[] {rs.getLong(2),
                            rs.getLong(3), rs.getTimestamp(4).toInstant().toEpochMilli()});
                }
            }
        }
        return out;
    }

    /** When the earliest recorded gap overlapping {@code g} was first seen; null when none was recorded. */
    private static Instant firstSeen(List<long[]> tracked, long[] g) {
        Long first = null;
        for (long[] t : tracked) {
            if (t[0] < g[1] && g[0] < t[1] && (first == null || t[2] < first)) {
                first = t[2];
            }
        }
        return first == null ? null : Instant.ofEpochMilli(first);
    }

    private Producer producer(String id, Bits b, List<long[]> tracked, Instant now) {
        long expected = b.expected();
        BitSet deadOnly = (BitSet) b.dead().clone();
        deadOnly.andNot(b.stored());
        List<Gap> gaps = new ArrayList<>();
        long missing = 0;
        long overdue = 0;
        List<long[]> holes = b.gaps();
        for (long[] h : holes) {
            Instant since = firstSeen(tracked, h);
            boolean late = since != null && !since.plus(config.ledgerGrace()).isAfter(now);
            missing += h[1] - h[0];
            overdue += late ? h[1] - h[0] : 0;
            if (gaps.size() < MAX_GAPS) {
                gaps.add(new Gap(h[0], h[1], since, late));
            }
        }
        String state = holes.isEmpty() ? "complete" : overdue > 0 ? "gap" : "pending";
        return new Producer(id, b.firstSeen(), b.lastSeen(), expected, b.stored().cardinality(),
                deadOnly.cardinality(), missing, overdue, holes.size(), gaps, state);
    }
}
