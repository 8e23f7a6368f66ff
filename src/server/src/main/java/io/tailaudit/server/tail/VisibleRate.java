package io.tailaudit.server.tail;

/**
 * Visible failures over all traces of a deployment (or of one of its cohorts) in a window: the rate the
 * verdict compares with the tail threshold T (DESIGN "Verdict rules"). At T = 5% a rate above T means the
 * whole worst-5% slice would be visible failures.
 */
public record VisibleRate(long failures, long traces) {

    public VisibleRate {
        if (failures < 0 || traces < 0 || failures > traces) {
            throw new IllegalArgumentException("visible failures must lie in [0, traces], got " + failures + " of " + traces);
        }
    }

    public static VisibleRate of(QualityHistogram h, TaskSettings s) {
        return TailCut.of(s).visible(h);
    }

    public double rate() {
        return traces == 0 ? 0 : failures / (double) traces;
    }

    public Proportions.Interval interval() {
        return Proportions.wilson(failures, traces);
    }
}
