package io.tailaudit.server.tail;

/**
 * How a task's tail is cut and read: the worst fraction (DESIGN's 5%), the quality floor under which an ok
 * trace is a failure, and whether the tail is absorbable (unescalated, unrated failures then stay invisible).
 */
public record TailCut(double worstFraction, double qualityFloor, boolean absorbable) {

    /** DESIGN's worst 5%. */
    public static final double WORST_FRACTION = 0.05;

    public static TailCut of(TaskSettings s) {
        return new TailCut(WORST_FRACTION, s.qualityFloor(), s.tailAbsorbable());
    }

    /** The worst slice of {@code h} under this cut. */
    public QualityHistogram.WorstSlice worst(QualityHistogram h) {
        return h.worst(worstFraction, qualityFloor, absorbable);
    }

    /** Visible failures over all traces of {@code h}. */
    public VisibleRate visible(QualityHistogram h) {
        return new VisibleRate(h.visibleFailures(qualityFloor, absorbable), h.count());
    }

    /** The share of each bin of {@code h} inside its worst slice. */
    public double[] worstShares(QualityHistogram h) {
        return h.worstShares(worstFraction);
    }
}
