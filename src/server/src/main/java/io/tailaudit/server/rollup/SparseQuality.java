package io.tailaudit.server.rollup;

import io.tailaudit.server.tail.ByteWriter;
import io.tailaudit.server.tail.QualityHistogram;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * An hour bucket's or a cohort's quality counts within one ingest batch: the few bins its traces fell in,
 * kept sorted in small arrays, written in {@link QualityHistogram#encode()}'s format. A batch touches
 * thousands of buckets with a handful of traces each, where a dense 100-bin histogram apiece would cost
 * more to allocate than everything else ingest does per trace.
 */
final class SparseQuality {

    private byte[] bins = new byte[4];
    private long[] all = new long[4];
    private long[] hard = new long[4];
    private long[] flagged = new long[4];
    private double[] sum = new double[4];
    private int size;

    void add(boolean ok, Double quality, boolean escalated, boolean negative, boolean schemaValid, int weight) {
        double qe = QualityHistogram.effectiveQuality(ok, quality, escalated, negative, schemaValid);
        int i = slot(QualityHistogram.bin(qe));
        all[i] += weight;
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

    /** The counts only, in {@link QualityHistogram#encodeCounts()}'s format. */
    byte[] encodeCounts() {
        ByteWriter bytes = new ByteWriter(3 * size + 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int i = 0; i < size; i++) {
                if (all[i] != 0) {
                    QualityHistogram.writeCount(out, bins[i], all[i]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    byte[] encode() {
        ByteWriter bytes = new ByteWriter(12 * size + 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int i = 0; i < size; i++) {
                if (all[i] != 0 || hard[i] != 0 || flagged[i] != 0 || sum[i] != 0) {
                    QualityHistogram.writeBin(out, bins[i], all[i], hard[i], flagged[i], sum[i]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
