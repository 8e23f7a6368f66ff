package io.tailaudit.server.tail;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
}
