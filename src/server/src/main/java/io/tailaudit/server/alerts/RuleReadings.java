package io.tailaudit.server.alerts;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.analytics.TaskAnalytics;
import io.tailaudit.server.analytics.TaskListCache;
import io.tailaudit.server.analytics.TaskViews;
import io.tailaudit.server.index.ScopeDrifts;
import io.tailaudit.server.ingest.IngestService;
import io.tailaudit.server.ingest.Producers;
import io.tailaudit.server.rollup.RollupCompactor;
import io.tailaudit.server.settings.TaskSettingsService;
import io.tailaudit.server.tail.ScopeDrift;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.tail.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the rules read: per cycle ({@link #begin}) the task lists, latency shares, task settings, verdicts
 * last acknowledged and the platform's figures, each read once, turned into one {@link Observation} per rule
 * and subject. Holds between cycles the latency shares of the windows longer than 1h, refreshed in the
 * background, and the verdicts acknowledged ({@code alert_verdict}).
 */
@ApplicationScoped
class RuleReadings {

    private static final Logger LOG = Logger.getLogger(RuleReadings.class);
    /** A trend stops firing only once its p-value is past twice the test's 5%: the signal's hysteresis. */
    private static final double TREND_CLEAR_P = 0.10;

    private final TaskListCache lists;
    private final TaskAnalytics analytics;
    private final TaskSettingsService settings;
    private final IngestService ingest;
    private final Producers producers;
    private final RollupCompactor compactor;
    private final AlertsConfig config;
    private final ScopeDrifts scope;
    /**
     * Latency shares of the windows longer than 1h that rules read, refreshed in the background every minute
     * ({@link #refreshLatencies}): they read every task's latency sketches over days.
     */
    private final Map<String, Map<String, TaskViews.Rate>> latencies = new ConcurrentHashMap<>();
    /** The windows of {@link #latencies} a cycle read since the last refresh; the others are dropped. */
    private final Set<String> latenciesRead = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    RuleReadings(TaskListCache lists, TaskAnalytics analytics, TaskSettingsService settings, IngestService ingest,
                 RollupCompactor compactor, AlertsConfig config, ScopeDrifts scope, Producers producers) {
        this.scope = scope;
        this.producers = producers;
        this.lists = lists;
        this.analytics = analytics;
        this.settings = settings;
        this.ingest = ingest;
        this.compactor = compactor;
        this.config = config;
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /**
     * Recomputes the latency shares of the longer windows rules read, off the cycle, so a cycle never waits
     * for sketches over days (only the first reading of a window does).
     */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refreshLatencies() {
        for (String window : latencies.keySet()) {
            if (!latenciesRead.remove(window)) {
                latencies.remove(window);        // no rule reads it any more
                continue;
            }
            try {
                latencies.put(window, analytics.overLatencyBudget(lists.window(window)));
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.warnf("latency shares over %s not refreshed: %s", window, e.getMessage());
            }
        }
    }

    /** The readings of one cycle, inside its transaction. */
    CycleReadings begin(Connection c, Instant now) {
        return new CycleReadings(c, now);
    }

    /** What the rules read in one cycle, each source read once. */
    final class CycleReadings {

        private final Connection c;
        private final Instant now;
        private final Map<String, TaskViews.TaskList> lists = new HashMap<>();
        private final Map<String, Map<String, TaskViews.Rate>> latency = new HashMap<>();
        private Map<String, TaskSettings> taskSettings;
        private Map<String, String> verdicts;
        private final Map<String, String> acknowledge = new HashMap<>();
        /** Time spent reading task lists and latency shares, for the debug log. */
        long readNanos;
        private TaskAnalytics.AlertReadings lastHour;
        private final Map<String, Map<String, ScopeDrifts.Measured>> drifts = new HashMap<>();

        private CycleReadings(Connection c, Instant now) {
            this.c = c;
            this.now = now;
        }

        /**
         * The task list of a named window: for 1h read each cycle, with every committed trace (without the
         * sparklines and the HYBRID check, which no rate needs); for the longer windows, where seconds move
         * the figures little, the list the console and the API share as last computed: the background
         * refresh recomputes it every {@code list-refresh} and moves it on when the hour turns, so a cycle
         * never waits for it. Verdict rules always read the shared list, HYBRID included.
         */
        TaskViews.TaskList list(String window) throws SQLException {
            TaskViews.TaskList l = lists.get(window);
            if (l == null) {
                long t0 = System.nanoTime();
                l = "1h".equals(window) ? lastHour().list() : RuleReadings.this.lists.latest(window);
                readNanos += System.nanoTime() - t0;
                lists.put(window, l);
            }
            return l;
        }

        /** The last hour's list and latency shares, read once per cycle when a rule needs either. */
        private TaskAnalytics.AlertReadings lastHour() throws SQLException {
            if (lastHour == null) {
                lastHour = analytics.alertReadings("1h", RuleReadings.this.lists.window("1h"));
            }
            return lastHour;
        }

        TaskViews.TaskList verdicts(String window) throws SQLException {
            return RuleReadings.this.lists.latest(window);
        }

        Map<String, Observation> observe(AlertRule rule) throws SQLException {
            Map<String, Observation> out = new LinkedHashMap<>();
            if (rule.metric().platform) {
                Observation o = platform(rule);
                if (o != null) {
                    out.put(o.subject(), o);
                }
                return out;
            }
            TaskViews.TaskList list = rule.metric() == AlertMetric.VERDICT_CHANGED ? verdicts(rule.window())
                    : list(rule.window());
            for (TaskViews.TaskSummary t : list.tasks()) {
                if (rule.covers(t.task(), t.category())) {
                    Observation o = task(rule, t);
                    if (o != null) {
                        out.put(t.task(), o);
                    }
                }
            }
            return out;
        }

        private Observation task(AlertRule rule, TaskViews.TaskSummary t) throws SQLException {
            String w = rule.window();
            String link = link(rule, t.task());
            return switch (rule.metric()) {
                case VISIBLE_FAILURE_RATE -> rate(rule, t, t.visibleFailureRate(), tailThreshold(rule, t),
                        "visible-failure rate", link);
                case WORST5_VISIBLE_FAILURE_RATE -> rate(rule, t, t.worst5VisibleFailureRate(),
                        tailThreshold(rule, t), "worst-5% visible-failure rate", link);
                case ESCALATION_RATE -> rate(rule, t, t.escalationRate(), rule.threshold(), "escalation rate", link);
                case LATENCY_OVER_BUDGET -> {
                    TaskViews.Rate r = latency(w).get(t.task());
                    yield r == null ? null : rate(rule, t, r, rule.threshold(),
                            "share over the " + fmtMs(settings(t).latencyBudgetMs()) + " latency budget", link);
                }
                case ESCALATION_TREND -> {
                    TaskViews.Trend tr = t.escalationTrend();
                    boolean up = "up".equals(tr.direction()) && tr.significant();
                    boolean stillUp = tr.z() != null && tr.z() > 0 && tr.pValue() != null
                            && tr.pValue() <= TREND_CLEAR_P;
                    String summary = String.format(Locale.ROOT, "%s: escalation rate %s against %s in the previous %s"
                                    + "%s", t.task(), pct(tr.current()), pct(tr.previous()), w,
                            tr.pValue() == null ? "" : String.format(Locale.ROOT,
                                    " (two-proportion z = %.2f, p = %.3g)",
                                    tr.z(), tr.pValue()));
                    yield new Observation(t.task(), t.category(), tr.current(), null, null, null, up, !stillUp,
                            summary, link, null);
                }
                case COST_OVER_BREAK_EVEN -> {
                    if (t.deployment() == null || !"cloud".equals(t.deployment().kind())
                            || t.breakEvenTokensPerDay() == null || t.breakEvenTokensPerDay() <= 0) {
                        yield null;
                    }
                    double multiple = t.tokensPerDay() / t.breakEvenTokensPerDay();
                    String summary = String.format(Locale.ROOT, "%s: %s tokens/day on %s, %.1f x the break-even of"
                                    + " %s tokens/day%s", t.task(), count(t.tokensPerDay()), t.deployment().model(),
                            multiple, count(t.breakEvenTokensPerDay()),
                            t.costPerDay() == null ? "" : String.format(Locale.ROOT, " ($%.2f/day)", t.costPerDay()));
                    yield new Observation(t.task(), t.category(), multiple, null, null, rule.threshold(),
                            multiple > rule.threshold(), multiple < rule.threshold() * (1 - rule.hysteresis()),
                            summary, link, null);
                }
                case VERDICT_CHANGED -> verdict(rule, t, link);
                case SCOPE_DRIFT_SHARE -> {
                    ScopeDrifts.Measured m = drifts(w).get(t.task());
                    if (m == null || !m.drift().measured()) {
                        yield null;
                    }
                    ScopeDrift d = m.drift();
                    yield rate(rule, t, new TaskViews.Rate(d.share(), d.interval().low(), d.interval().high(), d.novel(),
                            d.sampled()), rule.threshold(), "share of novel inputs (" + count(d.sampled())
                            + " scored)", link);
                }
                default -> null;
            };
        }

        /** The rule's own threshold, else the task's tail threshold T (a tail rule without one). */
        private double tailThreshold(AlertRule rule, TaskViews.TaskSummary t) {
            return rule.threshold() != null ? rule.threshold() : settings(t).tailThreshold();
        }

        private Observation rate(AlertRule rule, TaskViews.TaskSummary t, TaskViews.Rate r, double threshold,
                                 String what, String link) {
            if (r == null || r.denominator() <= 0) {
                return null;
            }
            String summary = String.format(Locale.ROOT, "%s: %s %s (95%% CI %s-%s) over the last %s, %s the"
                            + " threshold %s; %s traces", t.task(), what, pct(r.rate()), pct(r.low()), pct(r.high()),
                    rule.window(), r.low() > threshold ? "above" : "against", pct(threshold), count(t.traces()));
            return new Observation(t.task(), t.category(), r.rate(), r.low(), r.high(), threshold,
                    r.low() > threshold, r.rate() < threshold * (1 - rule.hysteresis()), summary, link, null);
        }

        /**
         * Holds while the verdict differs from the one last acknowledged, once decided (a move to
         * INSUFFICIENT_DATA is not a change); firing acknowledges the new verdict, so it resolves next cycle.
         */
        private Observation verdict(AlertRule rule, TaskViews.TaskSummary t, String link) throws SQLException {
            if (verdicts == null) {
                verdicts = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT task, verdict FROM alert_verdict");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        verdicts.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            String now = t.verdict().kind().name();
            String before = verdicts.get(t.task());
            if (t.verdict().kind() == Verdict.Kind.INSUFFICIENT_DATA) {
                return new Observation(t.task(), t.category(), null, null, null, null, false, true,
                        t.task() + ": verdict undecided", link, now);
            }
            if (before == null) {
                acknowledge.put(t.task(), now);       // first sight: nothing changed
                return new Observation(t.task(), t.category(), null, null, null, null, false, true,
                        t.task() + ": verdict " + now, link, now);
            }
            boolean changed = !before.equals(now);
            return new Observation(t.task(), t.category(), null, null, null, null, changed, !changed,
                    t.task() + ": verdict " + (changed ? "changed from " + before + " to " + now : now) + " over the"
                            + " last " + rule.window() + ": " + t.verdict().headline(), link, now);
        }

        /** The drift each task had over the window as last measured, read once per cycle and window. */
        private Map<String, ScopeDrifts.Measured> drifts(String window) {
            return drifts.computeIfAbsent(window, scope::window);
        }

        /** Stores the verdicts seen for the first time, and those that fired. */
        void acknowledgeVerdicts() throws SQLException {
            if (acknowledge.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO alert_verdict (task, verdict, since) VALUES (?, ?, ?)
                    ON CONFLICT (task) DO UPDATE SET verdict = excluded.verdict, since = excluded.since""")) {
                for (Map.Entry<String, String> e : acknowledge.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setString(2, e.getValue());
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }

        void acknowledge(String task, String verdict) {
            acknowledge.put(task, verdict);
        }

        /**
         * Latency shares per task: read each cycle for 1h; for longer windows as the background refresh last
         * computed them (at most a minute old), computed here only at the window's first reading.
         */
        private Map<String, TaskViews.Rate> latency(String window) throws SQLException {
            Map<String, TaskViews.Rate> l = latency.get(window);
            if (l == null) {
                long t0 = System.nanoTime();
                l = "1h".equals(window) ? lastHour().overLatencyBudget() : latencies.get(window);
                if (!"1h".equals(window)) {
                    latenciesRead.add(window);
                }
                if (l == null) {
                    l = analytics.overLatencyBudget(RuleReadings.this.lists.window(window));
                    latencies.put(window, l);
                }
                readNanos += System.nanoTime() - t0;
                latency.put(window, l);
            }
            return l;
        }

        TaskSettings settings(TaskViews.TaskSummary t) {
            if (taskSettings == null) {
                Map<String, String> observed = new HashMap<>();
                for (String w : lists.keySet()) {
                    lists.get(w).tasks().forEach(x -> observed.put(x.task(), x.category()));
                }
                taskSettings = new HashMap<>(settings.effective(observed));
            }
            return taskSettings.computeIfAbsent(t.task(), task -> settings.effective(task, t.category()));
        }

        private Observation platform(AlertRule rule) throws SQLException {
            double threshold = rule.threshold();
            double value;
            String summary;
            switch (rule.metric()) {
                case DLQ_RATE -> {
                    Duration w = TaskListCache.WINDOWS.get(rule.window());
                    long dead = ingest.deadLettersSince(c, now.minus(w));
                    value = dead / (double) w.toMinutes();
                    summary = String.format(Locale.ROOT, "%s dead letters in the last %s, %.1f per minute",
                            count(dead), rule.window(), value);
                }
                case CONSUMER_LAG -> {
                    IngestService.ConsumerState s = ingest.consumerState();
                    if (!s.enabled() || s.lagRecords() < 0) {
                        return null;
                    }
                    value = s.lagRecords();
                    summary = count(value) + " trace records wait to be consumed";
                }
                case PRODUCER_GAP -> {
                    Producers.Ledger ledger = producers.since(now.minus(TaskListCache.WINDOWS.get(rule.window())));
                    value = ledger.overdueMissing();
                    List<String> lost = ledger.producers().stream().filter(p -> p.overdueMissing() > 0)
                            .map(p -> p.producerId() + " (" + count(p.overdueMissing()) + ")").limit(3).toList();
                    summary = value == 0 ? "no producer has a gap past the " + ledger.grace().toMinutes()
                            + "-minute grace period" : count(value) + " events lost by " + String.join(", ", lost)
                            + (lost.size() < ledger.producers().stream().filter(p -> p.overdueMissing() > 0).count()
                            ? " and others" : "");
                }
                case ROLLUP_LAG -> {
                    value = compactor.lagSeconds();
                    summary = String.format(Locale.ROOT, "the oldest pending rollup has waited %.0f s to be folded",
                            value);
                }
                default -> {
                    return null;
                }
            }
            return new Observation("", null, value, null, null, threshold, value > threshold,
                    value < threshold * (1 - rule.hysteresis()), summary, link(rule, ""), null);
        }
    }

    /** Where an alert on this rule and subject points: the task's page, its worst slice, or the alerts page. */
    String link(AlertRule rule, String subject) {
        String base = config.consoleUrl().replaceAll("/+$", "");
        if (subject.isEmpty()) {
            return base + "/alerts";
        }
        String task = URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
        // the worst-5% rule's evidence is the slice itself; the visible-failure rate's is the verdict's page
        return rule.metric() == AlertMetric.WORST5_VISIBLE_FAILURE_RATE
                ? base + "/tasks/" + task + "/worst?window=" + rule.window()
                : base + "/tasks/" + task + "?window=" + rule.window();
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }

    static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String fmtMs(double ms) {
        return ms >= 1000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000) : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
