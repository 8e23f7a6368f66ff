package io.tailaudit.server.tail;

import org.apache.commons.math3.distribution.NormalDistribution;

import java.util.OptionalLong;

/**
 * The proportion statistics verdicts rest on: the Wilson score interval (95%), the two-proportion z-test
 * for a trend between two windows, and the sample size at which an interval would stop containing a
 * threshold. Counts may be fractional: the worst-5% slice takes tied traces pro rata.
 */
public final class Proportions {

    private static final NormalDistribution NORMAL = new NormalDistribution();
    /** z for a two-sided 95% interval, 1.959963984540054. */
    static final double Z95 = NORMAL.inverseCumulativeProbability(0.975);
    /** Below this many observations per window the trend test is "not computable". */
    public static final int MIN_TREND_SAMPLE = 30;
    private static final long MAX_SAMPLE = 1_000_000_000L;

    private Proportions() {
    }

    /** A closed interval [low, high] within [0, 1]. */
    public record Interval(double low, double high) {
        public boolean contains(double x) {
            return low <= x && x <= high;
        }
    }

    /** Wilson score interval at 95% for {@code successes} out of {@code n}; [0, 1] when n is 0. */
    public static Interval wilson(double successes, double n) {
        if (n <= 0) {
            return new Interval(0, 1);
        }
        double p = successes / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Interval(Math.max(0, center - half), Math.min(1, center + half));
    }

    /** Result of the two-proportion z-test: {@code z} > 0 when the current rate is higher. */
    public record Trend(double current, double previous, double z, double pValue) {
        public boolean significant() {
            return pValue < 0.05;
        }
    }

    /**
     * Two-sided two-proportion z-test (pooled variance) of {@code x1/n1} (current window) against
     * {@code x2/n2} (previous window); empty when either window has fewer than 30 observations.
     */
    public static java.util.Optional<Trend> trend(double x1, double n1, double x2, double n2) {
        if (n1 < MIN_TREND_SAMPLE || n2 < MIN_TREND_SAMPLE) {
            return java.util.Optional.empty();
        }
        Difference d = difference(x1, n1, x2, n2);
        return java.util.Optional.of(new Trend(d.p1(), d.p2(), d.z(), d.pValue()));
    }

    /**
     * A difference of two proportions p1 - p2 with Newcombe's hybrid score interval and the pooled z-test.
     *
     * @param interval 95% interval of p1 - p2 (Newcombe 1998, method 10)
     * @param z        the pooled two-proportion z statistic, > 0 when p1 is higher (0 when the pooled rate is 0 or 1)
     * @param pValue   its two-sided p-value (1 when the pooled rate is 0 or 1)
     */
    public record Difference(double p1, double p2, double difference, Interval interval, double z, double pValue) {
    }

    /**
     * p1 - p2 for {@code x1/n1} and {@code x2/n2} (both n > 0): Newcombe's method 10 builds the 95% interval
     * of the difference from the two Wilson intervals, L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2),
     * U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2); the p-value is the pooled z-test's, as R's
     * {@code prop.test(correct = FALSE)} gives it.
     */
    public static Difference difference(double x1, double n1, double x2, double n2) {
        if (n1 <= 0 || n2 <= 0) {
            throw new IllegalArgumentException("both samples need observations, got n1=" + n1 + " n2=" + n2);
        }
        double p1 = x1 / n1;
        double p2 = x2 / n2;
        Interval a = wilson(x1, n1);
        Interval b = wilson(x2, n2);
        double d = p1 - p2;
        Interval ci = new Interval(d - Math.sqrt(sq(p1 - a.low()) + sq(b.high() - p2)),
                d + Math.sqrt(sq(a.high() - p1) + sq(p2 - b.low())));
        double pooled = (x1 + x2) / (n1 + n2);
        double se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
        if (se == 0) {
            return new Difference(p1, p2, d, ci, 0, 1);
        }
        double z = d / se;
        return new Difference(p1, p2, d, ci, z, 2 * NORMAL.cumulativeProbability(-Math.abs(z)));
    }

    /**
     * The weighted sum w p1 + (1 - w) p2 of two independent proportions given with their intervals, and its
     * interval by MOVER (Zou and Donner 2008): L = p - sqrt((w (p1 - l1))^2 + ((1 - w) (p2 - l2))^2), U
     * likewise with the upper bounds.
     */
    public static Interval weightedSum(double w, double p1, Interval i1, double p2, Interval i2) {
        if (!(w >= 0 && w <= 1)) {
            throw new IllegalArgumentException("weight must lie in [0, 1], got " + w);
        }
        double p = w * p1 + (1 - w) * p2;
        double low = p - Math.sqrt(sq(w * (p1 - i1.low())) + sq((1 - w) * (p2 - i2.low())));
        double high = p + Math.sqrt(sq(w * (i1.high() - p1)) + sq((1 - w) * (i2.high() - p2)));
        return new Interval(Math.max(0, low), Math.min(1, high));
    }

    /**
     * The canary size that decides a destination never measured (DESIGN "What-if"): the smallest n whose
     * Wilson interval of n x T/2 out of n lies entirely below T (292 at T = 5%); empty for T outside (0, 1].
     */
    public static OptionalLong canarySizeToDecide(double threshold) {
        if (!(threshold > 0 && threshold <= 1)) {
            return OptionalLong.empty();
        }
        double rate = threshold / 2;
        return firstDeciding(n -> wilson(rate * n, n).high() >= threshold);
    }

    private static double sq(double x) {
        return x * x;
    }

    /**
     * The smallest sample size at which the Wilson interval around the observed {@code rate} would no
     * longer contain {@code threshold}; empty when the rate equals the threshold (no sample decides it).
     */
    public static OptionalLong sampleSizeToDecide(double rate, double threshold) {
        if (rate == threshold) {
            return OptionalLong.empty();
        }
        return firstDeciding(n -> wilson(rate * n, n).contains(threshold));
    }

    /**
     * The first n >= 1 for which {@code undecided} is false, by doubling then bisection: the Wilson interval
     * narrows as n grows, so once decided it stays decided. Empty past a billion.
     */
    private static OptionalLong firstDeciding(java.util.function.LongPredicate undecided) {
        long hi = 1;
        while (undecided.test(hi)) {
            hi *= 2;
            if (hi > MAX_SAMPLE) {
                return OptionalLong.empty();
            }
        }
        long lo = hi / 2;
        while (lo + 1 < hi) {
            long mid = (lo + hi) >>> 1;
            if (undecided.test(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return OptionalLong.of(hi);
    }
}
