package io.tailaudit.server.alerts;

import java.util.Arrays;
import java.util.Optional;

/** What a rule watches. Task metrics are evaluated per task in the rule's scope, platform metrics once. */
public enum AlertMetric {

    /**
     * What the verdict decides on (DESIGN "Verdict rules"): visible failures over all the busiest
     * deployment's traces, with its Wilson interval; the default tail rule watches it.
     */
    VISIBLE_FAILURE_RATE("visible_failure_rate", false, Kind.RATE,
            "visible-failure rate over all traces"),
    /**
     * Visible failures among the worst 5%, with its Wilson interval: the verdict's evidence, not its input.
     * Its share passes 5% as soon as 0.25% of requests fail visibly, so a rule on it wants its own threshold.
     */
    WORST5_VISIBLE_FAILURE_RATE("worst5_visible_failure_rate", false, Kind.RATE,
            "worst-5% visible-failure rate"),
    ESCALATION_RATE("escalation_rate", false, Kind.RATE, "share of traces escalated, fallen back or rated negative"),
    /** The two-proportion test of the escalation rate against the previous window says it rose. */
    ESCALATION_TREND("escalation_trend", false, Kind.SIGNAL,
            "escalation rate significantly above the previous window's"),
    LATENCY_OVER_BUDGET("latency_over_budget", false, Kind.RATE, "share of traces slower than the task's latency budget"),
    /** A cloud deployment's tokens/day over the break-even at which local serving costs the same. */
    COST_OVER_BREAK_EVEN("cost_over_break_even", false, Kind.VALUE,
            "a cloud deployment's tokens/day as a multiple of the break-even (1 = local would cost the same)"),
    VERDICT_CHANGED("verdict_changed", false, Kind.SIGNAL, "the task's verdict changed to another decided verdict"),
    /**
     * The share of the task's recent inputs novel against its reference inputs (DESIGN "Scope drift"), with
     * its Wilson interval, as last measured by the index role; tasks without a measurement are not read.
     */
    SCOPE_DRIFT_SHARE("scope_drift_share", false, Kind.RATE,
            "share of recent inputs novel against the task's reference inputs"),
    DLQ_RATE("dlq_rate", true, Kind.VALUE, "dead letters per minute over the window"),
    CONSUMER_LAG("consumer_lag", true, Kind.VALUE, "records produced to the trace topic and not yet consumed"),
    ROLLUP_LAG("rollup_lag", true, Kind.VALUE, "seconds the oldest pending rollup has waited to be folded"),
    /**
     * Events missing from the producers' sequences (the reconciliation ledger) in gaps open past the grace
     * period, over the producers seen in the window: events lost between an SDK and the store.
     */
    PRODUCER_GAP("producer_gap", true, Kind.VALUE,
            "events missing from producers' sequences in gaps open past the grace period");

    /**
     * RATE: a proportion with its Wilson interval, firing when the interval's lower bound is above the
     * threshold; VALUE: a measured value compared as it is; SIGNAL: a yes/no condition without threshold.
     */
    public enum Kind { RATE, VALUE, SIGNAL }

    public final String code;
    public final boolean platform;
    public final Kind kind;
    public final String description;

    AlertMetric(String code, boolean platform, Kind kind, String description) {
        this.code = code;
        this.platform = platform;
        this.kind = kind;
        this.description = description;
    }

    /** In JSON as in the API's input: the code, e.g. {@code visible_failure_rate}. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String code() {
        return code;
    }

    public static Optional<AlertMetric> of(String code) {
        return Arrays.stream(values()).filter(m -> m.code.equals(code)).findFirst();
    }

    /** Whether a rule on this metric needs a threshold (the tail rules may use each task's own). */
    public boolean needsThreshold() {
        return kind != Kind.SIGNAL && !usesTailThreshold();
    }

    /** The tail metrics: a rule on one without a threshold compares with each task's own tail threshold T. */
    public boolean usesTailThreshold() {
        return this == VISIBLE_FAILURE_RATE || this == WORST5_VISIBLE_FAILURE_RATE;
    }
}
