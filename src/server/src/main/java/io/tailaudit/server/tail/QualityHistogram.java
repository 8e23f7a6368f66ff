package io.tailaudit.server.tail;

import java.util.Arrays;

/**
 * Effective quality (qe, in [0, 1]) of a set of traces in 100 bins of 0.01, mergeable and exact enough for
 * the worst-5% cut. Per bin it keeps: all traces, "hard" failures (status not ok, escalated, rated negative
 * or schema-invalid, failures whatever the quality floor), "flagged" ones (escalated or rated negative,
 * visible even where the tail is absorbable) and the sum of qe. The quality floor and absorbability are
 * applied when reading, so a changed task setting applies to history too; the floor's resolution is 0.01.
 */
public final class QualityHistogram {

    public static final int BINS = 100;
    private static final double ESCALATED_CAP = 0.25;

    private final long[] all = new long[BINS];
    // null while only counts were added (a cohort's counts-only histogram): the compactor holds thousands
    private long[] hard;
    private long[] flagged;
    private double[] sum;

    /** Allocates the arrays beyond the counts, on the first write that needs them. */
    private void detail() {
        if (sum == null) {
            hard = new long[BINS];
            flagged = new long[BINS];
            sum = new double[BINS];
        }
    }

    private long hard(int b) {
        return hard == null ? 0 : hard[b];
    }

    private long flagged(int b) {
        return flagged == null ? 0 : flagged[b];
    }

    private double sum(int b) {
        return sum == null ? 0 : sum[b];
    }

    /**
     * DESIGN's effective quality: 0 when the status is not ok; else the quality (1 when not given); then
     * capped at 0.25 when escalated, rated negative or schema-invalid.
     */
    public static double effectiveQuality(boolean ok, Double quality, boolean escalated, boolean negative,
                                          boolean schemaValid) {
        double qe = ok ? (quality == null ? 1.0 : quality) : 0.0;
        return escalated || negative || !schemaValid ? Math.min(qe, ESCALATED_CAP) : qe;
    }

    public void add(boolean ok, Double quality, boolean escalated, boolean negative, boolean schemaValid) {
        add(ok, quality, escalated, negative, schemaValid, 1);
    }

    /** Adds a trace with {@code weight} 1, or removes one with -1 (a feedback correction). */
    public void add(boolean ok, Double quality, boolean escalated, boolean negative, boolean schemaValid, int weight) {
        double qe = effectiveQuality(ok, quality, escalated, negative, schemaValid);
        int b = bin(qe);
        detail();
        all[b] += weight;
        if (isHard(ok, escalated, negative, schemaValid)) {
            hard[b] += weight;
        }
        if (escalated || negative) {
            flagged[b] += weight;
        }
        sum[b] += weight * qe;
    }

    /** A failure whatever the quality floor. */
    public static boolean isHard(boolean ok, boolean escalated, boolean negative, boolean schemaValid) {
        return !ok || escalated || negative || !schemaValid;
    }

    /** Copies of the four arrays: all, hard, flagged counts and the qe sums. */
    public long[] all() {
        return all.clone();
    }

    public long[] hard() {
        return hard == null ? new long[BINS] : hard.clone();
    }

    public long[] flagged() {
        return flagged == null ? new long[BINS] : flagged.clone();
    }

    public double[] sums() {
        return sum == null ? new double[BINS] : sum.clone();
    }

