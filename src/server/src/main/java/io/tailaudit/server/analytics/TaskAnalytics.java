package io.tailaudit.server.analytics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.tailaudit.server.analytics.TaskViews.CohortLift;
import io.tailaudit.server.analytics.TaskViews.ContextSplit;
import io.tailaudit.server.analytics.TaskViews.Cost;
import io.tailaudit.server.analytics.TaskViews.DeploymentDetail;
import io.tailaudit.server.analytics.TaskViews.DeploymentId;
import io.tailaudit.server.analytics.TaskViews.FailureModes;
import io.tailaudit.server.analytics.TaskViews.Latency;
import io.tailaudit.server.analytics.TaskViews.Rate;
import io.tailaudit.server.analytics.TaskViews.StatusCounts;
import io.tailaudit.server.analytics.TaskViews.TaskDetail;
import io.tailaudit.server.analytics.TaskViews.TaskList;
import io.tailaudit.server.analytics.TaskViews.TaskSummary;
import io.tailaudit.server.analytics.TaskViews.Trend;
import io.tailaudit.server.analytics.TaskViews.VerdictView;
import io.tailaudit.server.analytics.TaskViews.WindowView;
import io.tailaudit.server.analytics.TaskViews.Worst5;
import io.tailaudit.server.rollup.Cohort;
import io.tailaudit.server.rollup.RollupKey;
import io.tailaudit.server.rollup.RollupKey.Deployment;
import io.tailaudit.server.rollup.RollupReader;
import io.tailaudit.server.rollup.RollupReader.Window;
import io.tailaudit.server.rollup.TailAggregate;
import io.tailaudit.server.tail.CostModel;
import io.tailaudit.server.tail.CostSettings;
import io.tailaudit.server.tail.DeploymentEvidence;
import io.tailaudit.server.tail.Proportions;
import io.tailaudit.server.tail.QualityHistogram;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.tail.TaskSettingsService;
import io.tailaudit.server.tail.Verdict;
import io.tailaudit.server.tail.VerdictEngine;
import io.tailaudit.server.tail.VisibleRate;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The numbers of DESIGN's metric definitions for tasks and their deployments over a window, from rollups
 * only, and the verdict each argues for.
 */
@ApplicationScoped
public class TaskAnalytics {

    static final double WORST = 0.05;
    /** The input share of a deployment with no token counts in the window (DESIGN "Cost model"). */
    static final double DEFAULT_INPUT_SHARE = 0.8;
    private static final int MAX_COHORTS = 25;
    private static final String ROUNDING = "rounded out to whole UTC hours, the rollups' resolution";

    private final RollupReader rollups;
    private final TaskSettingsService settings;
    private final CostSettings costs;
    private final Clock clock;

    TaskAnalytics(RollupReader rollups, TaskSettingsService settings, CostSettings costs, Clock clock) {
        this.rollups = rollups;
        this.settings = settings;
        this.costs = costs;
        this.clock = clock;
    }

    /** Every task with traces in the window, flagged verdicts first, then by worst-5% failure rate. */
    public TaskList list(String name, Window w, java.time.Instant requestedFrom, java.time.Instant requestedTo)
            throws SQLException {
        return list(name, w, requestedFrom, requestedTo, true, rollups.summaries(Optional.empty(), w, false));
    }

    /**
     * The task list as alert rules read it every cycle, and each task's share over its latency budget: the
     * same figures as {@link #list} without the sparklines, and without reading context cohorts to tell
     * HYBRID from MOVE_TO_CLOUD (a verdict rule reads the full list).
     */
    public record AlertReadings(TaskList list, Map<String, Rate> overLatencyBudget) {
    }

    /** {@link AlertReadings} of one window from a single read of its rollups (rules on the last hour). */
    public AlertReadings alertReadings(String name, Window w) throws SQLException {
        List<Map<String, Map<Deployment, TailAggregate>>> both = rollups.summariesWithLatency(w);
        return new AlertReadings(list(name, w, null, null, false, both), overLatencyBudget(both.get(0)));
    }

