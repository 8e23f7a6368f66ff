package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import io.tailaudit.server.tail.QualityHistogram;

/** What one batch adds to (or, for feedback corrections, moves within) one rollup bucket. */
final class RollupDelta {

    static final double LATENCY_ACCURACY = 0.01;

    String category;
    long traces;
    long escalations;
    long statusError;
    long statusTimeout;
    long statusRefused;
    long statusInvalidOutput;
    long escalated;
    long negative;
    long schemaInvalid;
    long inputTokens;
    long outputTokens;
    double pricedCostUsd;
    long unpricedInputTokens;
    long unpricedOutputTokens;
    final QualityHistogram quality = new QualityHistogram();
    DDSketch latency;

    DDSketch latency() {
        if (latency == null) {
            latency = DDSketches.unboundedDense(LATENCY_ACCURACY);
        }
        return latency;
    }
}
