package io.tailaudit.server.analytics;

import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.tail.Verdict;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the task endpoints (snake_case on the wire). Rates are shares in [0, 1]. */
public final class TaskViews {

    private TaskViews() {
    }

    /** The window read: [from, to) rounded out to whole hours, as the rollups store them. */
    public record WindowView(String name, Instant from, Instant to, Instant requestedFrom, Instant requestedTo,
                             double days, String rounding) {
    }

    public record Rate(double rate, double low, double high, double numerator, double denominator) {
    }

    /**
     * A verdict. {@code basis} is what drives a move (tail, cost, none); {@code confirmation} what the canary on
     * the move's destination side says; {@code destination} where a move sends the traffic: the task's busiest
     * deployment on that side, else the reference cloud model (cloud) or an unnamed local model (local); null
     * when nothing moves.
     */
    public record VerdictView(Verdict.Kind kind, String headline, String cohort, Long sampleSizeToDecide,
                              boolean alert, Verdict.Basis basis, Verdict.Confirmation confirmation,
                              DeploymentId destination, List<String> evidence, Map<String, String> links) {

        static VerdictView of(Verdict v, DeploymentId destination) {
            return new VerdictView(v.kind(), v.headline(), v.cohort().orElse(null),
                    v.sampleSizeToDecide().isPresent() ? v.sampleSizeToDecide().getAsLong() : null, v.alert(),
                    v.basis(), v.confirmation(), v.move() ? destination : null, v.evidence(), v.links());
        }
    }

    /**
     * Another deployment of the task against the busiest one on the visible-failure rate (DESIGN "Canary
     * comparison"): difference canary minus busiest in [-1, 1], Newcombe's 95% interval, the pooled z-test's
     * two-sided p-value (nulls when not computable: fewer than 30 traces on a side). {@code cohort} is what
     * was compared (all traffic, or the > 8k cohorts for a HYBRID verdict). {@code speaksForSide}: the
     * busiest deployment of its side, whose word counts for a move there; {@code support} that word on the
     * task's verdict ({@code none} when the verdict moves nothing or the canary is on the busiest one's
     * side).
     */
    public record Comparison(DeploymentId deployment, DeploymentId against, String cohort, Rate canary,
                             Rate busiest, Double difference, Double low, Double high, Double pValue,
                             io.tailaudit.server.tail.CanaryComparison.Outcome outcome, boolean sameSide,
                             boolean speaksForSide, Verdict.Confirmation support, String sentence) {
    }

    public record DeploymentId(String kind, String provider, String model) {
    }

    public record Trend(String direction, double current, double previous, long previousTraces, Double z,
                        Double pValue, boolean significant, String note) {
    }

    /** One row of the task list. */
    public record TaskSummary(String task, String category, VerdictView verdict, DeploymentId deployment,
                              List<DeploymentId> deployments, long traces, double tokensPerDay, Double costPerDay,
                              Double breakEvenTokensPerDay, Rate visibleFailureRate, Rate worst5VisibleFailureRate,
                              Rate escalationRate, Trend escalationTrend, List<Double> worst5Series) {
    }

    public record TaskList(WindowView window, Instant computedAt, List<TaskSummary> tasks) {
    }

    public record FailureModes(double statusNotOk, double escalatedOrNegative, double schemaInvalid,
                               double belowQualityFloor) {
    }

    public record CohortLift(String dimension, String value, double traces, double shareOfAll,
                             double inWorst5, double shareOfWorst5, Double lift) {
    }

    public record Worst5(double size, Rate visibleFailureRate, double cvar5, double cutQuality,
                         FailureModes failureModes, List<CohortLift> cohorts, WindowView cohortWindow) {
    }

    public record Latency(Double p50Ms, Double p95Ms, Double p99Ms, double budgetMs, double overBudgetShare) {
    }

    /**
     * A deployment's cost and the other side's. {@code cloudModel} and {@code cloudPerMtok} (at the
     * deployment's input share) are the cloud price its break-even uses: its own model's when it is cloud,
     * its task's cloud canary's or the reference model's when local; null when that model is unpriced.
     */
    public record Cost(String side, Double costPerDay, long unpricedTokens, String otherSide,
                       String otherSideModel, Double otherSideCostPerDay, Double breakEvenTokensPerDay,
                       double localFixedPerDay, String cloudModel, Double cloudPerMtok) {
    }