    private TaskList list(String name, Window w, java.time.Instant requestedFrom, java.time.Instant requestedTo,
                          boolean full, List<Map<String, Map<Deployment, TailAggregate>>> both) throws SQLException {
        Map<String, Map<Deployment, TailAggregate>> current = both.get(0);
        Map<String, Map<Deployment, TailAggregate>> previous = both.get(1);
        Map<String, TaskSettings> taskSettings = settingsOf(current);
        PriceBook prices = new PriceBook(costs);
        // sparklines: per day for windows of a week or more, else per hour over at least the last 24 hours
        boolean daily = w.lengthDays() >= 7;
        java.time.Instant dayBefore = w.to().minus(java.time.Duration.ofDays(1));
        var series = !full ? Map.<String, Map<Deployment, java.util.TreeMap<java.time.Instant, QualityHistogram>>>of()
                : rollups.series(daily ? w : new Window(dayBefore.isBefore(w.from()) ? dayBefore : w.from(), w.to()),
                daily ? RollupKey.Span.DAY : RollupKey.Span.HOUR);
        List<TaskSummary> rows = new ArrayList<>();
        for (Map.Entry<String, Map<Deployment, TailAggregate>> e : current.entrySet()) {
            String task = e.getKey();
            TaskSettings s = taskSettings.get(task);
            Map.Entry<Deployment, TailAggregate> top = busiest(e.getValue());
            TailAggregate a = top.getValue();
            Optional<Deployment> canary = cloudCanary(e.getValue(), top.getKey());
            Verdict v = verdict(task, top.getKey(), a, s, w, prices, canary);
            if (full && v.kind() == Verdict.Kind.MOVE_TO_CLOUD && top.getKey().local() && visibleTail(a, s)) {
                // only a local deployment with a visible tail can be HYBRID: read its context cohorts
                TailAggregate withContext = rollups.summaries(Optional.of(task), w, true).get(0).get(task)
                        .get(top.getKey());
                v = verdict(task, top.getKey(), withContext, s, w, prices, canary);
            }
            TailAggregate before = previous.getOrDefault(task, Map.of()).get(top.getKey());
            QualityHistogram.WorstSlice tail = a.quality().worst(WORST, s.qualityFloor(), s.tailAbsorbable());
            double tokensPerDay = (a.inputTokens() + a.outputTokens()) / w.lengthDays();
            OptionalDouble breakEven = prices.modelFor(top.getKey(), canary)
                    .map(p -> p.model().breakEvenTokensPerDay(inputShare(a))).orElse(OptionalDouble.empty());
            rows.add(new TaskSummary(task, s.category(), VerdictView.of(v), id(top.getKey()),
                    e.getValue().keySet().stream().map(TaskAnalytics::id).toList(), a.traces(), tokensPerDay,
                    prices.actualCost(top.getKey(), a).map(c -> c / w.lengthDays()).orElse(null),
                    breakEven.isPresent() ? breakEven.getAsDouble() : null, rate(tail.visibleFailures(), tail.size()),
                    rate(a.escalations(), a.traces()), trend(a, before),
                    tailSeries(series.getOrDefault(task, Map.of()).get(top.getKey()), s)));
        }
        rows.sort(Comparator.comparingInt((TaskSummary r) -> r.verdict().kind().rank())
                .thenComparing(r -> -r.worst5VisibleFailureRate().rate())
                .thenComparing(TaskSummary::task));
        return new TaskList(window(name, w, requestedFrom, requestedTo), clock.instant(), rows);
    }

    /**
     * Per task: the share of its busiest deployment's traces slower than the task's latency budget in the
     * window, with its Wilson interval (the count over budget read from the latency sketch, so within its 1%
     * relative accuracy of the budget). For alert rules.
     */
    public Map<String, Rate> overLatencyBudget(Window w) throws SQLException {
        return overLatencyBudget(rollups.withLatency(w));
    }

