package io.tailaudit.server.alerts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.tailaudit.server.analytics.TaskAnalytics;
import io.tailaudit.server.analytics.TaskListCache;
import io.tailaudit.server.analytics.TaskViews;
import io.tailaudit.server.db.AdvisoryLock;
import io.tailaudit.server.ingest.IngestService;
import io.tailaudit.server.rollup.RollupCompactor;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.settings.TaskSettingsService;
import io.tailaudit.server.tail.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Evaluates the enabled rules, moves each rule x subject through pending, firing and resolved, and writes
 * the history and the notifications (the outbox) in the transaction that records the change. One replica
 * evaluates at a time: the cycle runs under a transaction-scoped advisory lock, so two evaluators never
 * both see a condition newly firing, and a page is queued once.
 */
@ApplicationScoped
public class AlertEvaluator {

    private static final Logger LOG = Logger.getLogger(AlertEvaluator.class);
    /** "tailalrt" in ASCII. */
    private static final long LOCK_KEY = 0x7461696c616c7274L;
    /** A trend stops firing only once its p-value is past twice the test's 5%: the signal's hysteresis. */
    private static final double TREND_CLEAR_P = 0.10;

    private final DataSource dataSource;
    private final AlertStore store;
    private final TaskListCache lists;
    private final TaskAnalytics analytics;
    private final TaskSettingsService settings;
    private final IngestService ingest;
    private final RollupCompactor compactor;
    private final AlertsConfig config;
    private final NotificationRenderer renderer;
    private final Clock clock;
    private final Timer duration;
    private final MeterRegistry registry;
    private final Map<String, Counter> firings = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> firing = new ConcurrentHashMap<>();
    private final TaskGauges taskGauges;
    /**
     * Latency shares of the windows longer than 1h that rules read, refreshed in the background every minute
     * ({@link #refreshLatencies}): they read every task's latency sketches over days.
     */
    private final Map<String, Map<String, TaskViews.Rate>> latencies = new ConcurrentHashMap<>();
    /** The windows of {@link #latencies} a cycle read since the last refresh; the others are dropped. */
    private final java.util.Set<String> latenciesRead = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    AlertEvaluator(DataSource dataSource, AlertStore store, TaskListCache lists, TaskAnalytics analytics,
                   TaskSettingsService settings, IngestService ingest, RollupCompactor compactor, AlertsConfig config,
                   NotificationRenderer renderer, Clock clock, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.store = store;
        this.lists = lists;
        this.analytics = analytics;
        this.settings = settings;
        this.ingest = ingest;
        this.compactor = compactor;
        this.config = config;
        this.renderer = renderer;
        this.clock = clock;
        this.registry = registry;
        this.duration = Timer.builder("tailaudit.alert.evaluation.duration").publishPercentiles(0.5, 0.95)
                .description("Time to evaluate every enabled alert rule once").register(registry);
        for (String severity : AlertRule.SEVERITIES) {
            firings.put(severity, Counter.builder("tailaudit.alert.firings").tag("severity", severity)
                    .description("Alerts that started firing").register(registry));
            AtomicInteger n = new AtomicInteger();
            firing.put(severity, n);
            Gauge.builder("tailaudit.alerts.firing", n, AtomicInteger::get).tag("severity", severity)
                    .description("Alerts (rule x subject) firing after the last evaluation").register(registry);
        }
        this.taskGauges = new TaskGauges(registry, config.maxTaskGauges());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "{tailaudit.alerts.evaluate-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        if (!config.enabled()) {
            return;
        }
        try {
            evaluate();
        } catch (SQLException | RuntimeException e) {
            if (!stopping) {
                LOG.warnf("alert evaluation failed, next cycle retries: %s", e.getMessage());
            }
        }
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
            } catch (SQLException | RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.warnf("latency shares over %s not refreshed: %s", window, e.getMessage());
            }
        }
    }

    /** One subject's reading of one rule this cycle. */
    record Observation(String subject, String category, Double value, Double low, Double high, Double threshold,
                       boolean holds, boolean clears, String summary, String link, String verdict) {
    }

    /** A state change worth an event, before it has an id. */
    record Change(AlertRule rule, Observation o, String kind, Instant startsAt, boolean silenced, boolean send) {
    }

    /** What a cycle did: false when another replica held the lock. */
    public record Cycle(boolean evaluated, int rules, int subjects, int events, int notifications, double millis) {
    }

    /** Evaluates every enabled rule once; returns what it did. Safe to call from several replicas at once. */
    public Cycle evaluate() throws SQLException {
        long start = System.nanoTime();
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!AdvisoryLock.tryForTransaction(c, LOCK_KEY)) {
                    c.rollback();
                    return new Cycle(false, 0, 0, 0, 0, 0);
                }
                List<AlertRule> rules = store.rules(c, true);
                Map<String, State> states = states(c);
                List<AlertStore.Silence> silences = store.activeSilences(c, now);
                Readings readings = new Readings(c, now);
                StateWrites writes = new StateWrites(c);
                List<Change> changes = new ArrayList<>();
                int subjects = 0;
                for (AlertRule rule : rules) {
                    Map<String, Observation> observed = readings.observe(rule);
                    subjects += observed.size();
                    // subjects with a state but no reading this cycle (no traffic in the window) stop holding
                    for (State s : states.values()) {
                        if (s.ruleId == rule.id() && !observed.containsKey(s.subject)) {
                            observed.put(s.subject, new Observation(s.subject, null, null, null, null, null, false,
                                    true, s.summary + " (no traces in the window any more)", link(rule, s.subject),
                                    null));
                        }
                    }
                    for (Observation o : observed.values()) {
                        State s = states.get(key(rule.id(), o.subject()));
                        boolean silenced = silences.stream().anyMatch(x -> x.matches(rule.id(), o.subject(), now));
                        int before = changes.size();
                        step(writes, rule, o, s, silenced, now, changes);
                        if (rule.metric() == AlertMetric.VERDICT_CHANGED && changes.size() > before
                                && "firing".equals(changes.get(before).kind())) {
                            readings.acknowledge(o.subject(), o.verdict());   // the change is now the norm
                        }
                    }
                }
                writes.flush();
                writes.close();
                readings.acknowledgeVerdicts();
                int notifications = 0;
                List<Long> ids = insertEvents(c, changes, now);
                notifications = enqueue(c, changes, ids, now);
                c.commit();
                changes.stream().filter(ch -> "firing".equals(ch.kind()) && ch.startsAt().equals(now))
                        .forEach(ch -> firings.get(ch.rule().severity()).increment());
                countFiring(c);
                taskGauges.update(readings.list("24h"), t -> readings.settings(t).tailThreshold());
                long nanos = System.nanoTime() - start;
                duration.record(nanos, TimeUnit.NANOSECONDS);
                if (LOG.isDebugEnabled()) {
                    LOG.debugf("alert cycle rules=%d subjects=%d events=%d read_ms=%.1f ms=%.1f", rules.size(),
                            subjects, changes.size(), readings.readNanos / 1e6, nanos / 1e6);
                }
                return new Cycle(true, rules.size(), subjects, changes.size(), notifications, nanos / 1e6);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The state machine of one rule x subject; records what changed. */
    private void step(StateWrites c, AlertRule rule, Observation o, State s, boolean silenced, Instant now,
                      List<Change> changes) throws SQLException {
        Duration forDuration = Duration.ofSeconds(rule.forSeconds());
        if (s == null) {
            if (!o.holds()) {
                return;
            }
            if (rule.forSeconds() == 0) {
                c.insert(rule, o, now, true, !silenced);
                changes.add(new Change(rule, o, "firing", now, silenced, !silenced));
            } else {
                c.insert(rule, o, now, false, false);
            }
            return;
        }
        if (!s.firing) {
            if (!o.holds()) {
                c.delete(rule.id(), o.subject());       // stopped holding before its for: nothing happened
            } else if (!s.pendingSince.plus(forDuration).isAfter(now)) {
                c.update(rule, o, true, now, !silenced, silenced ? null : now);
                changes.add(new Change(rule, o, "firing", now, silenced, !silenced));
            }
            return;       // still pending: the row keeps the reading that started it
        }
        if (o.clears()) {
            c.delete(rule.id(), o.subject());
            // a receiver that was told it fires is told it resolved, silence or not
            changes.add(new Change(rule, o, "resolved", s.firingSince, silenced, s.notified));
        } else if (!s.notified && !silenced) {
            // the silence that kept it quiet ended while it still fires
            c.update(rule, o, true, s.firingSince, true, now);
            changes.add(new Change(rule, o, "firing", s.firingSince, false, true));
        } else if (s.notified && !silenced && s.lastNotifiedAt != null
                && !s.lastNotifiedAt.plusSeconds(rule.repeatSeconds()).isAfter(now)) {
            c.update(rule, o, true, s.firingSince, true, now);
            changes.add(new Change(rule, o, "repeat", s.firingSince, false, true));
        }
        // still firing, nothing to send: the row keeps the reading of its last notification
    }

    // ---- readings

    /** What the rules read this cycle, each source read once. */
    private final class Readings {

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

        Readings(Connection c, Instant now) {
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
                l = "1h".equals(window) ? lastHour().list() : AlertEvaluator.this.lists.latest(window);
                readNanos += System.nanoTime() - t0;
                lists.put(window, l);
            }
            return l;
        }

        /** The last hour's list and latency shares, read once per cycle when a rule needs either. */
        private TaskAnalytics.AlertReadings lastHour() throws SQLException {
            if (lastHour == null) {
                lastHour = analytics.alertReadings("1h", AlertEvaluator.this.lists.window("1h"));
            }
            return lastHour;
        }

        TaskViews.TaskList verdicts(String window) throws SQLException {
            return AlertEvaluator.this.lists.latest(window);
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
                    l = analytics.overLatencyBudget(AlertEvaluator.this.lists.window(window));
                    latencies.put(window, l);
                }
                readNanos += System.nanoTime() - t0;
                latency.put(window, l);
            }
            return l;
        }

        private TaskSettings settings(TaskViews.TaskSummary t) {
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

    // ---- state rows

    private static final class State {
        long ruleId;
        String subject;
        boolean firing;
        Instant pendingSince;
        Instant firingSince;
        boolean notified;
        Instant lastNotifiedAt;
        String summary;
    }

    private static String key(long rule, String subject) {
        return rule + "\u0000" + subject;
    }

    private static Map<String, State> states(Connection c) throws SQLException {
        Map<String, State> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT rule_id, subject, firing, pending_since, firing_since,"
                + " notified, last_notified_at, summary FROM alert_state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                State s = new State();
                s.ruleId = rs.getLong(1);
                s.subject = rs.getString(2);
                s.firing = rs.getBoolean(3);
                s.pendingSince = rs.getTimestamp(4).toInstant();
                s.firingSince = instant(rs.getTimestamp(5));
                s.notified = rs.getBoolean(6);
                s.lastNotifiedAt = instant(rs.getTimestamp(7));
                s.summary = rs.getString(8);
                out.put(key(s.ruleId, s.subject), s);
            }
        }
        return out;
    }

    /** The cycle's state changes, written in three batches once every rule is evaluated. */
    private static final class StateWrites implements AutoCloseable {

        private final PreparedStatement insert;
        private final PreparedStatement update;
        private final PreparedStatement delete;

        StateWrites(Connection c) throws SQLException {
            insert = c.prepareStatement("""
                    INSERT INTO alert_state (rule_id, subject, firing, pending_since, firing_since, notified,
                                             last_notified_at, value, low, high, summary, verdict)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
            update = c.prepareStatement("""
                    UPDATE alert_state SET firing = ?, firing_since = ?, notified = ?, last_notified_at = ?, value = ?,
                           low = ?, high = ?, summary = ?, verdict = ?
                     WHERE rule_id = ? AND subject = ?""");
            delete = c.prepareStatement("DELETE FROM alert_state WHERE rule_id = ? AND subject = ?");
        }

        void insert(AlertRule rule, Observation o, Instant now, boolean firing, boolean notified)
                throws SQLException {
            insert.setLong(1, rule.id());
            insert.setString(2, o.subject());
            insert.setBoolean(3, firing);
            insert.setTimestamp(4, Timestamp.from(now));
            insert.setTimestamp(5, firing ? Timestamp.from(now) : null);
            insert.setBoolean(6, notified);
            insert.setTimestamp(7, notified ? Timestamp.from(now) : null);
            AlertStore.setDouble(insert, 8, o.value());
            AlertStore.setDouble(insert, 9, o.low());
            AlertStore.setDouble(insert, 10, o.high());
            insert.setString(11, o.summary());
            insert.setString(12, o.verdict());
            insert.addBatch();
        }

        void update(AlertRule rule, Observation o, boolean firing, Instant firingSince, boolean notified,
                    Instant lastNotifiedAt) throws SQLException {
            update.setBoolean(1, firing);
            update.setTimestamp(2, firingSince == null ? null : Timestamp.from(firingSince));
            update.setBoolean(3, notified);
            update.setTimestamp(4, lastNotifiedAt == null ? null : Timestamp.from(lastNotifiedAt));
            AlertStore.setDouble(update, 5, o.value());
            AlertStore.setDouble(update, 6, o.low());
            AlertStore.setDouble(update, 7, o.high());
            update.setString(8, o.summary());
            update.setString(9, o.verdict());
            update.setLong(10, rule.id());
            update.setString(11, o.subject());
            update.addBatch();
        }

        void delete(long rule, String subject) throws SQLException {
            delete.setLong(1, rule);
            delete.setString(2, subject);
            delete.addBatch();
        }

        void flush() throws SQLException {
            insert.executeBatch();
            update.executeBatch();
            delete.executeBatch();
        }

        @Override
        public void close() throws SQLException {
            insert.close();
            update.close();
            delete.close();
        }
    }

    // ---- history and outbox

    private List<Long> insertEvents(Connection c, List<Change> changes, Instant now) throws SQLException {
        List<Long> ids = new ArrayList<>();
        if (changes.isEmpty()) {
            return ids;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO alert_event (rule_id, rule_name, metric, subject, severity, kind, at, value, low, high,
                                         threshold, summary, link, silenced, fingerprint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")) {
            for (Change ch : changes) {
                AlertRule r = ch.rule();
                Observation o = ch.o();
                ps.setLong(1, r.id());
                ps.setString(2, r.name());
                ps.setString(3, r.metric().code);
                ps.setString(4, o.subject());
                ps.setString(5, r.severity());
                ps.setString(6, ch.kind());
                ps.setTimestamp(7, Timestamp.from(now));
                AlertStore.setDouble(ps, 8, o.value());
                AlertStore.setDouble(ps, 9, o.low());
                AlertStore.setDouble(ps, 10, o.high());
                AlertStore.setDouble(ps, 11, o.threshold());
                ps.setString(12, o.summary());
                ps.setString(13, o.link());
                ps.setBoolean(14, ch.silenced());
                ps.setString(15, fingerprint(r.id(), o.subject()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Renders and queues the notifications of this cycle's changes: one request per channel and group. */
    private int enqueue(Connection c, List<Change> changes, List<Long> ids, Instant now) throws SQLException {
        List<NotificationRenderer.Alert> alerts = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change ch = changes.get(i);
            if (ch.send()) {
                alerts.add(new NotificationRenderer.Alert(ids.get(i), ch.rule(), ch.o().subject(), ch.o().category(),
                        ch.kind(), ch.startsAt(), now, ch.o().value(), ch.o().low(), ch.o().high(), ch.o().threshold(),
                        ch.o().summary(), ch.o().link(), fingerprint(ch.rule().id(), ch.o().subject())));
            }
        }
        if (alerts.isEmpty()) {
            return 0;
        }
        int queued = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO alert_notification (channel_id, event_ids, body, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?)""")) {
            for (AlertStore.ChannelSecret ch : store.channelsWithSecrets(c, true)) {
                List<NotificationRenderer.Alert> mine = alerts.stream().filter(a -> AlertRule.rank(a.rule().severity())
                        <= AlertRule.rank(ch.channel().minSeverity())).toList();
                for (NotificationRenderer.Rendered r : renderer.render(ch, mine)) {
                    ps.setLong(1, ch.channel().id());
                    ps.setArray(2, c.createArrayOf("bigint", r.eventIds().toArray()));
                    ps.setString(3, r.body());
                    ps.setTimestamp(4, Timestamp.from(now));
                    ps.setTimestamp(5, Timestamp.from(now));
                    ps.addBatch();
                    queued++;
                }
            }
            if (queued > 0) {
                ps.executeBatch();
            }
        }
        return queued;
    }

    private void countFiring(Connection c) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.severity, count(*) FROM alert_state s"
                + " JOIN alert_rule r ON r.id = s.rule_id WHERE s.firing GROUP BY r.severity");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        firing.forEach((sev, n) -> n.set(counts.getOrDefault(sev, 0)));
    }

    /** Stable per rule x subject: PagerDuty's dedup key, Alertmanager's identity, the webhook's fingerprint. */
    static String fingerprint(long rule, String subject) {
        String s = "tailaudit/rule-" + rule + (subject.isEmpty() ? "" : "/" + subject);
        return s.length() > 255 ? s.substring(0, 255) : s;
    }

    private String link(AlertRule rule, String subject) {
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

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
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
