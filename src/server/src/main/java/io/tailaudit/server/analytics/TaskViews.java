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

    public record VerdictView(Verdict.Kind kind, String headline, String cohort, Long sampleSizeToDecide,
                              boolean alert, List<String> evidence, Map<String, String> links) {

        static VerdictView of(Verdict v) {
            return new VerdictView(v.kind(), v.headline(), v.cohort().orElse(null),
                    v.sampleSizeToDecide().isPresent() ? v.sampleSizeToDecide().getAsLong() : null, v.alert(),
                    v.evidence(), v.links());
        }
    }

    public record DeploymentId(String kind, String provider, String model) {
    }

    public record Trend(String direction, double current, double previous, long previousTraces, Double z,
                        Double pValue, boolean significant, String note) {
    }

    /** One row of the task list. */
    public record TaskSummary(String task, String category, VerdictView verdict, DeploymentId deployment,
                              List<DeploymentId> deployments, long traces, double tokensPerDay, Double costPerDay,
                              Double breakEvenTokensPerDay, Rate worst5VisibleFailureRate, Rate escalationRate,
                              Trend escalationTrend, List<Double> worst5Series) {
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

    public record ContextSplit(Rate upTo8kWorst5, Rate over8kWorst5, long upTo8kTraces, long over8kTraces) {
    }

    public record StatusCounts(long error, long timeout, long refused, long invalidOutput, long schemaInvalid,
                               long escalated, long negative) {
    }

    public record DeploymentDetail(DeploymentId deployment, boolean busiest, long traces, double tracesPerDay,
                                   long inputTokens, long outputTokens, double tokensPerDay, Rate failureRate,
                                   StatusCounts counts, Worst5 worst5, ContextSplit contextSplit, Latency latency,
                                   Rate escalationRate, Trend escalationTrend, Cost cost, VerdictView verdict,
                                   List<Long> qualityHistogram) {
    }

    /** Latency percentiles of one bucket (hour or day) of the busiest deployment. */
    public record LatencyPoint(Instant bucket, long traces, Double p50Ms, Double p95Ms, Double p99Ms) {
    }

    public record TaskDetail(String task, WindowView window, TaskSettings settings, VerdictView verdict,
                             DeploymentId busiestDeployment, List<DeploymentDetail> deployments,
                             String scopeDrift) {
    }
}