    private Map<String, Rate> overLatencyBudget(Map<String, Map<Deployment, TailAggregate>> current) {
        Map<String, TaskSettings> taskSettings = settingsOf(current);
        Map<String, Rate> out = new HashMap<>();
        current.forEach((task, deployments) -> {
            TailAggregate a = busiest(deployments).getValue();
            if (a.latency() != null && a.traces() > 0) {
                double share = overBudget(a.latency(), taskSettings.get(task).latencyBudgetMs());
                out.put(task, rate(share * a.traces(), a.traces()));
            }
        });
        return out;
    }

    /**
     * The worst-5% visible-failure rate of each bucket of a deployment's series (null where a bucket has no
     * traces), for the overview's sparkline.
     */
    private static List<Double> tailSeries(java.util.TreeMap<java.time.Instant, QualityHistogram> buckets,
                                           TaskSettings s) {
        if (buckets == null) {
            return List.of();
        }
        List<Double> out = new ArrayList<>();
        buckets.values().forEach(h -> {
            QualityHistogram.WorstSlice slice = h.worst(WORST, s.qualityFloor(), s.tailAbsorbable());
            out.add(slice.size() > 0 ? slice.visibleFailures() / slice.size() : null);
        });
        return out;
    }

    /**
     * Latency percentiles of one deployment per hour (per day for windows over 7 days), from the folded
     * rollups: the console's latency-over-time chart. Not part of the task endpoint, whose budget it would eat.
     */
    public List<TaskViews.LatencyPoint> latencyOverTime(String task, DeploymentId deployment, Window w)
            throws SQLException {
        RollupKey.Span span = w.lengthDays() > 7 ? RollupKey.Span.DAY : RollupKey.Span.HOUR;
        List<TaskViews.LatencyPoint> out = new ArrayList<>();
        rollups.latencySeries(task, new Deployment(deployment.kind(), deployment.provider() == null ? ""
                : deployment.provider(), deployment.model()), w, span).forEach((bucket, sketch) -> out.add(
                new TaskViews.LatencyPoint(bucket, (long) sketch.getCount(), nearestRank(sketch, 0.50),
                        nearestRank(sketch, 0.95), nearestRank(sketch, 0.99))));
        return out;
    }

    /** One task's deployments in full; empty when the task has no traces in the window. */
    public Optional<TaskDetail> detail(String task, String name, Window w, java.time.Instant requestedFrom,
                                       java.time.Instant requestedTo) throws SQLException {
        RollupReader.TaskRead read = rollups.task(task, w);
        Map<Deployment, TailAggregate> current = read.current();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Map<Deployment, TailAggregate> previous = read.previous();
        Map<Deployment, TailAggregate> days = read.days();
        Map.Entry<Deployment, TailAggregate> top = busiest(current);
        TaskSettings s = settings.effective(task, top.getValue().category());
        PriceBook prices = new PriceBook(costs);
        WindowView window = window(name, w, requestedFrom, requestedTo);
        WindowView cohortWindow = window(name, w.days(), null, null);
        List<DeploymentDetail> out = new ArrayList<>();
        VerdictView taskVerdict = null;
        for (Map.Entry<Deployment, TailAggregate> e : current.entrySet()) {
            Deployment d = e.getKey();
            TailAggregate a = e.getValue();
            Optional<Deployment> canary = cloudCanary(current, d);
            VerdictView v = VerdictView.of(verdict(task, d, a, s, w, prices, canary));
            boolean busiest = d.equals(top.getKey());
            if (busiest) {
                taskVerdict = v;
            }
            out.add(deployment(d, busiest, a, previous.get(d), days.get(d), s, w, cohortWindow, prices, canary, v));
        }
        out.sort(Comparator.comparing((DeploymentDetail x) -> !x.busiest()).thenComparing(x -> -x.traces()));
        return Optional.of(new TaskDetail(task, window, s, taskVerdict, id(top.getKey()), out,
                "not measured yet"));
    }

