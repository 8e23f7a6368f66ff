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

    @Test
    void the_compact_encoding_round_trips_negative_corrections_and_large_counts() {
        QualityHistogram h = new QualityHistogram();
        for (int i = 0; i < 300; i++) {
            h.add(true, 0.9, false, false, true);
        }
        h.add(true, 0.9, false, false, true, -1);            // a correction moves one trace out of bin 90...
        h.add(true, 0.9, false, true, true, 1);              // ...into bin 25, rated negative
        h.add(false, null, true, false, true, -1);           // a bare correction: bin 0 goes negative
        QualityHistogram back = QualityHistogram.decode(h.encode());
        assertThat(back.all()).containsExactly(h.all());
        assertThat(back.hard()).containsExactly(h.hard());
        assertThat(back.flagged()).containsExactly(h.flagged());
        assertThat(back.sums()).containsExactly(h.sums());
        assertThat(back.all()[90]).isEqualTo(299);
        assertThat(back.all()[0]).isEqualTo(-1);
        assertThat(h.encode().length).as("3 bins of ~12 bytes").isLessThan(40);
    }

    @Test
    void a_histogram_of_few_bins_kept_sparse_reads_and_encodes_as_a_dense_one() {
        java.util.Random random = new java.util.Random(42);
        QualityHistogram whole = new QualityHistogram();
        QualityHistogram merged = new QualityHistogram();
        QualityHistogram countsOnly = new QualityHistogram();
        QualityHistogram counted = new QualityHistogram();
        for (int part = 0; part < 40; part++) {
            QualityHistogram few = new QualityHistogram();
            for (int i = 0; i < 3; i++) {
                boolean ok = random.nextDouble() > 0.1;
                double quality = random.nextInt(100) / 100.0;
                boolean escalated = random.nextDouble() < 0.05;
                boolean negative = random.nextDouble() < 0.05;
                boolean schemaValid = random.nextDouble() > 0.05;
                whole.add(ok, quality, escalated, negative, schemaValid);
                few.add(ok, quality, escalated, negative, schemaValid);
                counted.addCount(ok, quality, escalated, negative, schemaValid, 1);
            }
            QualityHistogram back = QualityHistogram.decode(few.encode());
            assertThat(back.encode()).isEqualTo(few.encode());
            merged.merge(back);
            countsOnly.mergeEncodedCounts(few.encodeCounts());
        }
        assertThat(merged.count()).isEqualTo(120);
        assertThat(merged.encode()).isEqualTo(whole.encode());
        assertThat(merged.all()).isEqualTo(whole.all());
        assertThat(merged.hard()).isEqualTo(whole.hard());
        assertThat(merged.flagged()).isEqualTo(whole.flagged());
        assertThat(merged.sums()).isEqualTo(whole.sums());
        assertThat(countsOnly.all()).isEqualTo(whole.all());
        assertThat(countsOnly.encodeCounts()).isEqualTo(whole.encodeCounts());
        assertThat(counted.encodeCounts()).isEqualTo(whole.encodeCounts());

        QualityHistogram sparse = new QualityHistogram();
        sparse.add(true, 0.9, false, false, true);
        sparse.add(false, null, false, false, true);
        sparse.add(true, 0.3, true, false, true);
        QualityHistogram dense = new QualityHistogram().merge(merged);
        dense.mergeEncoded(new QualityHistogram().encode());
        QualityHistogram both = new QualityHistogram().merge(sparse).merge(dense);
        assertThat(both.count()).isEqualTo(123);
        assertThat(both.worst(0.05, 0.5, false)).isEqualTo(
                new QualityHistogram().merge(dense).merge(sparse).worst(0.05, 0.5, false));
        assertThat(sparse.worst(0.5, 0.5, false).visibleFailures()).isCloseTo(1.5, within(1e-9));
        assertThat(sparse.failures(0.5)).isEqualTo(2);
    }

    @Test
    void a_bin_out_of_range_is_refused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> QualityHistogram.decode(new byte[] {(byte) 100, 2, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0})).isInstanceOf(IllegalArgumentException.class);
    }
}
