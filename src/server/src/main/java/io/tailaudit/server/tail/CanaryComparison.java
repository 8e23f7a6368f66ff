package io.tailaudit.server.tail;

import java.util.Locale;
import java.util.Optional;

/**
 * Another deployment d of a task (a canary) against the task's busiest deployment b on the visible-failure
 * rate (DESIGN "Canary comparison"): the difference p_d - p_b with Newcombe's method-10 interval and the pooled
 * z-test's two-sided p-value; not computable when either has fewer than {@value #MIN_TRACES} traces. The
 * interval decides, the p-value is shown.
 *
 * @param canaryLocal  whether d is local
 * @param canaryModel  d's model, for the sentences
 * @param busiestLocal whether b is local
 * @param cohort       what was compared: {@link #ALL_TRAFFIC}, or the &gt; 8k cohorts for a HYBRID verdict
 * @param canary       d's visible failures over its traces (of the cohort)
 * @param busiest      b's likewise
 * @param difference   p_d - p_b, its interval and p-value; empty when not computable
 */
public record CanaryComparison(boolean canaryLocal, String canaryModel, boolean busiestLocal, String cohort,
                               VisibleRate canary, VisibleRate busiest, Optional<Proportions.Difference> difference) {

    /** Below this many traces on either side the comparison is "not computable". */
    public static final int MIN_TRACES = 30;
    public static final String ALL_TRAFFIC = "all traffic";

    /** d against b over {@code cohort}; the difference only when both have {@value #MIN_TRACES} traces. */
    public static CanaryComparison of(boolean canaryLocal, String canaryModel, boolean busiestLocal, String cohort,
                                      VisibleRate canary, VisibleRate busiest) {
        Optional<Proportions.Difference> d = canary.traces() < MIN_TRACES || busiest.traces() < MIN_TRACES
                ? Optional.empty()
                : Optional.of(Proportions.difference(canary.failures(), canary.traces(), busiest.failures(),
                busiest.traces()));
        return new CanaryComparison(canaryLocal, canaryModel, busiestLocal, cohort, canary, busiest, d);
    }

    /** Whether d runs on b's own side: compared, but it supports no move. */
    public boolean sameSide() {
        return canaryLocal == busiestLocal;
    }

    /** The statistical outcome: d significantly better (the whole interval below 0), worse, or neither. */
    public enum Outcome {
        BETTER, WORSE, NO_SIGNIFICANT_DIFFERENCE, NOT_COMPUTABLE;

        @com.fasterxml.jackson.annotation.JsonValue
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Outcome outcome() {
        if (difference.isEmpty()) {
            return Outcome.NOT_COMPUTABLE;
        }
        Proportions.Interval ci = difference.get().interval();
        return ci.high() < 0 ? Outcome.BETTER : ci.low() > 0 ? Outcome.WORSE : Outcome.NO_SIGNIFICANT_DIFFERENCE;
    }

    /**
     * What d says of a move towards its side: for a move the tail drives, confirmed when d is significantly
     * better, contradicted when significantly worse, else not supported; for one cost drives (d need only be
     * no worse), confirmed when the interval's upper bound is below +T/2, contradicted when its lower bound is
     * above +T/2, else not supported. Not computable below {@value #MIN_TRACES} traces.
     */
    public Verdict.Confirmation support(Verdict.Basis basis, double threshold) {
        if (difference.isEmpty()) {
            return Verdict.Confirmation.NOT_COMPUTABLE;
        }
        Proportions.Interval ci = difference.get().interval();
        if (basis == Verdict.Basis.COST) {
            double margin = threshold / 2;
            return ci.high() < margin ? Verdict.Confirmation.CONFIRMED
                    : ci.low() > margin ? Verdict.Confirmation.CONTRADICTED : Verdict.Confirmation.NOT_SUPPORTED;
        }
        return switch (outcome()) {
            case BETTER -> Verdict.Confirmation.CONFIRMED;
            case WORSE -> Verdict.Confirmation.CONTRADICTED;
            default -> Verdict.Confirmation.NOT_SUPPORTED;
        };
    }

    /**
     * "Canary: the cloud canary gpt-4o fails visibly 2.1% vs 11.3% locally, difference -9.2 pp, 95% CI -10.9
     * to -7.4 pp, p < 0.001: confirmed."
     */
    public String sentence(Verdict.Confirmation word, Verdict.Basis basis, double threshold) {
        String who = String.format(Locale.ROOT, "the %s canary %s", canaryLocal ? "local" : "cloud", canaryModel);
        String over = ALL_TRAFFIC.equals(cohort) ? "" : " (" + cohort + ")";
        if (difference.isEmpty()) {
            return String.format(Locale.ROOT, "Canary: %s%s has %,d traces against %,d %s; a comparison needs %d on"
                            + " each side: not computable, so the move is unconfirmed.", who, over, canary.traces(),
                    busiest.traces(), busiestLocal ? "locally" : "in the cloud", MIN_TRACES);
        }
        Proportions.Difference d = difference.get();
        String test = basis == Verdict.Basis.COST
                ? String.format(Locale.ROOT, " (non-inferiority margin +%.1f pp)", 100 * threshold / 2) : "";
        return String.format(Locale.ROOT, "Canary: %s%s fails visibly %s vs %s %s, difference %+.1f pp, 95%% CI %+.1f"
                        + " to %+.1f pp, %s%s: %s.", who, over, VerdictEngine.pct(d.p1()), VerdictEngine.pct(d.p2()),
                busiestLocal ? "locally" : "in the cloud", 100 * d.difference(), 100 * d.interval().low(),
                100 * d.interval().high(), pValue(d.pValue()), test, word.code().replace('_', ' '));
    }

    /** The comparison without a word on any move: for a canary that speaks for no move. */
    public String describe() {
        String who = String.format(Locale.ROOT, "The %s deployment %s", canaryLocal ? "local" : "cloud", canaryModel);
        String over = ALL_TRAFFIC.equals(cohort) ? "" : " (" + cohort + ")";
        if (difference.isEmpty()) {
            return String.format(Locale.ROOT, "%s%s has %,d traces against %,d: not computable below %d on each side.",
                    who, over, canary.traces(), busiest.traces(), MIN_TRACES);
        }
        Proportions.Difference d = difference.get();
        return String.format(Locale.ROOT, "%s%s fails visibly %s vs %s on the busiest deployment, difference %+.1f pp,"
                        + " 95%% CI %+.1f to %+.1f pp, %s: %s%s.", who, over, VerdictEngine.pct(d.p1()),
                VerdictEngine.pct(d.p2()), 100 * d.difference(), 100 * d.interval().low(), 100 * d.interval().high(),
                pValue(d.pValue()), switch (outcome()) {
                    case BETTER -> "significantly better";
                    case WORSE -> "significantly worse";
                    default -> "no significant difference";
                }, sameSide() ? " (on the busiest deployment's own side: supports no move)" : "");
    }

    /** "p < 0.001", else "p = 0.042". */
    public static String pValue(double p) {
        return p < 0.001 ? "p < 0.001" : String.format(Locale.ROOT, "p = %.3f", p);
    }
}
