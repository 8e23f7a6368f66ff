package io.tailaudit.server.rollup;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.tailaudit.server.tail.QualityHistogram;

import java.util.Collections;
import java.util.Map;

/**
 * One task deployment's rollups merged over a window: counts, tokens and cost, the effective-quality
 * histogram, the latency sketch and the cohort histograms. Read-only view over merged deltas.
 */
public final class TailAggregate {

    private final RollupDelta merged;

    TailAggregate(RollupDelta merged) {
        this.merged = merged;
    }

    public String category() {
        return merged.category;
    }

    public long traces() {
        return merged.traces;
    }

    /** Escalated, fell back, or rated negative. */
    public long escalations() {
        return merged.escalations;
    }

    public long escalated() {
        return merged.escalated;
    }

    public long negative() {
        return merged.negative;
    }

    public long schemaInvalid() {
        return merged.schemaInvalid;
    }

    public long statusError() {
        return merged.statusError;
    }

    public long statusTimeout() {
        return merged.statusTimeout;
    }

    public long statusRefused() {
        return merged.statusRefused;
    }

    public long statusInvalidOutput() {
        return merged.statusInvalidOutput;
    }

    public long inputTokens() {
        return merged.inputTokens;
    }

    public long outputTokens() {
        return merged.outputTokens;
    }

    /** Input tokens of the traces with &gt; 8k context tokens ({@code context_tokens}, else {@code input_tokens}). */
    public long over8kInputTokens() {
        return merged.over8kInputTokens;
    }

    public long over8kOutputTokens() {
        return merged.over8kOutputTokens;
    }

    /** Cost reported by the traces themselves ({@code cost_usd}). */
    public double pricedCostUsd() {
        return merged.pricedCostUsd;
    }

    /** Tokens of traces without {@code cost_usd}, to be priced from the cost model. */
    public long unpricedInputTokens() {
        return merged.unpricedInputTokens;
    }

    public long unpricedOutputTokens() {
        return merged.unpricedOutputTokens;
    }

    public QualityHistogram quality() {
        return merged.quality();
    }

    /** Latency sketch (1% relative accuracy); empty when the window has no traces. */
    public DDSketch latency() {
        return merged.latency();
    }

    /** Cohort histograms in cohort order; which dimensions are present depends on what was read. */
    public Map<Cohort, QualityHistogram> cohorts() {
        return Collections.unmodifiableMap(new java.util.TreeMap<>(merged.cohorts));
    }
}
