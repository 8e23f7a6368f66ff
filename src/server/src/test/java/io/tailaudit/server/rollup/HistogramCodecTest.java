package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The rollups' byte form of quality histograms. */
class HistogramCodecTest {

    @Test
    void the_compact_encoding_round_trips_negative_corrections_and_large_counts() {
        QualityHistogram h = new QualityHistogram();
        for (int i = 0; i < 300; i++) {
            h.add(true, 0.9, false, false, true);
        }
        h.add(true, 0.9, false, false, true, -1);            // a correction moves one trace out of bin 90...
        h.add(true, 0.9, false, true, true, 1);              // ...into bin 25, rated negative
        h.add(false, null, true, false, true, -1);           // a bare correction: bin 0 goes negative
        QualityHistogram back = HistogramCodec.decode(HistogramCodec.encode(h));
        assertThat(back.all()).containsExactly(h.all());
        assertThat(back.hard()).containsExactly(h.hard());
        assertThat(back.flagged()).containsExactly(h.flagged());
        assertThat(back.sums()).containsExactly(h.sums());
        assertThat(back.all()[90]).isEqualTo(299);
        assertThat(back.all()[0]).isEqualTo(-1);
        assertThat(HistogramCodec.encode(h).length).as("3 bins of ~12 bytes").isLessThan(40);
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
            QualityHistogram back = HistogramCodec.decode(HistogramCodec.encode(few));
            assertThat(HistogramCodec.encode(back)).isEqualTo(HistogramCodec.encode(few));
            merged.merge(back);
            HistogramCodec.mergeEncodedCounts(countsOnly, HistogramCodec.encodeCounts(few));
        }
        assertThat(merged.count()).isEqualTo(120);
        assertThat(HistogramCodec.encode(merged)).isEqualTo(HistogramCodec.encode(whole));
        assertThat(merged.all()).isEqualTo(whole.all());
        assertThat(merged.hard()).isEqualTo(whole.hard());
        assertThat(merged.flagged()).isEqualTo(whole.flagged());
        assertThat(merged.sums()).isEqualTo(whole.sums());
        assertThat(countsOnly.all()).isEqualTo(whole.all());
        assertThat(HistogramCodec.encodeCounts(countsOnly)).isEqualTo(HistogramCodec.encodeCounts(whole));
        assertThat(HistogramCodec.encodeCounts(counted)).isEqualTo(HistogramCodec.encodeCounts(whole));

        QualityHistogram sparse = new QualityHistogram();
        sparse.add(true, 0.9, false, false, true);
        sparse.add(false, null, false, false, true);
        sparse.add(true, 0.3, true, false, true);
        QualityHistogram dense = new QualityHistogram().merge(merged);
        HistogramCodec.mergeEncoded(dense, HistogramCodec.encode(new QualityHistogram()));
        QualityHistogram both = new QualityHistogram().merge(sparse).merge(dense);
        assertThat(both.count()).isEqualTo(123);
        assertThat(both.worst(0.05, 0.5, false)).isEqualTo(
                new QualityHistogram().merge(dense).merge(sparse).worst(0.05, 0.5, false));
        assertThat(sparse.worst(0.5, 0.5, false).visibleFailures()).isCloseTo(1.5, within(1e-9));
        assertThat(sparse.failures(0.5)).isEqualTo(2);
    }

    @Test
    void a_bin_out_of_range_is_refused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HistogramCodec.decode(new byte[] {(byte) 100, 2, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0})).isInstanceOf(IllegalArgumentException.class);
    }
}
