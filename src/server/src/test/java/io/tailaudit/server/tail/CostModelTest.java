package io.tailaudit.server.tail;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The seeded defaults (migration V2): gpt-4o list prices, one $1.20/h GPU at 2,500 tokens/s, $400/month. */
class CostModelTest {

    private static final CostModel DEFAULTS = new CostModel(2.50, 10.00, 1.20, 1, 2_500, 400);
    private static final double MIX = 0.8;

    @Test
    void default_break_even_lies_in_the_seeds_two_to_five_million_tokens_per_day_band() {
        double breakEven = DEFAULTS.breakEvenTokensPerDay(MIX).orElseThrow();

        assertThat(breakEven).isBetween(2_000_000.0, 5_000_000.0);
        // by hand: fixed 400 / (365/12) = 13.151 $/day; cloud 0.8*2.5 + 0.2*10 = 4.0 $/1M;
        // local marginal 1.20 / (2500 * 3600) = 0.1333 $/1M; 13.151 / (3.8667e-6) = 3.401M
        assertThat(breakEven).isCloseTo(3_401_000, within(1_000.0));
    }

    @Test
    void below_half_a_million_tokens_per_day_the_cloud_is_cheaper() {
        assertThat(DEFAULTS.cloudPerDay(500_000, MIX)).isLessThan(DEFAULTS.localPerDay(500_000));
    }

    @Test
    void above_the_break_even_local_is_cheaper() {
        assertThat(DEFAULTS.localPerDay(6_000_000)).isLessThan(DEFAULTS.cloudPerDay(6_000_000, MIX));
    }

    @Test
    void a_cloud_model_cheaper_than_the_local_marginal_cost_has_no_break_even() {
        CostModel cheapCloud = new CostModel(0.01, 0.02, 1.20, 1, 2_500, 400);

        assertThat(cheapCloud.breakEvenTokensPerDay(MIX)).isEmpty();
    }
}
