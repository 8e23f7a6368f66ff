package io.tailaudit.server.rollup;

import io.tailaudit.server.db.BinaryResults;
import io.tailaudit.server.db.StorageException;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads merged rollups for a window, never the trace table. A window [from, to) is rounded out to whole
 * hours and read as the whole UTC days inside it (span 'd') plus the hours at its edges (span 'h'), plus the
 * deltas ingest appended that the compactor has not folded yet, all in one snapshot so that a concurrent
 * compaction is counted exactly once. Step, model version and tag cohorts exist per day only: {@link #daily}
 * reads them over the whole days covering the window; context cohorts exist per hour too.
 */
@ApplicationScoped
public class RollupReader {

    private static final String TOTAL_COLUMNS = "task, deployment_kind, provider, model, bucket, ";

    private final DataSource dataSource;

    RollupReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A window rounded out to whole hours. */
    public record Window(Instant from, Instant to) {

        public Window {
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("from must be before to");
            }
        }

        public static Window covering(Instant from, Instant to) {
            Instant f = from.truncatedTo(ChronoUnit.HOURS);
            Instant t = to.truncatedTo(ChronoUnit.HOURS);
            return new Window(f, t.equals(to) ? t : t.plus(1, ChronoUnit.HOURS));
        }

        /** The window of the same length just before this one. */
        public Window previous() {
            return new Window(from.minus(java.time.Duration.between(from, to)), from);
        }

        /** The whole days covering this window. */
        public Window days() {
            Instant f = from.truncatedTo(ChronoUnit.DAYS);
            Instant t = to.truncatedTo(ChronoUnit.DAYS);
            return new Window(f, t.equals(to) ? t : t.plus(1, ChronoUnit.DAYS));
        }

        public double lengthDays() {
            return java.time.Duration.between(from, to).toSeconds() / 86_400.0;
        }
    }

    /** A task's deployments over a window (with context cohorts and latency), the previous window (counts
     * only) and the whole days covering the window (every cohort, for the lift), read in one snapshot. */
    public record TaskRead(Map<RollupKey.Deployment, TailAggregate> current,
                           Map<RollupKey.Deployment, TailAggregate> previous,
                           Map<RollupKey.Deployment, TailAggregate> days) {
    }

    public TaskRead task(String task, Window w) {
        try {
            List<Map<String, Map<RollupKey.Deployment, TailAggregate>>> r = read(Optional.of(task), List.of(
                    new Target(w, Cohorts.CONTEXT, true), new Target(w.previous(), Cohorts.NONE, false),
                    new Target(w.days(), Cohorts.ALL, false)));
            return new TaskRead(r.get(0).getOrDefault(task, Map.of()), r.get(1).getOrDefault(task, Map.of()),
                    r.get(2).getOrDefault(task, Map.of()));
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Per task (or the one asked for) and deployment: the totals over {@code w} and over the window before
     * it, with the context cohorts when {@code context}, without latency, for lists. Two maps: current, previous.
     */
    public List<Map<String, Map<RollupKey.Deployment, TailAggregate>>> summaries(Optional<String> task, Window w,
                                                                                boolean context) {
        try {
            return read(task, List.of(new Target(w, context ? Cohorts.CONTEXT : Cohorts.NONE, false),
                    new Target(w.previous(), Cohorts.NONE, false)));
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** One task's deployments over {@code w} with their context cohorts, no latency, no other window. */
    public Map<RollupKey.Deployment, TailAggregate> withContext(String task, Window w) {
        try {
            return read(Optional.of(task), List.of(new Target(w, Cohorts.CONTEXT, false))).get(0)
                    .getOrDefault(task, Map.of());
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** {@link #summaries} without cohorts, the current window's with the latency sketches (for alert rules). */
    public List<Map<String, Map<RollupKey.Deployment, TailAggregate>>> summariesWithLatency(Window w) {
        try {
            return read(Optional.empty(), List.of(new Target(w, Cohorts.NONE, true),
                    new Target(w.previous(), Cohorts.NONE, false)));
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Per task and deployment: the totals over {@code w} with the latency sketches, no cohorts (for alert rules). */
    public Map<String, Map<RollupKey.Deployment, TailAggregate>> withLatency(Window w) {
        try {
            return read(Optional.empty(), List.of(new Target(w, Cohorts.NONE, true))).get(0);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private enum Cohorts { NONE, CONTEXT, ALL }

    /**
     * What one read collects: a window's whole days from day rows and its edge hours from hour rows, the
     * cohorts it keeps and whether it merges latency sketches.
     */
    private record Target(Window window, Cohorts cohorts, boolean latency) {

        Instant fullFrom() {
            return ceilDay(window.from());
        }

        Instant fullTo() {
            return window.to().truncatedTo(ChronoUnit.DAYS);
        }

        boolean hasDays() {
            return fullFrom().isBefore(fullTo());
        }

        boolean takes(RollupKey.Span span, Instant bucket) {
            boolean inDays = hasDays() && !bucket.isBefore(fullFrom()) && bucket.isBefore(fullTo());
            if (span == RollupKey.Span.DAY) {
                return inDays;
            }
            return !bucket.isBefore(window.from()) && bucket.isBefore(window.to()) && !inDays;
        }

        /**
         * Whether a pending entry counts: an hour entry inside the window (its hour counts whole, as folded
         * hours do), a day entry (cohorts only) for a whole day the window reads from day rows.
         */
        boolean takesPending(RollupKey.Span span, Instant bucket) {
            if (span == RollupKey.Span.DAY) {
                return takes(RollupKey.Span.DAY, bucket);
            }
            return !bucket.isBefore(window.from()) && bucket.isBefore(window.to());
        }

        Predicate<Cohort> keep() {
            return switch (cohorts) {
                case NONE -> c -> false;
                case CONTEXT -> Cohort::hourly;
                case ALL -> c -> true;
            };
        }

        /** [from, to) pairs of hour buckets this target reads from hour rows. */
        List<Instant[]> hourRanges() {
            List<Instant[]> ranges = new ArrayList<>();
            if (hasDays()) {
                ranges.add(new Instant[] {window.from(), fullFrom()});
                ranges.add(new Instant[] {fullTo(), window.to()});
            } else {
                ranges.add(new Instant[] {window.from(), window.to()});
            }
            return ranges;
        }
    }

    private List<Map<String, Map<RollupKey.Deployment, TailAggregate>>> read(Optional<String> task,
                                                                             List<Target> targets)
            throws SQLException {
        boolean latency = targets.stream().anyMatch(Target::latency);
        Cohorts cohorts = targets.stream().map(Target::cohorts).max(Comparator.naturalOrder()).orElseThrow();
        List<Instant> args = new ArrayList<>();
        StringBuilder where = new StringBuilder("(false");
        for (Target t : targets) {
            if (t.hasDays()) {
                where.append(" OR (span = 'd' AND bucket >= ? AND bucket < ?)");
                args.add(t.fullFrom());
                args.add(t.fullTo());
            }
            for (Instant[] r : t.hourRanges()) {
                if (r[0].isBefore(r[1])) {
                    where.append(" OR (span = 'h' AND bucket >= ? AND bucket < ?)");
                    args.add(r[0]);
                    args.add(r[1]);
                }
            }
        }
        where.append(')');
        Instant deltaFrom = targets.stream().map(t -> t.window().from()).min(Comparator.naturalOrder()).orElseThrow();
        Instant deltaTo = targets.stream().map(t -> t.window().to()).max(Comparator.naturalOrder()).orElseThrow();
        String taskFilter = task.isPresent() ? " AND task = ?" : "";
        List<Map<String, Map<RollupKey.Deployment, RollupDelta>>> out = new ArrayList<>();
        targets.forEach(t -> out.add(new TreeMap<>()));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT " + TOTAL_COLUMNS + "span, "
                        + columns(latency, cohorts) + " FROM tail_rollup WHERE " + where + taskFilter)) {
                    int i = 1;
                    for (Instant t : args) {
                        ps.setTimestamp(i++, Timestamp.from(t));
                    }
                    if (task.isPresent()) {
                        ps.setString(i, task.get());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            RollupKey.Span span = RollupKey.Span.of(rs.getString(6));
                            Instant bucket = rs.getTimestamp(5).toInstant();
                            for (int k = 0; k < targets.size(); k++) {
                                Target t = targets.get(k);
                                if (t.takes(span, bucket)) {
                                    RollupDeltas.addTo(slot(out.get(k), rs), rs, 7, t.keep(), t.latency());
                                }
                            }
                        }
                    }
                }
                try (PreparedStatement ps = BinaryResults.of(c.prepareStatement("SELECT task, payload FROM"
                        + " tail_rollup_pending WHERE first_bucket < ? AND last_bucket >= ?" + taskFilter))) {
                    ps.setTimestamp(1, Timestamp.from(deltaTo));
                    ps.setTimestamp(2, Timestamp.from(deltaFrom));
                    if (task.isPresent()) {
                        ps.setString(3, task.get());
                    }
                    PendingEntries.Dictionaries dictionaries = new PendingEntries.Dictionaries();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String t = dictionaries.task(rs.getString(1));
                            PendingEntries.Cursor e = new PendingEntries.Cursor(t, rs.getBytes(2), dictionaries);
                            while (e.next()) {
                                for (int k = 0; k < targets.size(); k++) {
                                    Target target = targets.get(k);
                                    if (target.takesPending(e.span(), e.bucket())) {
                                        e.addTo(slot(out.get(k), t, e.deployment()), target.keep(), target.latency());
                                    }
                                }
                            }
                        }
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        List<Map<String, Map<RollupKey.Deployment, TailAggregate>>> result = new ArrayList<>();
        for (Map<String, Map<RollupKey.Deployment, RollupDelta>> o : out) {
            Map<String, Map<RollupKey.Deployment, TailAggregate>> r = new TreeMap<>();
            o.forEach((t, deployments) -> {
                Map<RollupKey.Deployment, TailAggregate> m = new TreeMap<>();
                deployments.forEach((d, delta) -> {
                    if (delta.traces > 0) {
                        m.put(d, new TailAggregate(delta));
                    }
                });
                if (!m.isEmpty()) {
                    r.put(t, m);
                }
            });
            result.add(r);
        }
        return result;
    }

    /**
     * The effective-quality histogram of every task's deployments per bucket of {@code span} inside the
     * window, from the folded rollups only (for sparklines: the deltas of the last seconds are left out):
     * task -> deployment -> bucket start -> histogram.
     */
    public Map<String, Map<RollupKey.Deployment, TreeMap<Instant, io.tailaudit.server.tail.QualityHistogram>>> series(
            Window w, RollupKey.Span span) {
        try {
            Map<String, Map<RollupKey.Deployment, TreeMap<Instant, io.tailaudit.server.tail.QualityHistogram>>> out =
                    new HashMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT task, deployment_kind, provider, model, bucket, quality FROM tail_rollup"
                            + " WHERE span = ?::\"char\" AND bucket >= ? AND bucket < ?")) {
                ps.setString(1, span.code);
                bindBuckets(ps, 2, w, span);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), t -> new HashMap<>())
                                .computeIfAbsent(new RollupKey.Deployment(rs.getString(2), rs.getString(3), rs.getString(4)),
                                        d -> new TreeMap<>())
                                .put(rs.getTimestamp(5).toInstant(),
                                        HistogramCodec.decode(rs.getBytes(6)));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * One deployment's latency sketch per bucket of {@code span} inside the window, from the folded rollups
     * (for the task page's latency-over-time chart): bucket start -> sketch.
     */
    public TreeMap<Instant, com.datadoghq.sketch.ddsketch.DDSketch> latencySeries(String task,
            RollupKey.Deployment deployment, Window w, RollupKey.Span span) {
        try {
            TreeMap<Instant, com.datadoghq.sketch.ddsketch.DDSketch> out = new TreeMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    SELECT bucket, latency FROM tail_rollup WHERE span = ?::"char" AND bucket >= ? AND bucket < ?
                    AND task = ? AND deployment_kind = ? AND provider = ? AND model = ? AND latency IS NOT NULL""")) {
                ps.setString(1, span.code);
                bindBuckets(ps, 2, w, span);
                ps.setString(4, task);
                ps.setString(5, deployment.kind());
                ps.setString(6, deployment.provider());
                ps.setString(7, deployment.model());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        RollupDelta d = new RollupDelta();
                        try {
                            d.latency().decodeAndMergeWith(com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput.wrap(
                                    rs.getBytes(2)));
                        } catch (java.io.IOException e) {
                            throw new SQLException("stored latency sketch is unreadable", "XX001", e);
                        }
                        out.put(rs.getTimestamp(1).toInstant(), d.latency());
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Binds the bucket range of a series: the window's hours, or the whole days covering it. */
    private static void bindBuckets(PreparedStatement ps, int from, Window w, RollupKey.Span span) throws SQLException {
        Window range = span == RollupKey.Span.DAY ? w.days() : w;
        ps.setTimestamp(from, Timestamp.from(range.from()));
        ps.setTimestamp(from + 1, Timestamp.from(range.to()));
    }

    private static RollupDelta slot(Map<String, Map<RollupKey.Deployment, RollupDelta>> out, ResultSet rs)
            throws SQLException {
        return slot(out, rs.getString(1), new RollupKey.Deployment(rs.getString(2), rs.getString(3), rs.getString(4)));
    }

    private static RollupDelta slot(Map<String, Map<RollupKey.Deployment, RollupDelta>> out, String task,
                                    RollupKey.Deployment deployment) {
        return out.computeIfAbsent(task, t -> new HashMap<>()).computeIfAbsent(deployment, d -> new RollupDelta());
    }

    /** The delta columns, with NULL for the sketches and cohorts a read does not need (they are large). */
    private static String columns(boolean latency, Cohorts cohorts) {
        String c = latency ? RollupDeltas.COLUMNS : RollupDeltas.COLUMNS.replace("latency", "NULL::bytea");
        return cohorts == Cohorts.NONE ? c.replace("cohorts", "NULL::bytea") : c;
    }

    private static Instant ceilDay(Instant t) {
        Instant d = t.truncatedTo(ChronoUnit.DAYS);
        return d.equals(t) ? d : d.plus(1, ChronoUnit.DAYS);
    }

    /** Changes whenever a batch appends rollups: the last pending row's id. For caches of what reads them. */
    public static String appendedVersion(java.sql.Connection c) throws java.sql.SQLException {
        return io.tailaudit.server.db.SingleValue.text(c, "SELECT last_value::text FROM tail_rollup_pending_id_seq");
    }
}
