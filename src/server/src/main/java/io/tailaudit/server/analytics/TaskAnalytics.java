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
import io.tailaudit.server.tail.CanaryComparison;
import io.tailaudit.server.tail.CostModel;
import io.tailaudit.server.cost.CostSettings;
import io.tailaudit.server.index.ScopeDrifts;
import io.tailaudit.server.tail.ScopeDrift;
import io.tailaudit.server.tail.DeploymentEvidence;
import io.tailaudit.server.tail.Proportions;
import io.tailaudit.server.tail.QualityHistogram;
import io.tailaudit.server.tail.TailCut;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.settings.TaskSettingsService;
import io.tailaudit.server.tail.Verdict;
import io.tailaudit.server.tail.VerdictEngine;
import io.tailaudit.server.tail.VisibleRate;
import jakarta.enterprise.context.ApplicationScoped;

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

    /** The what-if's actions (DESIGN "What-if"). */
    public static final java.util.Set<String> WHAT_IF_ACTIONS = java.util.Set.copyOf(WhatIfs.ACTIONS);
    private static final int MAX_COHORTS = 25;
    private static final String ROUNDING = "rounded out to whole UTC hours, the rollups' resolution";

    private final RollupReader rollups;
    private final TaskSettingsService settings;
    private final CostSettings costs;
    private final ScopeDrifts scope;
    private final Clock clock;

    TaskAnalytics(RollupReader rollups, TaskSettingsService settings, CostSettings costs, ScopeDrifts scope,
                  Clock clock) {
        this.rollups = rollups;
        this.scope = scope;
        this.settings = settings;
        this.costs = costs;
        this.clock = clock;
    }

    /** Every task with traces in the window, flagged verdicts first, then by visible-failure rate. */
    public TaskList list(String name, Window w, java.time.Instant requestedFrom, java.time.Instant requestedTo) {
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
    public AlertReadings alertReadings(String name, Window w) {
        List<Map<String, Map<Deployment, TailAggregate>>> both = rollups.summariesWithLatency(w);
        return new AlertReadings(list(name, w, null, null, false, both), overLatencyBudget(both.get(0)));
    }

    private TaskList list(String name, Window w, java.time.Instant requestedFrom, java.time.Instant requestedTo,
                          boolean full, List<Map<String, Map<Deployment, TailAggregate>>> both) {
        Map<String, Map<Deployment, TailAggregate>> current = both.get(0);
        Map<String, Map<Deployment, TailAggregate>> previous = both.get(1);
        Map<String, TaskSettings> taskSettings = settingsOf(current);
        PriceBook prices = new PriceBook(costs);
        Map<String, ScopeDrifts.Measured> drifts = scope.window(name);
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
            ScopeDrift drift = drift(drifts.get(task));
            Decision decision = decide(task, e.getValue(), s, w, prices, drift);
            if (full && decision.readContext()) {
                // only a local deployment with a visible tail can be HYBRID: read the task's context cohorts
                Map<Deployment, TailAggregate> withContext = rollups.withContext(task, w);
                Decision read = withContext.isEmpty() ? decision : decide(task, withContext, s, w, prices, drift);
                // a second snapshot: traffic in between may have made another deployment the busiest
                if (read.busiest().equals(decision.busiest())) {
                    decision = read;
                }
            }
            Deployment top = decision.busiest();
            TailAggregate a = e.getValue().get(top);
            TailAggregate before = previous.getOrDefault(task, Map.of()).get(top);
            QualityHistogram.WorstSlice tail = TailCut.of(s).worst(a.quality());
            double tokensPerDay = (a.inputTokens() + a.outputTokens()) / w.lengthDays();
            OptionalDouble breakEven = prices.modelFor(top, cloudCanary(e.getValue(), top))
                    .map(p -> p.model().breakEvenTokensPerDay(WhatIfs.inputShare(a))).orElse(OptionalDouble.empty());
            rows.add(new TaskSummary(task, s.category(), decision.view(), id(top),
                    e.getValue().keySet().stream().sorted().map(TaskAnalytics::id).toList(), a.traces(), tokensPerDay,
                    prices.actualCost(top, a).map(c -> c / w.lengthDays()).orElse(null),
                    breakEven.isPresent() ? breakEven.getAsDouble() : null, visibleRate(a, s),
                    rate(tail.visibleFailures(), tail.size()), rate(a.escalations(), a.traces()), trend(a, before),
                    tailSeries(series.getOrDefault(task, Map.of()).get(top), s)));
        }
        rows.sort(Comparator.comparingInt((TaskSummary r) -> r.verdict().kind().rank())
                .thenComparing(r -> -r.visibleFailureRate().rate())
                .thenComparing(TaskSummary::task));
        return new TaskList(window(name, w, requestedFrom, requestedTo), clock.instant(), rows);
    }

    /**
     * Per task: the share of its busiest deployment's traces slower than the task's latency budget in the
     * window, with its Wilson interval (the count over budget read from the latency sketch, so within its 1%
     * relative accuracy of the budget). For alert rules.
     */
    public Map<String, Rate> overLatencyBudget(Window w) {
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
            QualityHistogram.WorstSlice slice = TailCut.of(s).worst(h);
            out.add(slice.size() > 0 ? slice.visibleFailures() / slice.size() : null);
        });
        return out;
    }

    /**
     * Latency percentiles of one deployment per hour (per day for windows over 7 days), from the folded
     * rollups: the console's latency-over-time chart. Not part of the task endpoint, whose budget it would eat.
     */
    public List<TaskViews.LatencyPoint> latencyOverTime(String task, DeploymentId deployment, Window w) {
        RollupKey.Span span = w.lengthDays() > 7 ? RollupKey.Span.DAY : RollupKey.Span.HOUR;
        List<TaskViews.LatencyPoint> out = new ArrayList<>();
        rollups.latencySeries(task, new Deployment(deployment.kind(), deployment.provider() == null ? ""
                : deployment.provider(), deployment.model()), w, span).forEach((bucket, sketch) -> out.add(
                new TaskViews.LatencyPoint(bucket, (long) sketch.getCount(), nearestRank(sketch, 0.50),
                        nearestRank(sketch, 0.95), nearestRank(sketch, 0.99))));
        return out;
    }

    /** {@link TaskViews.CostCurve} of one deployment of a task page, in 60 steps. */
    public TaskViews.CostCurve costCurve(DeploymentDetail d) {
        CostModel gpu = new PriceBook(costs).againstReference();
        double tokens = d.tokensPerDay();
        Double cloudPerMtok = d.cost().cloudPerMtok();
        double breakEven = d.cost().breakEvenTokensPerDay() == null ? 0 : d.cost().breakEvenTokensPerDay();
        double max = Math.max(1_000_000, 2 * Math.max(tokens, breakEven));
        List<Double> x = new ArrayList<>();
        List<Double> local = new ArrayList<>();
        List<Double> cloud = new ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            double v = max * i / 60;
            x.add(v);
            local.add(gpu.localPerDay(v));
            cloud.add(cloudPerMtok == null ? null : v * cloudPerMtok / 1e6);
        }
        return new TaskViews.CostCurve(x, local, cloud, tokens, breakEven);
    }

    /** One task's deployments in full; empty when the task has no traces in the window. */
    public Optional<TaskDetail> detail(String task, String name, Window w, java.time.Instant requestedFrom,
                                       java.time.Instant requestedTo) {
        RollupReader.TaskRead read = rollups.task(task, w);
        return read.current().isEmpty() ? Optional.empty()
                : Optional.of(detail(task, read, name, w, requestedFrom, requestedTo));
    }

    /** The task page: the task in full and its what-if (all three actions), from one read of its rollups. */
    public record TaskPage(TaskDetail detail, TaskViews.WhatIf whatIf) {
    }

    /** {@link TaskPage} of a named window; empty when the task has no traces in it. */
    public Optional<TaskPage> page(String task, String name, Window w) {
        RollupReader.TaskRead read = rollups.task(task, w);
        if (read.current().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TaskPage(detail(task, read, name, w, null, null),
                whatIf(task, read.current(), name, w, null, null, Optional.empty())));
    }

    private TaskDetail detail(String task, RollupReader.TaskRead read, String name, Window w,
                              java.time.Instant requestedFrom, java.time.Instant requestedTo) {
        Map<Deployment, TailAggregate> current = read.current();
        Map<Deployment, TailAggregate> previous = read.previous();
        Map<Deployment, TailAggregate> days = read.days();
        TaskSettings s = settings.effective(task, busiest(current).getValue().category());
        PriceBook prices = new PriceBook(costs);
        Optional<ScopeDrifts.Measured> measured = Optional.ofNullable(scope.window(name).get(task));
        ScopeDrift drift = drift(measured.orElse(null));
        Decision decision = decide(task, current, s, w, prices, drift);
        WindowView window = window(name, w, requestedFrom, requestedTo);
        WindowView cohortWindow = window(name, w.days(), null, null);
        List<DeploymentDetail> out = new ArrayList<>();
        for (Map.Entry<Deployment, TailAggregate> e : current.entrySet()) {
            Deployment d = e.getKey();
            TailAggregate a = e.getValue();
            Optional<Deployment> canary = cloudCanary(current, d);
            boolean busiest = d.equals(decision.busiest());
            // the task's verdict is the busiest deployment's, read against its canaries; the others' their own
            VerdictView v = busiest ? decision.view()
                    : VerdictView.of(verdict(task, d, a, s, w, prices, canary, drift),
                    destination(current, d, prices));
            out.add(deployment(d, busiest, a, previous.get(d), days.get(d), s, w, cohortWindow, prices, canary, v));
        }
        out.sort(Comparator.comparing((DeploymentDetail x) -> !x.busiest()).thenComparing(x -> -x.traces()));
        return new TaskDetail(task, window, s, decision.view(), id(decision.busiest()), out,
                decision.comparisonViews(), driftView(task, measured, drift, s));
    }

    /**
     * A task's verdict from its deployments (DESIGN "Grouping", "Canary comparison"): its busiest deployment
     * b's, with each other deployment compared with b and the busiest one on the move's destination side
     * confirming, leaving unconfirmed or contradicting the move.
     *
     * @param readContext the verdict is MOVE_TO_CLOUD for a local b with a visible tail, read without context
     *                    cohorts: with them it may be HYBRID
     */
    private record Decision(Deployment busiest, Verdict verdict, DeploymentId destination,
                            List<Compared> comparisons, boolean readContext) {

        VerdictView view() {
            return VerdictView.of(verdict, destination);
        }

        List<TaskViews.Comparison> comparisonViews() {
            return comparisons.stream().map(Compared::view).toList();
        }
    }

    /** One canary against the busiest deployment, and its word on the rules' verdict. */
    private record Compared(Deployment deployment, Deployment against, CanaryComparison comparison,
                            boolean speaksForSide, Verdict.Confirmation support, double threshold, Verdict.Basis basis) {

        TaskViews.Comparison view() {
            CanaryComparison c = comparison;
            Optional<Proportions.Difference> d = c.difference();
            return new TaskViews.Comparison(id(deployment), id(against), c.cohort(), rate(c.canary()),
                    rate(c.busiest()), d.map(Proportions.Difference::difference).orElse(null),
                    d.map(x -> x.interval().low()).orElse(null), d.map(x -> x.interval().high()).orElse(null),
                    d.map(Proportions.Difference::pValue).orElse(null), c.outcome(), c.sameSide(), speaksForSide,
                    support, support == Verdict.Confirmation.NONE ? c.describe() : c.sentence(support, basis, threshold));
        }
    }

    private Decision decide(String task, Map<Deployment, TailAggregate> deployments, TaskSettings s, Window w,
                            PriceBook prices, ScopeDrift drift) {
        Deployment b = busiest(deployments).getKey();
        TailAggregate a = deployments.get(b);
        Verdict rules = verdict(task, b, a, s, w, prices, cloudCanary(deployments, b), drift);
        boolean hybrid = rules.kind() == Verdict.Kind.HYBRID;
        Optional<Deployment> destination = rules.move() ? busiestOn(deployments, b, !b.local()) : Optional.empty();
        List<Compared> compared = new ArrayList<>();
        Optional<CanaryComparison> speaking = Optional.empty();
        for (Map.Entry<Deployment, TailAggregate> e : deployments.entrySet()) {
            Deployment d = e.getKey();
            if (d.equals(b)) {
                continue;
            }
            CanaryComparison c = compare(d, e.getValue(), b, a, s, hybrid);
            boolean speaks = busiestOn(deployments, b, d.local()).map(d::equals).orElse(false);
            Verdict.Confirmation support = destination.map(d::equals).orElse(false)
                    ? c.support(rules.basis(), s.tailThreshold()) : Verdict.Confirmation.NONE;
            if (destination.map(d::equals).orElse(false)) {
                speaking = Optional.of(c);
            }
            compared.add(new Compared(d, b, c, speaks, support, s.tailThreshold(), rules.basis()));
        }
        compared.sort(Comparator.comparing((Compared c) -> -c.comparison().canary().traces())
                .thenComparing(Compared::deployment));
        Verdict v = VerdictEngine.confirm(rules, speaking, s);
        boolean readContext = rules.kind() == Verdict.Kind.MOVE_TO_CLOUD && rules.basis() == Verdict.Basis.TAIL
                && !hasContext(a);
        return new Decision(b, v, destination(deployments, b, prices), compared, readContext);
    }

    /** d against b over all traffic; for a HYBRID verdict over the > 8k cohorts when both have 30 such traces. */
    private static CanaryComparison compare(Deployment d, TailAggregate da, Deployment b, TailAggregate ba,
                                            TaskSettings s, boolean hybrid) {
        if (hybrid) {
            QualityHistogram dOver = ContextHistograms.of(da).over8k();
            QualityHistogram bOver = ContextHistograms.of(ba).over8k();
            if (dOver.count() >= CanaryComparison.MIN_TRACES && bOver.count() >= CanaryComparison.MIN_TRACES) {
                return CanaryComparison.of(d.local(), d.model(), b.local(), VerdictEngine.LONG_CONTEXT_COHORT,
                        VisibleRate.of(dOver, s), VisibleRate.of(bOver, s));
            }
        }
        return CanaryComparison.of(d.local(), d.model(), b.local(), CanaryComparison.ALL_TRAFFIC,
                VisibleRate.of(da.quality(), s), VisibleRate.of(ba.quality(), s));
    }

    /**
     * Where a move of b sends its traffic (a local b's moves go to the cloud, a cloud b's to local): the busiest
     * other deployment on that side, else the reference cloud model or an unnamed local model.
     */
    private static DeploymentId destination(Map<Deployment, TailAggregate> deployments, Deployment b,
                                            PriceBook prices) {
        boolean toCloud = b.local();
        Optional<Deployment> there = busiestOn(deployments, b, !toCloud);
        if (there.isPresent()) {
            return id(there.get());
        }
        return toCloud ? new DeploymentId("cloud", prices.reference().provider().isEmpty() ? null
                : prices.reference().provider(), prices.reference().model()) : new DeploymentId("local", null, null);
    }

    /** The busiest deployment other than {@code b} on one side. */
    private static Optional<Deployment> busiestOn(Map<Deployment, TailAggregate> deployments, Deployment b,
                                                  boolean local) {
        Map<Deployment, TailAggregate> side = new HashMap<>();
        deployments.forEach((k, v) -> {
            if (k.local() == local && !k.equals(b)) {
                side.put(k, v);
            }
        });
        return side.isEmpty() ? Optional.empty() : Optional.of(busiest(side).getKey());
    }

    private static boolean hasContext(TailAggregate a) {
        return a.cohorts().keySet().stream().anyMatch(c -> Cohort.CONTEXT.equals(c.dimension()));
    }

    /**
     * DESIGN's what-if for the task's busiest deployment over the window: the given action, or all three;
     * empty when the task has no traces in the window.
     */
    public Optional<TaskViews.WhatIf> whatIf(String task, String name, Window w, java.time.Instant requestedFrom,
                                             java.time.Instant requestedTo, Optional<String> action) {
        Map<Deployment, TailAggregate> current = rollups.withContext(task, w);
        return current.isEmpty() ? Optional.empty()
                : Optional.of(whatIf(task, current, name, w, requestedFrom, requestedTo, action));
    }

    private TaskViews.WhatIf whatIf(String task, Map<Deployment, TailAggregate> current, String name, Window w,
                                    java.time.Instant requestedFrom, java.time.Instant requestedTo,
                                    Optional<String> action) {
        Deployment b = busiest(current).getKey();
        TailAggregate a = current.get(b);
        TaskSettings s = settings.effective(task, a.category());
        PriceBook prices = new PriceBook(costs);
        ContextHistograms context = ContextHistograms.of(a);
        WhatIfs.Inputs in = new WhatIfs.Inputs(b, a, w.lengthDays(), VisibleRate.of(a.quality(), s),
                VisibleRate.of(context.upTo8k(), s), VisibleRate.of(context.over8k(), s),
                busiestOn(current, b, false).map(d -> canary(d, current.get(d), s)),
                busiestOn(current, b, true).map(d -> canary(d, current.get(d), s)), s, prices);
        List<TaskViews.WhatIfAction> actions = action.map(List::of).orElse(WhatIfs.ACTIONS).stream()
                .map(x -> WhatIfs.project(in, x)).toList();
        return new TaskViews.WhatIf(task, window(name, w, requestedFrom, requestedTo), id(b), a.traces(),
                WhatIfs.inputShare(a), WhatIfs.today(in),
                prices.actualCost(b, a).map(c -> c / w.lengthDays()).orElse(null), visibleRate(a, s),
                rate(in.upTo8k()), rate(in.over8k()), (a.over8kInputTokens() + a.over8kOutputTokens()) / w.lengthDays(),
                actions);
    }

    private static WhatIfs.Canary canary(Deployment d, TailAggregate a, TaskSettings s) {
        return new WhatIfs.Canary(d, VisibleRate.of(a.quality(), s), VisibleRate.of(ContextHistograms.of(a).over8k(), s));
    }

    private DeploymentDetail deployment(Deployment d, boolean busiest, TailAggregate a, TailAggregate before,
                                        TailAggregate days, TaskSettings s, Window w, WindowView cohortWindow,
                                        PriceBook prices, Optional<Deployment> canary, VerdictView verdict) {
        QualityHistogram q = a.quality();
        double n = a.traces();
        double tokensPerDay = (a.inputTokens() + a.outputTokens()) / w.lengthDays();
        long failures = q.failures(s.qualityFloor());
        QualityHistogram.WorstSlice tail = TailCut.of(s).worst(q);
        long notOk = a.statusError() + a.statusTimeout() + a.statusRefused() + a.statusInvalidOutput();
        QualityHistogram.SliceModes modes = q.modes(TailCut.of(s).worstShares(q), s.qualityFloor(), notOk);
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
        double inputShare = WhatIfs.inputShare(a);
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
                a.outputTokens(), tokensPerDay, rate(failures, n), visibleRate(a, s),
                new StatusCounts(a.statusError(), a.statusTimeout(), a.statusRefused(), a.statusInvalidOutput(),
                        a.schemaInvalid(), a.escalated(), a.negative()),
                worst5, split, latency, rate(a.escalations(), n), trend(a, before), cost, verdict,
                java.util.Arrays.stream(a.quality().all()).boxed().toList());
    }

    private Verdict verdict(String task, Deployment d, TailAggregate a, TaskSettings s, Window w, PriceBook prices,
                            Optional<Deployment> canary, ScopeDrift drift) {
        QualityHistogram.WorstSlice tail = TailCut.of(s).worst(a.quality());
        ContextHistograms context = ContextHistograms.of(a);
        DeploymentEvidence e = new DeploymentEvidence(task, d.local(), d.model(), a.traces(),
                (a.inputTokens() + a.outputTokens()) / w.lengthDays(), WhatIfs.inputShare(a), VisibleRate.of(a.quality(), s),
                tail, visible(context.upTo8k(), s), visible(context.over8k(), s), drift);
        Optional<PriceBook.Priced> priced = prices.modelFor(d, canary);
        return VerdictEngine.decide(e, s, priced.map(PriceBook.Priced::model),
                priced.map(PriceBook.Priced::cloudModel).orElse(d.model()));
    }

    /** The drift the verdict reads; none stored yet is "not measured". */
    private static ScopeDrift drift(ScopeDrifts.Measured m) {
        return m == null ? ScopeDrift.notMeasured("not measured yet (the index role measures it every few minutes)")
                : m.drift();
    }

    private TaskViews.Drift driftView(String task, Optional<ScopeDrifts.Measured> measured, ScopeDrift d,
                                      TaskSettings s) {
        Optional<ScopeDrifts.Reference> ref = scope.reference(task);
        String scopeWord = d.scope(s.scopeConstrained()).name().toLowerCase(java.util.Locale.ROOT);
        Proportions.Interval ci = d.measured() ? d.interval() : null;
        return new TaskViews.Drift(d.measured(), d.measured() ? d.share() : null, ci == null ? null : ci.low(),
                ci == null ? null : ci.high(), d.inputs(), d.sampled(), d.novel(), d.referenceTexts(),
                ref.map(ScopeDrifts.Reference::from).orElse(null), ref.map(ScopeDrifts.Reference::to).orElse(null),
                ref.flatMap(ScopeDrifts.Reference::pinnedBy).orElse(null), scopeWord, d.notMeasured().orElse(null),
                d.sentence(), measured.map(ScopeDrifts.Measured::computedAt).orElse(null),
                measured.map(m -> m.examples().stream()
                        .map(x -> new TaskViews.DriftExample(x.traceId(), x.similarity())).toList()).orElse(List.of()));
    }

    private static Optional<VisibleRate> visible(QualityHistogram h, TaskSettings s) {
        return h.count() == 0 ? Optional.empty() : Optional.of(VisibleRate.of(h, s));
    }

    private static ContextSplit contextSplit(TailAggregate a, TaskSettings s) {
        ContextHistograms context = ContextHistograms.of(a);
        QualityHistogram.WorstSlice lo = TailCut.of(s).worst(context.upTo8k());
        QualityHistogram.WorstSlice hi = TailCut.of(s).worst(context.over8k());
        return new ContextSplit(rate(VisibleRate.of(context.upTo8k(), s)), rate(VisibleRate.of(context.over8k(), s)),
                rate(lo.visibleFailures(), lo.size()), rate(hi.visibleFailures(), hi.size()),
                context.upTo8k().count(), context.over8k().count(), a.over8kInputTokens() + a.over8kOutputTokens());
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
        double[] shares = all.worstShares(TailCut.WORST_FRACTION);
        double k = TailCut.WORST_FRACTION * n;
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

    private static Rate rate(VisibleRate v) {
        return rate(v.failures(), v.traces());
    }

    private static Rate visibleRate(TailAggregate a, TaskSettings s) {
        return rate(VisibleRate.of(a.quality(), s));
    }


    /** Each task's effective settings, its category observed on its busiest deployment. */
    private Map<String, TaskSettings> settingsOf(Map<String, Map<Deployment, TailAggregate>> tasks) {
        Map<String, String> observed = new HashMap<>();
        tasks.forEach((task, deployments) -> observed.put(task, busiest(deployments).getValue().category()));
        return settings.effective(observed);
    }

    /** A task's busiest cloud deployment other than {@code d}: the canary whose model prices d's cloud side. */
    private static Optional<Deployment> cloudCanary(Map<Deployment, TailAggregate> deployments, Deployment d) {
        return busiestOn(deployments, d, false);
    }

    /** Ties broken as DESIGN says: local before cloud, then provider, then model, alphabetically. */
    private static final Comparator<Deployment> TIES = Comparator.comparing((Deployment d) -> !d.local())
            .thenComparing(Deployment::provider).thenComparing(Deployment::model);

    /** The deployment with the most traces (DESIGN "Grouping"). */
    private static Map.Entry<Deployment, TailAggregate> busiest(Map<Deployment, TailAggregate> deployments) {
        return deployments.entrySet().stream()
                .max(Comparator.comparingLong((Map.Entry<Deployment, TailAggregate> e) -> e.getValue().traces())
                        .thenComparing(Map.Entry::getKey, TIES.reversed()))
                .orElseThrow();
    }

    static DeploymentId id(Deployment d) {
        return new DeploymentId(d.kind(), d.provider().isEmpty() ? null : d.provider(), d.model());
    }

    private static WindowView window(String name, Window w, java.time.Instant requestedFrom,
                                     java.time.Instant requestedTo) {
        return new WindowView(name, w.from(), w.to(), requestedFrom, requestedTo, w.lengthDays(), ROUNDING);
    }
}