    /**
     * Compact form of the non-empty bins, for rollup rows: per bin its index, the three counts as zigzag
     * varints (a correction's counts can be negative) and the qe sum as a double; ~12 bytes a bin.
     */
    public byte[] encode() {
        ByteWriter bytes = new ByteWriter(64);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            for (int b = 0; b < BINS; b++) {
                if (all[b] != 0 || hard(b) != 0 || flagged(b) != 0 || sum(b) != 0) {
                    writeBin(out, b, all[b], hard(b), flagged(b), sum(b));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #encode()} wrote. */
    public static QualityHistogram decode(byte[] encoded) {
        QualityHistogram h = new QualityHistogram();
        h.mergeEncoded(encoded);
        return h;
    }

    /** Adds what {@link #encode()} wrote, without building a histogram for it. */
    public QualityHistogram mergeEncoded(byte[] encoded) {
        return mergeEncoded(new Bytes(encoded), encoded.length);
    }

    /** Adds what {@link #encode()} wrote, from {@code in}'s position up to {@code end}, and moves past it. */
    public QualityHistogram mergeEncoded(Bytes in, int end) {
        detail();
        try {
            while (in.position() < end) {
                int b = in.u8();
                all[b] += in.varlong();
                hard[b] += in.varlong();
                flagged[b] += in.varlong();
                sum[b] += in.readDouble();
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not an encoded quality histogram", e);
        }
        if (in.position() != end) {
            throw new IllegalArgumentException("not an encoded quality histogram: it overruns its length");
        }
        return this;
    }

    /**
     * The non-empty bins' trace counts only, ~3 bytes a bin: all a cohort other than context needs, since
     * its lift counts its traces inside another histogram's worst slice ({@link #countIn}).
     */
    public byte[] encodeCounts() {
        ByteWriter bytes = new ByteWriter(32);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            for (int b = 0; b < BINS; b++) {
                if (all[b] != 0) {
                    writeCount(out, b, all[b]);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Adds the counts {@link #encodeCounts()} wrote; the other arrays stay as they are. */
    public QualityHistogram mergeEncodedCounts(byte[] encoded) {
        return mergeEncodedCounts(new Bytes(encoded), encoded.length);
    }

    /** Adds the counts {@link #encodeCounts()} wrote, from {@code in}'s position up to {@code end}. */
    public QualityHistogram mergeEncodedCounts(Bytes in, int end) {
        try {
            while (in.position() < end) {
                all[in.u8()] += in.varlong();
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not encoded quality counts", e);
        }
        if (in.position() != end) {
            throw new IllegalArgumentException("not encoded quality counts: they overrun their length");
        }
        return this;
    }

    /** Writes one bin in {@link #encodeCounts()}'s format; bins must be written in ascending order. */
    public static void writeCount(java.io.DataOutputStream out, int bin, long all) throws java.io.IOException {
        out.writeByte(bin);
        varlong(out, all);
    }

    /** Writes one bin in {@link #encode()}'s format; bins must be written in ascending order. */
    public static void writeBin(java.io.DataOutputStream out, int bin, long all, long hard, long flagged, double sum)
            throws java.io.IOException {
        out.writeByte(bin);
        varlong(out, all);
        varlong(out, hard);
        varlong(out, flagged);
        out.writeDouble(sum);
    }

    /**
     * Writes {@code v} as a zigzag varint: small magnitudes, either sign, in few bytes ({@link Bytes#varlong}
     * reads it).
     */
    public static void varlong(java.io.DataOutputStream out, long v) throws java.io.IOException {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out.writeByte((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.writeByte((int) z);
    }

    public QualityHistogram merge(QualityHistogram other) {
        for (int b = 0; b < BINS; b++) {
            all[b] += other.all[b];
        }
        if (other.sum != null) {
            detail();
            for (int b = 0; b < BINS; b++) {
                hard[b] += other.hard[b];
                flagged[b] += other.flagged[b];
                sum[b] += other.sum[b];
            }
        }
        return this;
    }

    public long count() {
        return Arrays.stream(all).sum();
    }

    /** Failures under {@code floor}: the hard ones plus the traces whose qe lies under the floor. */
    public long failures(double floor) {
        long n = 0;
        for (int b = 0; b < BINS; b++) {
            n += belowFloor(b, floor) ? all[b] : hard(b);
        }
        return n;
    }

    /** Visible failures: all failures, or only the flagged ones when the tail is absorbable. */
    public long visibleFailures(double floor, boolean absorbable) {
        long n = 0;
        for (int b = 0; b < BINS; b++) {
            n += visibleIn(b, floor, absorbable);
        }
        return n;
    }

    /**
     * The worst {@code fraction} of traces by qe (k = fraction x n, fractional; the bin at the cut taken pro
     * rata): how many of them are visible failures, and their mean qe (CVaR).
     */
    public WorstSlice worst(double fraction, double floor, boolean absorbable) {
        long n = count();
        double k = fraction * n;
        if (n == 0 || k <= 0) {
            return new WorstSlice(0, 0, 0, Double.NaN);
        }
        double taken = 0;
        double visible = 0;
        double qeSum = 0;
        int cut = -1;
        for (int b = 0; b < BINS && taken < k; b++) {
            if (all[b] == 0) {
                continue;
            }
            double share = Math.min(1.0, (k - taken) / all[b]);
            taken += share * all[b];
            visible += share * visibleIn(b, floor, absorbable);
            qeSum += share * sum(b);
            cut = b;
        }
        return new WorstSlice(k, visible, cut / (double) BINS, qeSum / k);
    }

    /**
     * How much of each bin the worst {@code fraction} takes: 1 for the bins below the cut, the pro-rata share
     * at the cut bin, 0 above.
     */
    public double[] worstShares(double fraction) {
        double[] shares = new double[BINS];
        double k = fraction * count();
        double taken = 0;
        for (int b = 0; b < BINS && taken < k; b++) {
            if (all[b] > 0) {
                shares[b] = Math.min(1.0, (k - taken) / all[b]);
                taken += shares[b] * all[b];
            }
        }
        return shares;
    }

    /** Traces of this histogram inside a slice given by {@link #worstShares} of another (e.g. a cohort's). */
    public double countIn(double[] shares) {
        double n = 0;
        for (int b = 0; b < BINS; b++) {
            n += shares[b] * all[b];
        }
        return n;
    }

    /**
     * The failure modes inside a slice given by {@link #worstShares}, at bin resolution: traces whose status
     * is not ok all sit in bin 0 (qe 0), so the slice holds the share of bin 0 it takes of them.
     */
    public SliceModes modes(double[] shares, double floor, long notOk) {
        double flaggedIn = 0;
        double hardIn = 0;
        double lowIn = 0;
        for (int b = 0; b < BINS; b++) {
            flaggedIn += shares[b] * flagged(b);
            hardIn += shares[b] * hard(b);
            if (belowFloor(b, floor)) {
                lowIn += shares[b] * (all[b] - hard(b));
            }
        }
        double statusIn = all[0] == 0 ? 0 : shares[0] * Math.min(notOk, all[0]);
        return new SliceModes(statusIn, flaggedIn, Math.max(0, hardIn - statusIn - flaggedIn), lowIn);
    }

    /**
     * Failure modes in a slice (fractional counts): status not ok; escalated or rated negative; other hard
     * failures (schema-invalid output); ok but under the quality floor.
     */
    public record SliceModes(double statusNotOk, double escalatedOrNegative, double schemaInvalid,
                             double belowQualityFloor) {
    }

    private long visibleIn(int b, double floor, boolean absorbable) {
        if (absorbable) {
            return flagged(b);
        }
        return belowFloor(b, floor) ? all[b] : hard(b);
    }

    private static boolean belowFloor(int bin, double floor) {
        return (bin + 1) / (double) BINS <= floor + 1e-12;
    }

    public static int bin(double qe) {
        // the epsilon keeps 0.29 in bin 29 although 0.29 * 100 is 28.999... in binary
        return Math.min(BINS - 1, Math.max(0, (int) Math.floor(qe * BINS + 1e-9)));
    }

    /**
     * The worst slice: {@code size} traces (fractional), {@code visibleFailures} of them visible failures
     * (fractional at the cut), the qe bin where it was cut, and its mean qe.
     */
    public record WorstSlice(double size, double visibleFailures, double cutQuality, double cvar) {

        public double visibleFailureRate() {
            return size == 0 ? 0 : visibleFailures / size;
        }

        public Proportions.Interval interval() {
            return Proportions.wilson(visibleFailures, size);
        }
    }
}
