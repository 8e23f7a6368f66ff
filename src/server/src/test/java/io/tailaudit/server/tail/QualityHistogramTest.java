package io.tailaudit.server.tail;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * 100 traces, computed by hand: 90 ok at quality 0.9; 4 errors (qe 0); 3 escalated at quality 0.8 (qe capped
 * to 0.25); 3 ok at quality 0.3 (under the 0.5 floor). Worst 5% = 5 traces: the 4 errors and a third of the
 * 3 escalated ones (pro rata at the cut). Visible failures in it: 4 + 1 = 5, rate 100%; CVaR = (0 + 0.25) / 5
 * = 0.05. With an absorbable tail only escalated/negative ones are visible: 1 of 5 = 20%.
 */
class QualityHistogramTest {

    private static QualityHistogram example() {
        QualityHistogram h = new QualityHistogram();
        for (int i = 0; i < 90; i++) h.add(true, 0.9, false, false, true);
        for (int i = 0; i < 4; i++) h.add(false, null, false, false, true);
        for (int i = 0; i < 3; i++) h.add(true, 0.8, true, false, true);
        for (int i = 0; i < 3; i++) h.add(true, 0.3, false, false, true);
        return h;
    }

    @Test
    void effective_quality_follows_the_design() {
        assertThat(QualityHistogram.effectiveQuality(false, 0.9, false, false, true)).isZero();
        assertThat(QualityHistogram.effectiveQuality(true, null, false, false, true)).isEqualTo(1.0);
        assertThat(QualityHistogram.effectiveQuality(true, 0.8, true, false, true)).isEqualTo(0.25);
        assertThat(QualityHistogram.effectiveQuality(true, 0.8, false, true, true)).isEqualTo(0.25);
        assertThat(QualityHistogram.effectiveQuality(true, 0.8, false, false, false)).isEqualTo(0.25);
        assertThat(QualityHistogram.effectiveQuality(true, 0.1, true, false, true)).isEqualTo(0.1);
    }

    @Test
    void failures_count_hard_failures_and_quality_under_the_floor() {
        assertThat(example().failures(0.5)).isEqualTo(10);
        assertThat(example().failures(0.2)).isEqualTo(7);
    }

    @Test
    void worst_five_percent_is_cut_pro_rata_at_the_cut_bin() {
        QualityHistogram.WorstSlice w = example().worst(0.05, 0.5, false);

        assertThat(w.size()).isEqualTo(5.0);
        assertThat(w.visibleFailures()).isCloseTo(5.0, within(1e-9));
        assertThat(w.visibleFailureRate()).isCloseTo(1.0, within(1e-9));
        assertThat(w.cvar()).isCloseTo(0.05, within(1e-9));
    }

    @Test
    void an_absorbable_tail_counts_only_escalated_or_negatively_rated_failures() {
        QualityHistogram.WorstSlice w = example().worst(0.05, 0.5, true);

        assertThat(w.visibleFailureRate()).isCloseTo(0.2, within(1e-9));
        assertThat(example().visibleFailures(0.5, true)).isEqualTo(3);
    }

    @Test
    void merging_two_halves_gives_the_whole() {
        QualityHistogram a = new QualityHistogram();
        QualityHistogram b = new QualityHistogram();
        for (int i = 0; i < 50; i++) a.add(true, 0.9, false, false, true);
        for (int i = 0; i < 40; i++) b.add(true, 0.9, false, false, true);
        for (int i = 0; i < 4; i++) b.add(false, null, false, false, true);
        for (int i = 0; i < 3; i++) a.add(true, 0.8, true, false, true);
        for (int i = 0; i < 3; i++) b.add(true, 0.3, false, false, true);

        QualityHistogram.WorstSlice merged = a.merge(b).worst(0.05, 0.5, false);
        assertThat(merged).isEqualTo(example().worst(0.05, 0.5, false));
    }

    @Test
    void a_quality_of_0_29_falls_in_its_own_bin() {
        assertThat(QualityHistogram.bin(0.29)).isEqualTo(29);
        assertThat(QualityHistogram.bin(1.0)).isEqualTo(99);
    }
}
