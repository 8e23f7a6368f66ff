package io.tailaudit.server.tail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * DESIGN's verdict rules, deterministic and explained. A verdict is given only when the Wilson interval of
 * the deployment's visible-failure rate over all its traces excludes the task's tail threshold T (at T = 5%,
 * a rate above T means the whole worst-5% slice would be visible failures: the seed's question). The
 * worst-5% profile is the evidence shown with the verdict, not its input:
 * <ul>
 * <li>T inside the interval: INSUFFICIENT_DATA, with the traces that would decide it;</li>
 * <li>local, visible tail (interval above T): HYBRID when the context &lt;= 8k cohort lies below T and the
 *     &gt; 8k cohort above it (route &gt; 8k to the cloud), else MOVE_TO_CLOUD;</li>
 * <li>local, tail fine (interval below T): MOVE_TO_CLOUD on cost when under 500k tokens/day, the cloud side
 *     would cost less per day than local including its fixed cost, and the latency budget is over 100 ms,
 *     else KEEP;</li>
 * <li>cloud, tail fine: MOVE_TO_LOCAL when the scope is constrained (the category's default, and a drift
 *     interval, once measured, wholly below 20%) and tokens/day exceed the break-even, else KEEP;</li>
 * <li>cloud, visible tail: KEEP (nowhere better to move it), with an alert.</li>
 * </ul>
 */
public final class VerdictEngine {

    static final double CLOUD_CHEAPER_BELOW_TOKENS_PER_DAY = 500_000;
    static final double INTERACTIVE_BUDGET_MS = 100;
    public static final String LONG_CONTEXT_COHORT = "context > 8k tokens";

    private VerdictEngine() {
    }

    /**
     * @param cost       the deployment's cost model (a cloud one at its own model's price, a local one at its
     *                   task's cloud canary's or the reference model's); empty when that model is unpriced,
     *                   which draws no cost-driven verdict
     * @param cloudModel the cloud model that prices it, for the sentences
     */
    public static Verdict decide(DeploymentEvidence e, TaskSettings s, Optional<CostModel> cost, String cloudModel) {
        double t = s.tailThreshold();
        VisibleRate visible = e.visible();
        Proportions.Interval ci = visible.interval();
        ScopeDrift.Scope scope = e.drift().scope(s.scopeConstrained());
        boolean constrained = scope == ScopeDrift.Scope.CONSTRAINED;
        OptionalDouble breakEven = cost.isPresent() ? cost.get().breakEvenTokensPerDay(e.inputShare()) : OptionalDouble.empty();
        List<String> evidence = List.of(scope(s, e, scope), tail(e, t), cost(e, cost, cloudModel, breakEven));
        Map<String, String> links = links(e.task());

        if (ci.contains(t)) {
            // counted in traces of the deployment, at its observed rate
            OptionalLong traces = Proportions.sampleSizeToDecide(visible.rate(), t);
            String need = traces.isPresent()
                    ? String.format(Locale.ROOT, "about %,d traces in the window would decide it", traces.getAsLong())
                    : "no sample size decides a rate equal to the threshold";
            return new Verdict(Verdict.Kind.INSUFFICIENT_DATA, String.format(Locale.ROOT,
                    "Not decided yet: %s of %,d requests fail visibly and the interval contains the %s threshold; %s.",
                    pct(visible.rate()), visible.traces(), pct(t), need),
                    Optional.empty(), traces, false, evidence, links, Verdict.Basis.NONE);
        }
        boolean visibleTail = ci.low() > t;
        if (e.local() && visibleTail) {
            if (below(e.upTo8k(), t) && above(e.over8k(), t)) {
                return new Verdict(Verdict.Kind.HYBRID, "Route requests with more than 8k context tokens to the cloud:"
                        + " the tail fails above 8k and holds below it.", Optional.of(LONG_CONTEXT_COHORT),
                        OptionalLong.empty(), false, withCohorts(evidence, e), links, Verdict.Basis.TAIL);
            }
            return new Verdict(Verdict.Kind.MOVE_TO_CLOUD, String.format(Locale.ROOT,
                    "Move to the cloud: %s of requests fail visibly (95%% CI %s to %s), above the %s threshold, so the"
                            + " whole worst 5%% fail visibly.", pct(visible.rate()), pct(ci.low()), pct(ci.high()), pct(t)),
                    Optional.empty(), OptionalLong.empty(), false, evidence, links, Verdict.Basis.TAIL);
        }
        if (e.local()) {
            if (cost.isPresent() && e.tokensPerDay() < CLOUD_CHEAPER_BELOW_TOKENS_PER_DAY
                    && cost.get().cloudPerDay(e.tokensPerDay(), e.inputShare())
                    < cost.get().localPerDay(e.tokensPerDay()) + cost.get().localFixedPerDay()
                    && s.latencyBudgetMs() > INTERACTIVE_BUDGET_MS) {
                return new Verdict(Verdict.Kind.MOVE_TO_CLOUD, String.format(Locale.ROOT,
                        "Move to the cloud on cost: %s tokens/day is below 500k, where the cloud is cheaper, and the"
                                + " task is not latency-critical.", tokens(e.tokensPerDay())),
                        Optional.empty(), OptionalLong.empty(), false, evidence, links, Verdict.Basis.COST);
            }
            return new Verdict(Verdict.Kind.KEEP, "Keep it local: the tail holds and the volume or latency justify it.",
                    Optional.empty(), OptionalLong.empty(), false, evidence, links, Verdict.Basis.NONE);
        }
        if (visibleTail) {
            return new Verdict(Verdict.Kind.KEEP, String.format(Locale.ROOT,
                    "Keep it in the cloud, but the tail is visible: %s of requests fail visibly (95%% CI %s to %s).",
                    pct(visible.rate()), pct(ci.low()), pct(ci.high())), Optional.empty(), OptionalLong.empty(), true, evidence,
                    links, Verdict.Basis.NONE);
        }
        if (constrained && breakEven.isPresent() && e.tokensPerDay() > breakEven.getAsDouble()) {
            return new Verdict(Verdict.Kind.MOVE_TO_LOCAL, String.format(Locale.ROOT,
                    "Move to a local model: a constrained task at %s tokens/day, above the %s break-even, with a"
                            + " tail that holds.", tokens(e.tokensPerDay()), tokens(breakEven.getAsDouble())),
                    Optional.empty(), OptionalLong.empty(), false, evidence, links, Verdict.Basis.COST);
        }
        return new Verdict(Verdict.Kind.KEEP, "Keep it in the cloud: " + (constrained
                ? "the volume is below the break-even." : scope == ScopeDrift.Scope.UNDECIDED
                ? "the scope is undecided, its drift interval contains 20%." : s.scopeConstrained()
                ? "the scope is open, at least 20% of recent inputs are novel." : "the scope is open."),
                Optional.empty(), OptionalLong.empty(), false, evidence, links, Verdict.Basis.NONE);
    }

    /**
     * The verdict as the canary on its move's destination side leaves it (DESIGN "Canary comparison"): a move
     * the tail drives needs the canary significantly better, a move cost drives only no worse than +T/2. A
     * contradicted move becomes KEEP with an alert and the evidence naming the canary; an unsupported or
     * uncomputable one stands, unconfirmed. Verdicts that move nothing come back as they are.
     *
     * @param destination the busiest other deployment on the move's destination side, compared with the
     *                    busiest deployment (for HYBRID on the &gt; 8k cohorts when both have 30 such traces)
     */
    public static Verdict confirm(Verdict v, Optional<CanaryComparison> destination, TaskSettings s) {
        if (!v.move()) {
            return v;
        }
        List<String> evidence = new ArrayList<>(v.evidence());
        if (destination.isEmpty()) {
            evidence.add(String.format(Locale.ROOT, "Canary: nothing of this task runs %s yet, so the move is"
                            + " unconfirmed; a canary of about %,d traces would measure the other side.",
                    v.towardsCloud() ? "in the cloud" : "locally",
                    Proportions.canarySizeToDecide(s.tailThreshold()).orElse(0)));
            return with(v, evidence, Verdict.Confirmation.NO_CANARY);
        }
        CanaryComparison c = destination.get();
        Verdict.Confirmation word = c.support(v.basis(), s.tailThreshold());
        evidence.add(c.sentence(word, v.basis(), s.tailThreshold()));
        if (word != Verdict.Confirmation.CONTRADICTED) {
            return with(v, evidence, word);
        }
        evidence.add("The rules alone said: " + v.headline());
        String headline = String.format(Locale.ROOT, "Keep it %s: the %s canary %s contradicts the move %s.",
                v.towardsCloud() ? "local" : "in the cloud", c.canaryLocal() ? "local" : "cloud", c.canaryModel(),
                v.kind() == Verdict.Kind.HYBRID ? "of the > 8k cohort to the cloud"
                        : v.towardsCloud() ? "to the cloud" : "to a local model");
        return new Verdict(Verdict.Kind.KEEP, headline, Optional.empty(), OptionalLong.empty(), true, evidence,
                v.links(), v.basis(), word);
    }

    /** {@code v} with the canary's sentence added and its word. */
    private static Verdict with(Verdict v, List<String> evidence, Verdict.Confirmation word) {
        return new Verdict(v.kind(), v.headline(), v.cohort(), v.sampleSizeToDecide(), v.alert(), evidence, v.links(),
                v.basis(), word);
    }

    private static boolean below(Optional<VisibleRate> cohort, double t) {
        return cohort.isPresent() && cohort.get().traces() > 0 && cohort.get().interval().high() < t;
    }

    private static boolean above(Optional<VisibleRate> cohort, double t) {
        return cohort.isPresent() && cohort.get().traces() > 0 && cohort.get().interval().low() > t;
    }

    private static String scope(TaskSettings s, DeploymentEvidence e, ScopeDrift.Scope scope) {
        ScopeDrift d = e.drift();
        if (!s.scopeConstrained()) {
            return "Scope: open (" + s.category() + "), the kind of task local models struggle to keep up with"
                    + (d.measured() ? "; " + d.sentence() + "." : ".");
        }
        return switch (scope) {
            case CONSTRAINED -> "Scope: constrained (" + s.category() + "), so a local model can be specialised for"
                    + " it; " + (d.measured() ? d.sentence() + ", below 20%." : d.sentence()
                    + ", so the category's default stands.");
            case UNDECIDED -> "Scope: undecided: " + s.category() + " is constrained by default, but " + d.sentence()
                    + ", an interval that contains 20%; no move to a local model until it is decided.";
            case OPEN -> "Scope: open despite the " + s.category() + " category: " + d.sentence() + ", at least 20%"
                    + (e.local() ? "; warning: a local model specialised on the first inputs will meet requests it"
                    + " was not tuned for." : ".");
        };
    }

    private static String tail(DeploymentEvidence e, double t) {
        VisibleRate v = e.visible();
        Proportions.Interval ci = v.interval();
        QualityHistogram.WorstSlice w = e.tail();
        return String.format(Locale.ROOT, "Tail: %s of requests fail visibly (%,d of %,d, 95%% CI %s to %s) against a"
                        + " threshold of %s; the worst 5%% (%,.0f traces) are %s visible failures, their mean effective"
                        + " quality (CVaR 5%%) %.2f.",
                pct(v.rate()), v.failures(), v.traces(), pct(ci.low()), pct(ci.high()), pct(t), w.size(),
                pct(w.visibleFailureRate()), Double.isNaN(w.cvar()) ? 0.0 : w.cvar());
    }

    private static String cost(DeploymentEvidence e, Optional<CostModel> priced, String cloudModel,
                               OptionalDouble breakEven) {
        if (priced.isEmpty()) {
            return String.format(Locale.ROOT, "Cost: unpriced: %s has no price in the price table, so no cost"
                    + " comparison or cost-driven verdict is drawn (%s tokens/day).", cloudModel, tokens(e.tokensPerDay()));
        }
        CostModel cost = priced.get();
        return String.format(Locale.ROOT, "Cost: %s tokens/day would cost $%,.2f/day on %s and $%,.2f/day locally"
                        + " (plus $%,.2f/day fixed); break-even %s.", tokens(e.tokensPerDay()),
                cost.cloudPerDay(e.tokensPerDay(), e.inputShare()), cloudModel, cost.localPerDay(e.tokensPerDay()),
                cost.localFixedPerDay(),
                breakEven.isPresent() ? tokens(breakEven.getAsDouble()) + " tokens/day" : "never (the cloud is cheaper per token)");
    }

    private static List<String> withCohorts(List<String> evidence, DeploymentEvidence e) {
        List<String> out = new ArrayList<>(evidence);
        VisibleRate lo = e.upTo8k().orElseThrow();
        VisibleRate hi = e.over8k().orElseThrow();
        out.add(String.format(Locale.ROOT, "Cohorts: with <= 8k context tokens %s of requests fail visibly (95%% CI %s"
                        + " to %s); with > 8k, %s (95%% CI %s to %s).", pct(lo.rate()), pct(lo.interval().low()),
                pct(lo.interval().high()), pct(hi.rate()), pct(hi.interval().low()), pct(hi.interval().high())));
        return out;
    }

    private static Map<String, String> links(String task) {
        String t = URLEncoder.encode(task, StandardCharsets.UTF_8);
        return Map.of("worst_traces", "/api/v1/tasks/" + t + "/worst", "failures", "/api/v1/traces?task=" + t + "&failures=true");
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String tokens(double perDay) {
        if (perDay >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", perDay / 1_000_000);
        }
        return perDay >= 1_000 ? String.format(Locale.ROOT, "%.0fk", perDay / 1_000) : String.format(Locale.ROOT, "%.0f", perDay);
    }
}