    private DeploymentDetail deployment(Deployment d, boolean busiest, TailAggregate a, TailAggregate before,
                                        TailAggregate days, TaskSettings s, Window w, WindowView cohortWindow,
                                        PriceBook prices, Optional<Deployment> canary, VerdictView verdict) {
        QualityHistogram q = a.quality();
        double n = a.traces();
        double tokensPerDay = (a.inputTokens() + a.outputTokens()) / w.lengthDays();
        long failures = q.failures(s.qualityFloor());
        QualityHistogram.WorstSlice tail = q.worst(WORST, s.qualityFloor(), s.tailAbsorbable());
        long notOk = a.statusError() + a.statusTimeout() + a.statusRefused() + a.statusInvalidOutput();
        QualityHistogram.SliceModes modes = q.modes(q.worstShares(WORST), s.qualityFloor(), notOk);
        Worst5 worst5 = new Worst5(tail.size(), rate(tail.visibleFailures(), tail.size()),
                Double.isNaN(tail.cvar()) ? 0 : tail.cvar(), tail.cutQuality(),
                new FailureModes(modes.statusNotOk(), modes.escalatedOrNegative(), modes.schemaInvalid(),
                        modes.belowQualityFloor()),
                lifts(a, days), cohortWindow);
        ContextSplit split = contextSplit(a, s);
        DDSketch lat = a.latency();
        Latency latency = lat.isEmpty() ? new Latency(null, null, null, s.latencyBudgetMs(), 0)
                : new Latency(nearestRank(lat, 0.50), nearestRank(lat, 0.95), nearestRank(lat, 0.99),
                s.latencyBudgetMs(), overBudget(lat, s.latencyBudgetMs()));
        Optional<PriceBook.Priced> priced = prices.modelFor(d, canary);
        // the GPU side of an unpriced deployment is still known: it does not depend on a cloud price
        CostModel model = priced.map(PriceBook.Priced::model).orElseGet(prices::againstReference);
        double inputShare = inputShare(a);
        OptionalDouble breakEven = priced.isEmpty() ? OptionalDouble.empty() : model.breakEvenTokensPerDay(inputShare);
        Double cloudPerMtok = priced.isEmpty() ? null : model.cloudPerToken(inputShare) * 1e6;
        Optional<Double> actual = prices.actualCost(d, a);
        long unpriced = actual.isPresent() ? 0 : a.unpricedInputTokens() + a.unpricedOutputTokens();
        Cost cost = d.local()
                ? new Cost("local", actual.map(c -> c / w.lengthDays()).orElse(null), unpriced, "cloud",
                priced.map(PriceBook.Priced::cloudModel).orElse(null),
                priced.isEmpty() ? null : model.cloudPerDay(tokensPerDay, inputShare),
                breakEven.isPresent() ? breakEven.getAsDouble() : null, model.localFixedPerDay(),
                priced.map(PriceBook.Priced::cloudModel).orElse(null), cloudPerMtok)
                : new Cost("cloud", actual.map(c -> c / w.lengthDays()).orElse(null), unpriced, "local", null,
                model.localPerDay(tokensPerDay), breakEven.isPresent() ? breakEven.getAsDouble() : null,
                model.localFixedPerDay(), priced.map(PriceBook.Priced::cloudModel).orElse(null), cloudPerMtok);
        return new DeploymentDetail(id(d), busiest, a.traces(), n / w.lengthDays(), a.inputTokens(),
                a.outputTokens(), tokensPerDay, rate(failures, n),
                new StatusCounts(a.statusError(), a.statusTimeout(), a.statusRefused(), a.statusInvalidOutput(),
                        a.schemaInvalid(), a.escalated(), a.negative()),
                worst5, split, latency, rate(a.escalations(), n), trend(a, before), cost, verdict,
                java.util.Arrays.stream(a.quality().all()).boxed().toList());
    }

    private Verdict verdict(String task, Deployment d, TailAggregate a, TaskSettings s, Window w, PriceBook prices,
                            Optional<Deployment> canary) {
        QualityHistogram.WorstSlice tail = a.quality().worst(WORST, s.qualityFloor(), s.tailAbsorbable());
        ContextHistograms context = ContextHistograms.of(a);
        DeploymentEvidence e = new DeploymentEvidence(task, d.local(), d.model(), a.traces(),
                (a.inputTokens() + a.outputTokens()) / w.lengthDays(), inputShare(a), VisibleRate.of(a.quality(), s),
                tail, visible(context.upTo8k(), s), visible(context.over8k(), s), OptionalDouble.empty());
        Optional<PriceBook.Priced> priced = prices.modelFor(d, canary);
        return VerdictEngine.decide(e, s, priced.map(PriceBook.Priced::model),
                priced.map(PriceBook.Priced::cloudModel).orElse(d.model()));
    }