    /**
     * The deployment's traffic with <= 8k and > 8k context tokens ({@code context_tokens}, else
     * {@code input_tokens}; traces with neither in no cohort): each cohort's visible-failure rate over its
     * traces (what HYBRID decides on), its worst-5% visible share, and its tokens.
     */
    public record ContextSplit(Rate upTo8kVisibleFailureRate, Rate over8kVisibleFailureRate, Rate upTo8kWorst5,
                               Rate over8kWorst5, long upTo8kTraces, long over8kTraces, long over8kTokens) {
    }

    public record StatusCounts(long error, long timeout, long refused, long invalidOutput, long schemaInvalid,
                               long escalated, long negative) {
    }

    public record DeploymentDetail(DeploymentId deployment, boolean busiest, long traces, double tracesPerDay,
                                   long inputTokens, long outputTokens, double tokensPerDay, Rate failureRate,
                                   Rate visibleFailureRate,
                                   StatusCounts counts, Worst5 worst5, ContextSplit contextSplit, Latency latency,
                                   Rate escalationRate, Trend escalationTrend, Cost cost, VerdictView verdict,
                                   List<Long> qualityHistogram) {
    }

    /** Latency percentiles of one bucket (hour or day) of the busiest deployment. */
    public record LatencyPoint(Instant bucket, long traces, Double p50Ms, Double p95Ms, Double p99Ms) {
    }

    public record TaskDetail(String task, WindowView window, TaskSettings settings, VerdictView verdict,
                             DeploymentId busiestDeployment, List<DeploymentDetail> deployments,
                             List<Comparison> comparisons, Drift scopeDrift) {
    }

    /**
     * The task's scope drift over the window (DESIGN "Scope drift"): measured, with the share of novel inputs
     * and its Wilson interval, the inputs after the reference period, those sampled and the reference's size
     * and period; or not measured and why. {@code scope} is what it makes of the category: constrained,
     * undecided (the interval contains 20%) or open. Examples name novel traces; their text is the trace
     * endpoint's, for text readers.
     */
    public record Drift(boolean measured, Double share, Double low, Double high, long inputs, int sampled,
                        int novel, int referenceTexts, Instant referenceFrom, Instant referenceTo, String pinnedBy,
                        String scope, String notMeasured, String summary, Instant computedAt,
                        List<DriftExample> examples) {
    }

    public record DriftExample(String traceId, double similarity) {
    }

    /**
     * Tokens and cost per day on each side, priced by the cost model: cloud tokens at {@code cloudModel}'s list
     * price at the task's input share, local tokens at the GPUs' marginal cost, plus the local fixed cost
     * whenever any traffic is served locally. {@code cloudCostPerDay} and {@code totalCostPerDay} are null
     * when cloud tokens have no price.
     */
    public record Spend(double localTokensPerDay, double cloudTokensPerDay, double localMarginalPerDay,
                        double localFixedPerDay, String cloudModel, Double cloudCostPerDay, Double totalCostPerDay) {
    }

    /**
     * A projected visible-failure rate and its 95% interval, from what was measured ({@code source} says what);
     * all null when the destination was never measured, with the canary size that would decide it.
     */
    public record Projection(Double rate, Double low, Double high, String source, Long canarySizeToDecide) {
    }

    /**
     * One action of the what-if: where it does not fit the busiest deployment's side or its traffic,
     * {@code applicable} is false and {@code reason} says why (and nothing is projected).
     */
    public record WhatIfAction(String action, boolean applicable, String reason, DeploymentId destination,
                               Spend projected, Double costChangePerDay, Projection visibleFailureRate,
                               List<String> notes) {
    }

    /**
     * What moving the busiest deployment's traffic would do (DESIGN "What-if"): today's figures priced by the
     * same cost model (the traces' own {@code cost_usd} figure beside them) and each action's projection.
     */
    public record WhatIf(String task, WindowView window, DeploymentId deployment, long traces, double inputShare,
                         Spend today, Double reportedCostPerDay, Rate visibleFailureRate, Rate upTo8kVisibleFailureRate,
                         Rate over8kVisibleFailureRate, double over8kTokensPerDay, List<WhatIfAction> actions) {
    }

    /**
     * A deployment's cost per day against tokens per day, both sides, for the console's chart: the GPU side
     * from the cost model (fixed cost included), the cloud side at the price its break-even uses (nulls when
     * unpriced), from 0 to twice the larger of today's volume and the break-even (at least 1M).
     */
    public record CostCurve(List<Double> tokensPerDay, List<Double> localPerDay, List<Double> cloudPerDay,
                            double current, double breakEven) {
    }
}
