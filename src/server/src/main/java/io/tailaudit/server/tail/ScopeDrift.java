package io.tailaudit.server.tail;

import java.util.Locale;
import java.util.Optional;

/**
 * A task's scope drift over a window (DESIGN "Scope drift"): novel inputs among the sampled inputs of the
 * window after the reference period, with the Wilson 95% interval of the share; or why it is not measured.
 *
 * @param inputs         inputs with text in the window after the reference period
 * @param sampled        inputs scored (all of them, or a sample of at least 1,000)
 * @param novel          sampled inputs novel against the reference
 * @param referenceTexts reference inputs the sample was scored against
 * @param notMeasured    why there is no measurement (fewer than 100 inputs or reference texts, text off)
 */
public record ScopeDrift(long inputs, int sampled, int novel, int referenceTexts, Optional<String> notMeasured) {

    /** The drift share at or above which a constrained category counts as open scope. */
    public static final double OPEN_AT = 0.20;
    /** Fewer inputs, or reference texts, than this leave the drift not measured. */
    public static final int MIN_TEXTS = 100;

    public enum Scope { CONSTRAINED, UNDECIDED, OPEN }

    public static ScopeDrift notMeasured(String why) {
        return new ScopeDrift(0, 0, 0, 0, Optional.of(why));
    }

    public boolean measured() {
        return notMeasured.isEmpty();
    }

    public double share() {
        return sampled == 0 ? 0 : novel / (double) sampled;
    }

    public Proportions.Interval interval() {
        return Proportions.wilson(novel, sampled);
    }

    /** The task's scope: an open category is open; a constrained one is what its drift says. */
    public Scope scope(boolean categoryConstrained) {
        return categoryConstrained ? scope() : Scope.OPEN;
    }

    /** What the drift says of a constrained category's scope; a not-measured drift leaves it constrained. */
    public Scope scope() {
        if (!measured()) {
            return Scope.CONSTRAINED;
        }
        Proportions.Interval ci = interval();
        return ci.low() >= OPEN_AT ? Scope.OPEN : ci.high() >= OPEN_AT ? Scope.UNDECIDED : Scope.CONSTRAINED;
    }

    /** "12.0% of 1,000 sampled inputs are novel (95% CI 10.1% to 14.2%)". */
    public String sentence() {
        if (!measured()) {
            return "drift not measured: " + notMeasured.get();
        }
        Proportions.Interval ci = interval();
        return String.format(Locale.ROOT, "%.1f%% of %,d %sinputs are novel against %,d reference inputs"
                        + " (95%% CI %.1f%% to %.1f%%)", share() * 100, sampled,
                sampled < inputs ? String.format(Locale.ROOT, "sampled (of %,d) ", inputs) : "", referenceTexts,
                ci.low() * 100, ci.high() * 100);
    }
}