    private static Optional<VisibleRate> visible(QualityHistogram h, TaskSettings s) {
        return h.count() == 0 ? Optional.empty() : Optional.of(VisibleRate.of(h, s));
    }

    private static boolean visibleTail(TailAggregate a, TaskSettings s) {
        return VisibleRate.of(a.quality(), s).interval().low() > s.tailThreshold();
    }

    private static ContextSplit contextSplit(TailAggregate a, TaskSettings s) {
        ContextHistograms context = ContextHistograms.of(a);
        QualityHistogram.WorstSlice lo = context.upTo8k().worst(WORST, s.qualityFloor(), s.tailAbsorbable());
        QualityHistogram.WorstSlice hi = context.over8k().worst(WORST, s.qualityFloor(), s.tailAbsorbable());
        return new ContextSplit(rate(lo.visibleFailures(), lo.size()), rate(hi.visibleFailures(), hi.size()),
                context.upTo8k().count(), context.over8k().count());
    }

    /** A deployment's traffic with <= 8k and > 8k context tokens (traces without a token count in neither). */
    private record ContextHistograms(QualityHistogram upTo8k, QualityHistogram over8k) {

        static ContextHistograms of(TailAggregate a) {
            ContextHistograms out = new ContextHistograms(new QualityHistogram(), new QualityHistogram());
            a.cohorts().forEach((c, h) -> {
                if (Cohort.CONTEXT.equals(c.dimension()) && Cohort.OVER_8K.equals(c.value())) {
                    out.over8k().merge(h);
                } else if (Cohort.CONTEXT.equals(c.dimension()) && Cohort.UP_TO_8K.contains(c.value())) {
                    out.upTo8k().merge(h);
                }
            });
            return out;
        }
    }

    /**
     * Cohort lift = share of the cohort in the worst-5% slice / its share of all traffic. Context cohorts are
     * exact to the hour window; the others are per day, so all are computed over the whole days covering
     * the window, against that span's own worst-5% cut. The most over-represented first.
     */
    private static List<CohortLift> lifts(TailAggregate window, TailAggregate days) {
        TailAggregate base = days != null ? days : window;
        QualityHistogram all = base.quality();
        double n = all.count();
        if (n == 0) {
            return List.of();
        }
        double[] shares = all.worstShares(WORST);
        double k = WORST * n;
        List<CohortLift> out = new ArrayList<>();
        base.cohorts().forEach((c, h) -> {
            double count = h.count();
            if (count <= 0) {
                return;
            }
            double in = h.countIn(shares);
            double shareAll = count / n;
            double shareWorst = k == 0 ? 0 : in / k;
            out.add(new CohortLift(c.dimension(), c.value(), count, shareAll, in, shareWorst,
                    shareAll == 0 ? null : shareWorst / shareAll));
        });
        out.sort(Comparator.comparing((CohortLift l) -> l.lift() == null ? 0 : -l.lift())
                .thenComparing(l -> -l.traces()));
        List<CohortLift> top = new ArrayList<>(out.stream().limit(MAX_COHORTS).toList());
        // the context buckets always show, the > 8k one above all
        out.stream().filter(l -> Cohort.CONTEXT.equals(l.dimension()) && !top.contains(l)).forEach(top::add);
        return top;
    }

