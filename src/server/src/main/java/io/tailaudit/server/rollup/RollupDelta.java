package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import io.tailaudit.server.tail.QualityHistogram;

import java.util.Map;
import java.util.HashMap;

/** What one batch adds to (or, for feedback corrections, moves within) one rollup bucket. */
final class RollupDelta {

    static final double LATENCY_ACCURACY = 0.01;
    /** How many counters {@link #counts()} returns. */
    static final int COUNTS = 13;
    /** How many counters a pending payload of format 1 (before the &gt; 8k token counters) holds. */
    static final int COUNTS_V1 = 11;

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
    /** Tokens of the traces in the &gt; 8k context cohort, which a what-if routes to the cloud. */
    long over8kInputTokens;
    long over8kOutputTokens;
    double pricedCostUsd;
    long unpricedInputTokens;
    long unpricedOutputTokens;
    /** Made on first use: a day entry of a batch has none. */
    private QualityHistogram quality;
    DDSketch latency;
    final Map<Cohort, QualityHistogram> cohorts = new HashMap<>();

    /** Adds another delta of the same bucket (counts, histogram, latency). */
    RollupDelta merge(RollupDelta o) {
        if (o.category != null) {
            category = o.category;
        }
        traces += o.traces;
        escalations += o.escalations;
        statusError += o.statusError;
        statusTimeout += o.statusTimeout;
        statusRefused += o.statusRefused;
        statusInvalidOutput += o.statusInvalidOutput;
        escalated += o.escalated;
        negative += o.negative;
        schemaInvalid += o.schemaInvalid;
        inputTokens += o.inputTokens;
        outputTokens += o.outputTokens;
        over8kInputTokens += o.over8kInputTokens;
        over8kOutputTokens += o.over8kOutputTokens;
        pricedCostUsd += o.pricedCostUsd;
        unpricedInputTokens += o.unpricedInputTokens;
        unpricedOutputTokens += o.unpricedOutputTokens;
        if (o.quality != null) {
            quality().merge(o.quality);
        }
        if (o.latency != null) {
            latency().mergeWith(o.latency);
        }
        o.cohorts.forEach((c, h) -> cohorts.computeIfAbsent(c, k -> new QualityHistogram()).merge(h));
        return this;
    }

    /**
     * The counters, in the order of the rollup columns from {@code traces} to {@code over8k_output_tokens}.
     */
    long[] counts() {
        return new long[] {traces, escalations, statusError, statusTimeout, statusRefused, statusInvalidOutput,
                escalated, negative, schemaInvalid, inputTokens, outputTokens, over8kInputTokens, over8kOutputTokens};
    }

    /** Adds counters in {@link #counts()}'s order; a shorter array (format 1) lacks the last ones. */
    void addCounts(long[] c) {
        traces += c[0];
        escalations += c[1];
        statusError += c[2];
        statusTimeout += c[3];
        statusRefused += c[4];
        statusInvalidOutput += c[5];
        escalated += c[6];
        negative += c[7];
        schemaInvalid += c[8];
        inputTokens += c[9];
        outputTokens += c[10];
        if (c.length > COUNTS_V1) {
            over8kInputTokens += c[11];
            over8kOutputTokens += c[12];
        }
    }

    QualityHistogram quality() {
        if (quality == null) {
            quality = new QualityHistogram();
        }
        return quality;
    }

    DDSketch latency() {
        if (latency == null) {
            latency = DDSketches.unboundedDense(LATENCY_ACCURACY);
        }
        return latency;
    }
}
