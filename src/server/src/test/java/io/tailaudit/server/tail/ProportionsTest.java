package io.tailaudit.server.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * Reference values: Wilson intervals from Newcombe, R. G. (1998), "Two-sided confidence intervals for the
 * single proportion: comparison of seven methods", Statistics in Medicine 17, 857-872, Table II (method 3);
 * the trend test against R's {@code prop.test(c(15, 25), c(100, 100), correct = FALSE)}:
 * X-squared = 3.125, p-value = 0.0771.
 */
class ProportionsTest {

    @Test
    void wilson_81_of_263_matches_newcombe() {
        Proportions.Interval i = Proportions.wilson(81, 263);
        assertThat(i.low()).isCloseTo(0.2553, within(1e-4));
        assertThat(i.high()).isCloseTo(0.3662, within(1e-4));
    }

    @Test
    void wilson_15_of_148_matches_newcombe() {
        Proportions.Interval i = Proportions.wilson(15, 148);
        assertThat(i.low()).isCloseTo(0.0624, within(1e-4));
        assertThat(i.high()).isCloseTo(0.1605, within(1e-4));
    }

    @Test
    void wilson_0_of_20_matches_newcombe() {
        Proportions.Interval i = Proportions.wilson(0, 20);
        assertThat(i.low()).isCloseTo(0.0, within(1e-4));
        assertThat(i.high()).isCloseTo(0.1611, within(1e-4));
    }

    @Test
    void wilson_1_of_29_matches_newcombe() {
        Proportions.Interval i = Proportions.wilson(1, 29);
        assertThat(i.low()).isCloseTo(0.0061, within(1e-4));
        assertThat(i.high()).isCloseTo(0.1718, within(1e-4));
    }

    @Test
    void wilson_of_nothing_is_the_whole_unit_interval() {
        assertThat(Proportions.wilson(0, 0)).isEqualTo(new Proportions.Interval(0, 1));
    }

    @Test
    void trend_test_matches_r_prop_test_without_continuity_correction() {
        Proportions.Trend t = Proportions.trend(15, 100, 25, 100).orElseThrow();
        assertThat(t.z() * t.z()).isCloseTo(3.125, within(1e-9));
        assertThat(t.pValue()).isCloseTo(0.0771, within(1e-4));
        assertThat(t.significant()).isFalse();
    }

    @Test
    void trend_is_not_computable_below_30_observations_in_a_window() {
        assertThat(Proportions.trend(5, 29, 10, 100)).isEmpty();
    }

    @Test
    void sample_size_to_decide_is_the_first_n_whose_interval_excludes_the_threshold() {
        long n = Proportions.sampleSizeToDecide(0.08, 0.05).orElseThrow();
        assertThat(Proportions.wilson(0.08 * n, n).contains(0.05)).isFalse();
        assertThat(Proportions.wilson(0.08 * (n - 1), n - 1).contains(0.05)).isTrue();
    }

    @Test
    void a_rate_equal_to_the_threshold_is_never_decided() {
        assertThat(Proportions.sampleSizeToDecide(0.05, 0.05)).isEmpty();
    }

    /**
     * Newcombe, R. G. (1998), "Interval estimation for the difference between independent proportions:
     * comparison of eleven methods", Statistics in Medicine 17, 873-890, Table II, method 10 (hybrid score),
     * its six worked examples (a)-(f).
     */
    @ParameterizedTest(name = "{0}/{1} - {2}/{3}: [{4}, {5}]")
    @CsvSource({
            "56, 70, 48, 80, 0.0524, 0.3339",
            "9, 10, 3, 10, 0.1705, 0.8090",
            "6, 7, 2, 7, 0.0582, 0.8062",
            "5, 56, 0, 29, -0.0381, 0.1926",
            "0, 10, 0, 20, -0.1611, 0.2775",
            "10, 10, 0, 20, 0.6791, 1.0000"})
    void difference_interval_matches_newcombe_method_10(int x1, int n1, int x2, int n2, double low, double high) {
        Proportions.Difference d = Proportions.difference(x1, n1, x2, n2);
        assertThat(d.difference()).isCloseTo((double) x1 / n1 - (double) x2 / n2, within(1e-12));
        assertThat(d.interval().low()).isCloseTo(low, within(1e-4));
        assertThat(d.interval().high()).isCloseTo(high, within(1e-4));
    }

    /** R 4.2.2: {@code prop.test(c(x1, x2), c(n1, n2), correct = FALSE)}, its X-squared and p-value. */
    @ParameterizedTest(name = "{0}/{1} vs {2}/{3}: X2 = {4}, p = {5}")
    @CsvSource({
            "56, 70, 48, 80, 7.023411, 0.00804508",
            "9, 10, 3, 10, 7.500000, 0.0061699",
            "21, 1000, 113, 1000, 67.700085, 1.90355e-16",
            "30, 1500, 45, 1500, 3.076923, 0.0794106",
            "40, 400, 20, 400, 7.207207, 0.00726114"})
    void difference_p_value_matches_r_prop_test_without_continuity_correction(int x1, int n1, int x2, int n2,
                                                                              double chiSquared, double p) {
        Proportions.Difference d = Proportions.difference(x1, n1, x2, n2);
        assertThat(d.z() * d.z()).isCloseTo(chiSquared, within(1e-5));
        assertThat(d.pValue()).isCloseTo(p, withinPercentage(0.01));
    }

    @Test
    void a_pooled_rate_of_zero_gives_p_one_where_r_gives_nan() {
        Proportions.Difference d = Proportions.difference(0, 50, 0, 60);
        assertThat(d.pValue()).isEqualTo(1.0);
        assertThat(d.z()).isZero();
        assertThat(Proportions.difference(50, 50, 60, 60).pValue()).isEqualTo(1.0);
    }

    @Test
    void the_canary_size_that_decides_is_292_at_a_five_percent_threshold() {
        assertThat(Proportions.canarySizeToDecide(0.05)).hasValue(292);
        assertThat(Proportions.wilson(291 * 0.025, 291).high()).isGreaterThanOrEqualTo(0.05);
        assertThat(Proportions.wilson(292 * 0.025, 292).high()).isLessThan(0.05);
        assertThat(Proportions.canarySizeToDecide(0)).isEmpty();
    }

    @Test
    void mover_interval_of_a_weighted_sum_combines_the_two_wilson_intervals() {
        // 0.8 x 30/1000 + 0.2 x 12/400, by hand from the Wilson intervals
        Proportions.Interval a = Proportions.wilson(30, 1000);
        Proportions.Interval b = Proportions.wilson(12, 400);
        Proportions.Interval m = Proportions.weightedSum(0.8, 0.03, a, 0.03, b);
        double lo = 0.03 - Math.sqrt(Math.pow(0.8 * (0.03 - a.low()), 2) + Math.pow(0.2 * (0.03 - b.low()), 2));
        double hi = 0.03 + Math.sqrt(Math.pow(0.8 * (a.high() - 0.03), 2) + Math.pow(0.2 * (b.high() - 0.03), 2));
        assertThat(m.low()).isCloseTo(lo, within(1e-12));
        assertThat(m.high()).isCloseTo(hi, within(1e-12));
        // narrower than either part alone around the same rate: the parts' errors are independent
        assertThat(m.high() - m.low()).isLessThan(a.high() - a.low());
        // w = 1 is the staying cohort's own interval
        Proportions.Interval alone = Proportions.weightedSum(1, 0.03, a, 0.5, b);
        assertThat(alone.low()).isCloseTo(a.low(), within(1e-15));
        assertThat(alone.high()).isCloseTo(a.high(), within(1e-15));
    }
}
