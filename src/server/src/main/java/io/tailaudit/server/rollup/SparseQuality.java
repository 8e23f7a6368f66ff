package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.QualityHistogram;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * An hour bucket's or a cohort's quality counts within one ingest batch: the few bins its traces fell in,
 * kept sorted in small arrays, written in {@link QualityHistogram#encode()}'s format. A batch touches
 * thousands of buckets with a handful of traces each, where a dense 100-bin histogram apiece would cost
 * more to allocate than everything else ingest does per trace.
 */
final class SparseQuality implements PendingEntries.Part {

    /** Whether only the counts are kept and written, as for the cohorts day rows keep. */
    private final boolean countsOnly;
    private byte[] bins = new byte[4];
    private long[] all = new long[4];
    private long[] hard = new long[4];
    private long[] flagged = new long[4];
    private double[] sum = new double[4];
    private int size;

    /** A histogram written whole ({@link QualityHistogram#encode()}), or only its counts when {@code countsOnly}. */
    SparseQuality(boolean countsOnly) {
        this.countsOnly = countsOnly;
    }

    void add(boolean ok, Double quality, boolean escalated, boolean negative, boolean schemaValid, int weight) {
        double qe = QualityHistogram.effectiveQuality(ok, quality, escalated, negative, schemaValid);
        int i = slot(QualityHistogram.bin(qe));
        all[i] += weight;
        if (countsOnly) {
            return;
        }
        if (QualityHistogram.isHard(ok, escalated, negative, schemaValid)) {
            hard[i] += weight;
        }
        if (escalated || negative) {
            flagged[i] += weight;
        }
        sum[i] += weight * qe;
    }

    private int slot(int bin) {
        int i = 0;
        while (i < size && bins[i] < bin) {
            i++;
        }
        if (i < size && bins[i] == bin) {
            return i;
        }
        if (size == bins.length) {
            int n = size * 2;
            bins = Arrays.copyOf(bins, n);
            all = Arrays.copyOf(all, n);
            hard = Arrays.copyOf(hard, n);
            flagged = Arrays.copyOf(flagged, n);
            sum = Arrays.copyOf(sum, n);
        }
        int tail = size - i;
        System.arraycopy(bins, i, bins, i + 1, tail);
        System.arraycopy(all, i, all, i + 1, tail);
        System.arraycopy(hard, i, hard, i + 1, tail);
        System.arraycopy(flagged, i, flagged, i + 1, tail);
        System.arraycopy(sum, i, sum, i + 1, tail);
        bins[i] = (byte) bin;
        all[i] = 0;
        hard[i] = 0;
        flagged[i] = 0;
        sum[i] = 0;
        size++;
        return i;
    }

    /**
     * Writes the bins in {@link QualityHistogram#encode()}'s format, or in {@link
     * QualityHistogram#encodeCounts()}'s when only counts are kept.
     */
    @Override
    public void writeTo(DataOutputStream out) throws IOException {
        for (int i = 0; i < size; i++) {
            if (countsOnly) {
                if (all[i] != 0) {
                    QualityHistogram.writeCount(out, bins[i], all[i]);
                }
            } else if (all[i] != 0 || hard[i] != 0 || flagged[i] != 0 || sum[i] != 0) {
                QualityHistogram.writeBin(out, bins[i], all[i], hard[i], flagged[i], sum[i]);
            }
        }
    }
}
