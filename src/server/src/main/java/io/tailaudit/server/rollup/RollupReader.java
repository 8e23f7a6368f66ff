package io.tailaudit.server.rollup;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
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
    private static final String BUCKETS = """
            ((span = 'd' AND bucket >= ? AND bucket < ?) OR (span = 'h' AND bucket >= ? AND bucket < ?)
             OR (span = 'h' AND bucket >= ? AND bucket < ?))""";

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

    /**
     * Per task (or the one asked for) and deployment: the totals over {@code w} with the context cohorts,
     * exact to the hour.
     */
    public Map<String, Map<RollupKey.Deployment, TailAggregate>> totals(Optional<String> task, Window w)
            throws SQLException {
        return read(task, w, Cohorts.CONTEXT, true);
    }

    /**
     * Per task (or the ones asked for) and deployment: the totals over {@code w}, with the context cohorts
     * when {@code context} and without latency, for lists.
     */
    public Map<String, Map<RollupKey.Deployment, TailAggregate>> summaries(Optional<String> task, Window w,
                                                                          boolean context) throws SQLException {
        return read(task, w, context ? Cohorts.CONTEXT : Cohorts.NONE, false);
    }

    private enum Cohorts { NONE, CONTEXT, ALL }

    /**
     * One task's deployments over the whole UTC days covering {@code w}, with every cohort dimension: the base
     * the cohort lift is computed against.
     */
    public Map<RollupKey.Deployment, TailAggregate> daily(String task, Window w) throws SQLException {
        return read(Optional.of(task), w.days(), Cohorts.ALL, false).getOrDefault(task, Map.of());
    }

    private Map<String, Map<RollupKey.Deployment, TailAggregate>> read(Optional<String> task, Window w,
                                                                       Cohorts cohorts, boolean latency)
            throws SQLException {
        Instant fullFrom = ceilDay(w.from());
        Instant fullTo = w.to().truncatedTo(ChronoUnit.DAYS);
        Instant[] b = fullFrom.isBefore(fullTo)
                ? new Instant[] {fullFrom, fullTo, w.from(), fullFrom, fullTo, w.to()}
                : new Instant[] {w.from(), w.from(), w.from(), w.to(), w.to(), w.to()};
        String taskFilter = task.isPresent() ? " AND task = ?" : "";
        Map<String, Map<RollupKey.Deployment, RollupDelta>> out = new TreeMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                Predicate<Cohort> keep = switch (cohorts) {
                    case NONE -> c2 -> false;
                    case CONTEXT -> Cohort::hourly;
                    case ALL -> c2 -> true;
                };
                try (PreparedStatement ps = c.prepareStatement("SELECT " + TOTAL_COLUMNS
                        + columns(latency, cohorts) + " FROM tail_rollup WHERE " + BUCKETS + taskFilter)) {
                    bind(ps, b, task);
                    collect(ps, out, keep);
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT task, deployment_kind, provider, model, hour, "
                        + columns(latency, cohorts) + " FROM tail_rollup_delta WHERE hour >= ? AND hour < ?" + taskFilter)) {
                    ps.setTimestamp(1, Timestamp.from(w.from()));
                    ps.setTimestamp(2, Timestamp.from(w.to()));
                    if (task.isPresent()) {
                        ps.setString(3, task.get());
                    }
                    collect(ps, out, keep);
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        Map<String, Map<RollupKey.Deployment, TailAggregate>> result = new TreeMap<>();
        out.forEach((t, deployments) -> {
            Map<RollupKey.Deployment, TailAggregate> m = new TreeMap<>();
            deployments.forEach((d, delta) -> {
                if (delta.traces > 0) {
                    m.put(d, new TailAggregate(delta));
                }
            });
            if (!m.isEmpty()) {
                result.put(t, m);
            }
        });
        return result;
    }

    private static void collect(PreparedStatement ps, Map<String, Map<RollupKey.Deployment, RollupDelta>> out,
                                Predicate<Cohort> keep) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                RollupDeltas.addTo(slot(out, rs), rs, 6, keep);
            }
        }
    }

    private static RollupDelta slot(Map<String, Map<RollupKey.Deployment, RollupDelta>> out, ResultSet rs)
            throws SQLException {
        return out.computeIfAbsent(rs.getString(1), t -> new HashMap<>())
                .computeIfAbsent(new RollupKey.Deployment(rs.getString(2), rs.getString(3), rs.getString(4)),
                        d -> new RollupDelta());
    }

    private static void bind(PreparedStatement ps, Instant[] b, Optional<String> task) throws SQLException {
        for (int i = 0; i < b.length; i++) {
            ps.setTimestamp(i + 1, Timestamp.from(b[i]));
        }
        if (task.isPresent()) {
            ps.setString(b.length + 1, task.get());
        }
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
}
