package io.tailaudit.server.ingest;

import io.tailaudit.server.db.StorageException;
import jakarta.enterprise.context.ApplicationScoped;

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
import java.util.List;

/**
 * Reads the reconciliation ledger: per producer active in a window, what it numbered (0 to its highest
 * sequence number), what ingest stored and dead-lettered, and the gaps: numbers that never arrived. A gap is
 * overdue once the first event numbered after it was stored more than the grace period ago (events of one
 * producer reach the partitions, and ingest, in any order); an overdue gap is an event lost between the
 * producer and the store. A producer takes a new id when it restarts, so a restart is not a gap; what a
 * producer lost after its last stored event shows only as its own counters ({@code ClientStats.dropped}).
 */
@ApplicationScoped
public class Producers {

    /** Gaps listed per producer, at most; the counts cover all of them. */
    static final int MAX_GAPS = 100;

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration grace;
    private final io.tailaudit.server.trace.PartitionManager partitions;

    Producers(DataSource dataSource, Clock clock, IngestConfig config,
              io.tailaudit.server.trace.PartitionManager partitions) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.grace = config.ledgerGrace();
        this.partitions = partitions;
    }

    /** The ledger keeps a producer's hours as long as the traces are kept. */
    @io.quarkus.scheduler.Scheduled(every = "1h", delayed = "5m",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = io.quarkus.scheduler.Scheduled.ApplicationNotRunning.class)
    void expire() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM producer_ledger WHERE last_seen < ?")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant().minus(partitions.retention())));
            ps.executeUpdate();
        } catch (SQLException e) {
            org.jboss.logging.Logger.getLogger(Producers.class).warnf("producer ledger not expired: %s", e.getMessage());
        }
    }

    /** Sequence numbers [from, to) that never arrived; {@code openSince}: when a later one was first stored. */
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
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT producer_id, stored::text, dead::text, first_seen, last_seen FROM producer_ledger
                 WHERE producer_id IN (SELECT producer_id FROM producer_ledger WHERE last_seen >= ?)
                 ORDER BY producer_id, hour""")) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                String current = null;
                List<Row> rows = new ArrayList<>();
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (current != null && !current.equals(id)) {
                        out.add(producer(current, rows, now));
                        rows = new ArrayList<>();
                    }
                    current = id;
                    rows.add(new Row(Ranges.parse(rs.getString(2)), Ranges.parse(rs.getString(3)),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant()));
                }
                if (current != null) {
                    out.add(producer(current, rows, now));
                }
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        return new Ledger(since, grace, out);
    }

    private record Row(List<long[]> stored, List<long[]> dead, Instant firstSeen, Instant lastSeen) {
        long highest() {
            long h = 0;
            for (long[] r : stored) {
                h = Math.max(h, r[1]);
            }
            for (long[] r : dead) {
                h = Math.max(h, r[1]);
            }
            return h;
        }
    }

    private Producer producer(String id, List<Row> rows, Instant now) {
        List<long[]> stored = new ArrayList<>();
        List<long[]> dead = new ArrayList<>();
        Instant first = rows.get(0).firstSeen();
        Instant last = rows.get(0).lastSeen();
        for (Row r : rows) {
            stored.addAll(r.stored());
            dead.addAll(r.dead());
            first = r.firstSeen().isBefore(first) ? r.firstSeen() : first;
            last = r.lastSeen().isAfter(last) ? r.lastSeen() : last;
        }
        List<long[]> s = Ranges.union(stored);
        List<long[]> d = Ranges.minus(Ranges.union(dead), s);
        List<long[]> all = new ArrayList<>(s);
        all.addAll(d);
        all = Ranges.union(all);
        long expected = all.isEmpty() ? 0 : all.get(all.size() - 1)[1];
        List<long[]> holes = Ranges.minus(List.<long[]>of(new long[] {0, expected}), all);
        List<Gap> gaps = new ArrayList<>();
        long missing = 0;
        long overdue = 0;
        for (long[] h : holes) {
            // opened when the first event numbered after it was stored: the earliest row holding one
            Instant since = null;
            for (Row r : rows) {
                if (r.highest() > h[1] && (since == null || r.firstSeen().isBefore(since))) {
                    since = r.firstSeen();
                }
            }
            boolean late = since != null && since.plus(grace).isBefore(now);
            missing += h[1] - h[0];
            overdue += late ? h[1] - h[0] : 0;
            if (gaps.size() < MAX_GAPS) {
                gaps.add(new Gap(h[0], h[1], since, late));
            }
        }
        String state = holes.isEmpty() ? "complete" : overdue > 0 ? "gap" : "pending";
        return new Producer(id, first, last, expected, Ranges.size(s), Ranges.size(d), missing, overdue, holes.size(),
                gaps, state);
    }

    /** Half-open ranges of sequence numbers, as PostgreSQL writes a multirange: {@code {[0,5),[7,9)}}. */
    static final class Ranges {

        private Ranges() {
        }

        static List<long[]> parse(String multirange) {
            List<long[]> out = new ArrayList<>();
            String body = multirange.substring(1, multirange.length() - 1).trim();
            if (body.isEmpty()) {
                return out;
            }
            for (String part : body.split("\\),")) {
                String r = part.replace("[", "").replace(")", "").trim();
                int comma = r.indexOf(',');
                out.add(new long[] {Long.parseLong(r.substring(0, comma).trim()), Long.parseLong(r.substring(comma + 1)
                        .trim())});
            }
            return out;
        }

        static List<long[]> union(List<long[]> ranges) {
            List<long[]> sorted = new ArrayList<>(ranges);
            sorted.sort((a, b) -> Long.compare(a[0], b[0]));
            List<long[]> out = new ArrayList<>();
            for (long[] r : sorted) {
                if (!out.isEmpty() && r[0] <= out.get(out.size() - 1)[1]) {
                    long[] last = out.get(out.size() - 1);
                    last[1] = Math.max(last[1], r[1]);
                } else {
                    out.add(new long[] {r[0], r[1]});
                }
            }
            return out;
        }

        /** {@code a} without {@code b}; both unions (sorted, disjoint). */
        static List<long[]> minus(List<long[]> a, List<long[]> b) {
            List<long[]> out = new ArrayList<>();
            for (long[] r : a) {
                long from = r[0];
                for (long[] x : b) {
                    if (x[1] <= from || x[0] >= r[1]) {
                        continue;
                    }
                    if (x[0] > from) {
                        out.add(new long[] {from, x[0]});
                    }
                    from = Math.max(from, x[1]);
                }
                if (from < r[1]) {
                    out.add(new long[] {from, r[1]});
                }
            }
            return out;
        }

        static long size(List<long[]> ranges) {
            long n = 0;
            for (long[] r : ranges) {
                n += r[1] - r[0];
            }
            return n;
        }
    }
}