    /**
     * DESIGN's nearest-rank quantile (the value at rank ceil(q x n), 1-based) read from the sketch's bins, so
     * within its 1% relative accuracy. The sketch's own getValueAtQuantile interpolates ranks differently.
     */
    public static double nearestRank(DDSketch sketch, double q) {
        double rank = Math.max(1, Math.ceil(q * sketch.getCount() - 1e-9));
        double seen = sketch.getCount() - sketch.getPositiveValueStore().getTotalCount();  // zeros (and nothing below)
        if (seen >= rank) {
            return 0;
        }
        for (var it = sketch.getPositiveValueStore().getAscendingIterator(); it.hasNext(); ) {
            var bin = it.next();
            seen += bin.getCount();
            if (seen >= rank) {
                return sketch.getIndexMapping().value(bin.getIndex());
            }
        }
        return sketch.getMaxValue();
    }

    /** Share of latencies over the budget, at the sketch's 1% accuracy. */
    static double overBudget(DDSketch sketch, double budgetMs) {
        double[] over = {0};
        sketch.getPositiveValueStore().forEach((index, count) -> {
            if (sketch.getIndexMapping().value(index) > budgetMs) {
                over[0] += count;
            }
        });
        return sketch.getCount() == 0 ? 0 : over[0] / sketch.getCount();
    }

    private static Trend trend(TailAggregate now, TailAggregate before) {
        double rate = now.traces() == 0 ? 0 : now.escalations() / (double) now.traces();
        if (before == null) {
            return new Trend("not_computable", rate, 0, 0, null, null, false,
                    "the previous window has no traces of this deployment");
        }
        double prevRate = before.traces() == 0 ? 0 : before.escalations() / (double) before.traces();
        Optional<Proportions.Trend> t = Proportions.trend(now.escalations(), now.traces(), before.escalations(),
                before.traces());
        if (t.isEmpty()) {
            return new Trend("not_computable", rate, prevRate, before.traces(), null, null, false,
                    "fewer than " + Proportions.MIN_TREND_SAMPLE + " traces in a window");
        }
        Proportions.Trend x = t.get();
        String direction = !x.significant() ? "flat" : x.z() > 0 ? "up" : "down";
        return new Trend(direction, rate, prevRate, before.traces(), x.z(), x.pValue(), x.significant(), null);
    }

    private static Rate rate(double x, double n) {
        if (n <= 0) {
            return new Rate(0, 0, 0, x, n);
        }
        Proportions.Interval ci = Proportions.wilson(x, n);
        return new Rate(x / n, ci.low(), ci.high(), x, n);
    }

    private static double inputShare(TailAggregate a) {
        long all = a.inputTokens() + a.outputTokens();
        return all == 0 ? DEFAULT_INPUT_SHARE : a.inputTokens() / (double) all;
    }

    /** Each task's effective settings, its category observed on its busiest deployment. */
    private Map<String, TaskSettings> settingsOf(Map<String, Map<Deployment, TailAggregate>> tasks) {
        Map<String, String> observed = new HashMap<>();
        tasks.forEach((task, deployments) -> observed.put(task, busiest(deployments).getValue().category()));
        return settings.effective(observed);
    }

    /** A task's busiest cloud deployment other than {@code d}: the canary whose model prices d's cloud side. */
    private static Optional<Deployment> cloudCanary(Map<Deployment, TailAggregate> deployments, Deployment d) {
        Map<Deployment, TailAggregate> cloud = new HashMap<>();
        deployments.forEach((k, v) -> {
            if (!k.local() && !k.equals(d)) {
                cloud.put(k, v);
            }
        });
        return cloud.isEmpty() ? Optional.empty() : Optional.of(busiest(cloud).getKey());
    }

    private static Map.Entry<Deployment, TailAggregate> busiest(Map<Deployment, TailAggregate> deployments) {
        return deployments.entrySet().stream()
                .max(Comparator.comparingLong((Map.Entry<Deployment, TailAggregate> e) -> e.getValue().traces())
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .orElseThrow();
    }

    private static DeploymentId id(Deployment d) {
        return new DeploymentId(d.kind(), d.provider().isEmpty() ? null : d.provider(), d.model());
    }

    private static WindowView window(String name, Window w, java.time.Instant requestedFrom,
                                     java.time.Instant requestedTo) {
        return new WindowView(name, w.from(), w.to(), requestedFrom, requestedTo, w.lengthDays(), ROUNDING);
    }
}
