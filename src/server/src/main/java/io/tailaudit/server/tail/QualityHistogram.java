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
    /** Bins a histogram keeps sparse; past them it turns dense. */
    private static final int SPARSE_BINS = 16;

    /*
     * Sparse while few bins are used: slot i holds bin bins[i], the slots ascending by bin. Dense (bins null)
     * once more are: slot b is bin b. The compactor folds tens of thousands of hour buckets and their context
     * cohorts at once, most with a few dozen traces in a handful of bins, where four dense arrays apiece
     * made hundreds of megabytes to zero and to miss the cache on. Readers turn a histogram dense first.
     */
    private byte[] bins = new byte[4];
    private int size;
    private long[] all = new long[4];
    // null while only counts were added (a cohort's counts-only histogram): the compactor holds thousands
    private long[] hard;
    private long[] flagged;
    private double[] sum;

    /** Allocates the arrays beyond the counts, on the first write that needs them. */
    private void detail() {
        if (sum == null) {
            hard = new long[all.length];
            flagged = new long[all.length];
            sum = new double[all.length];
        }
    }

    /** The slot of {@code bin}, made if it has none (which may turn the histogram dense). */
    private int slot(int bin) {
        if (bins == null) {
            return bin;
        }
        int i = 0;
        while (i < size && bins[i] < bin) {
            i++;
        }
        if (i < size && bins[i] == bin) {
            return i;
        }
        if (size == SPARSE_BINS) {
            dense();
            return bin;
        }
        if (size == bins.length) {
            int n = Math.min(SPARSE_BINS, size * 2);
            bins = Arrays.copyOf(bins, n);
            all = Arrays.copyOf(all, n);
            if (sum != null) {
                hard = Arrays.copyOf(hard, n);
                flagged = Arrays.copyOf(flagged, n);
                sum = Arrays.copyOf(sum, n);
            }
        }
        int tail = size - i;
        System.arraycopy(bins, i, bins, i + 1, tail);
        System.arraycopy(all, i, all, i + 1, tail);
        bins[i] = (byte) bin;
        all[i] = 0;
        if (sum != null) {
            System.arraycopy(hard, i, hard, i + 1, tail);
            System.arraycopy(flagged, i, flagged, i + 1, tail);
            System.arraycopy(sum, i, sum, i + 1, tail);
            hard[i] = 0;
            flagged[i] = 0;
            sum[i] = 0;
        }
        size++;
        return i;
    }

    /** Turns the histogram dense: slot b is bin b from now on. */
    private QualityHistogram dense() {
        if (bins == null) {
            return this;
        }
        long[] a = new long[BINS];
        long[] h = sum == null ? null : new long[BINS];
        long[] f = sum == null ? null : new long[BINS];
        double[] q = sum == null ? null : new double[BINS];
        for (int i = 0; i < size; i++) {
            int b = bins[i];
            a[b] = all[i];
            if (q != null) {
                h[b] = hard[i];
                f[b] = flagged[i];
                q[b] = sum[i];
            }
        }
        all = a;
        hard = h;
        flagged = f;
        sum = q;
        bins = null;
        size = BINS;
        return this;
    }

    /** A bin number read from an encoding; out of range throws as reading past the end does. */
    private static int checkedBin(int b) {
        if (b >= BINS) {
            throw new IndexOutOfBoundsException("bin " + b);
        }
        return b;
    }

    /** The bin of slot {@code i}. */
    private int binOf(int i) {
        return bins == null ? i : bins[i];
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
        detail();
        int b = slot(bin(qe));
        all[b] += weight;
        if (isHard(ok, escalated, negative, schemaValid)) {
            hard[b] += weight;
        }
        if (escalated || negative) {
            flagged[b] += weight;
        }
        sum[b] += weight * qe;
    }

    /**
     * Counts a trace (or with {@code weight} -1 takes one away) in its bin only, as a histogram kept for
     * {@link #encodeCounts()}: no failure counts and no qe sum.
     */
    public void addCount(boolean ok, Double quality, boolean escalated, boolean negative, boolean schemaValid,
                         int weight) {
        int b = slot(bin(effectiveQuality(ok, quality, escalated, negative, schemaValid)));   // may grow all
        all[b] += weight;
    }

    /** A failure whatever the quality floor. */
    public static boolean isHard(boolean ok, boolean escalated, boolean negative, boolean schemaValid) {
        return !ok || escalated || negative || !schemaValid;
    }

    /** Copies of the four arrays: all, hard, flagged counts and the qe sums. */
    public long[] all() {
        return dense().all.clone();
    }

    public long[] hard() {
        return dense().hard == null ? new long[BINS] : hard.clone();
    }

    public long[] flagged() {
        return dense().flagged == null ? new long[BINS] : flagged.clone();
    }

    public double[] sums() {
        return dense().sum == null ? new double[BINS] : sum.clone();
    }

    /** One non-empty bin: its counts (all traces, hard failures, escalated-or-negative) and its qe sum. */
    @FunctionalInterface
    public interface BinVisitor {
        void bin(int bin, long all, long hard, long flagged, double sum) throws java.io.IOException;
    }

    /**
     * Visits the bins holding anything, ascending, for a codec to write them; {@code countsOnly} visits the
     * bins with traces and passes their other figures as 0.
     */
    public void forEachBin(boolean countsOnly, BinVisitor v) throws java.io.IOException {
        for (int i = 0; i < size; i++) {
            if (countsOnly ? all[i] != 0 : all[i] != 0 || hard(i) != 0 || flagged(i) != 0 || sum(i) != 0) {
                v.bin(binOf(i), all[i], countsOnly ? 0 : hard(i), countsOnly ? 0 : flagged(i), countsOnly ? 0 : sum(i));
            }
        }
    }

    /** Adds one bin's figures as a codec read them; out of range bins throw {@link IndexOutOfBoundsException}. */
    public void addBin(int bin, long all, long hard, long flagged, double sum) {
        detail();
        int b = slot(checkedBin(bin));
        this.all[b] += all;
        this.hard[b] += hard;
        this.flagged[b] += flagged;
        this.sum[b] += sum;
    }

    /** Adds one bin's trace count only (a counts-only cohort histogram); the other figures stay as they are. */
    public void addBinCount(int bin, long all) {
        int b = slot(checkedBin(bin));  // first: a new slot may reallocate the arrays
        this.all[b] += all;
    }

    public QualityHistogram merge(QualityHistogram other) {
        if (other.sum != null) {
            detail();
        }
        if (other.bins != null) {
            for (int j = 0; j < other.size; j++) {
                int i = slot(other.bins[j]);
                all[i] += other.all[j];
                if (other.sum != null) {
                    hard[i] += other.hard[j];
                    flagged[i] += other.flagged[j];
                    sum[i] += other.sum[j];
                }
            }
            return this;
        }
        dense();
        for (int b = 0; b < BINS; b++) {
            all[b] += other.all[b];
        }
        if (other.sum != null) {
            for (int b = 0; b < BINS; b++) {
                hard[b] += other.hard[b];
                flagged[b] += other.flagged[b];
                sum[b] += other.sum[b];
            }
        }
        return this;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < size; i++) {
            n += all[i];
        }
        return n;
    }

    /** Failures under {@code floor}: the hard ones plus the traces whose qe lies under the floor. */
    public long failures(double floor) {
        dense();
        long n = 0;
        for (int b = 0; b < BINS; b++) {
            n += belowFloor(b, floor) ? all[b] : hard(b);
        }
        return n;
    }

    /** Visible failures: all failures, or only the flagged ones when the tail is absorbable. */
    public long visibleFailures(double floor, boolean absorbable) {
        dense();
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
        dense();
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
        dense();
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
        dense();
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
        dense();
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
