package io.tailaudit.sdk;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One inference call, as the contract v1 describes it. Build it with {@link #builder(String, Category)}.
 * Required: trace id (generated when not given), occurred-at (request start), task, category, deployment,
 * latency. Everything else may be null. {@code input} and {@code output} are sensitive text: the platform
 * redacts and truncates them before storage.
 */
public record Trace(String traceId, Instant occurredAt, String task, Category category, String service,
                    Deployment deployment, double latencyMs, Double ttftMs, Usage usage, Double costUsd,
                    Outcome outcome, String sessionId, String parentTraceId, Integer step, String input,
                    String output, Map<String, String> tags) {

    public Trace {
        if (traceId == null || traceId.isBlank()) {
            throw new IllegalArgumentException("trace_id is required");
        }
        Objects.requireNonNull(occurredAt, "occurred_at is required");
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("task is required");
        }
        Objects.requireNonNull(category, "category is required");
        Objects.requireNonNull(deployment, "deployment is required");
        // written as !(in range) so that NaN fails too
        if (!(latencyMs >= 0 && latencyMs <= ContractSchema.MAX_MILLISECONDS)) {
            throw new IllegalArgumentException("latency_ms must be in [0, " + ContractSchema.MAX_MILLISECONDS
                    + "], got " + latencyMs);
        }
        if (ttftMs != null && !(ttftMs >= 0 && ttftMs <= ContractSchema.MAX_MILLISECONDS)) {
            throw new IllegalArgumentException("ttft_ms must be in [0, " + ContractSchema.MAX_MILLISECONDS
                    + "], got " + ttftMs);
        }
        if (costUsd != null && !(costUsd >= 0 && costUsd <= ContractSchema.MAX_COST_USD)) {
            throw new IllegalArgumentException("cost_usd must be in [0, " + ContractSchema.MAX_COST_USD
                    + "], got " + costUsd);
        }
        if (step != null && (step < 0 || step > ContractSchema.MAX_STEP)) {
            throw new IllegalArgumentException("step must be in [0, " + ContractSchema.MAX_STEP + "], got " + step);
        }
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** Starts a trace of {@code task}; the trace id defaults to a random UUID and occurred-at to now. */
    public static Builder builder(String task, Category category) {
        return new Builder(task, category);
    }

    /** Mutable, single-threaded builder of a {@link Trace}. */
    public static final class Builder {
        private String traceId;
        private Instant occurredAt;
        private final String task;
        private final Category category;
        private String service;
        private Deployment deployment;
        private double latencyMs = -1;
        private Double ttftMs;
        private Usage usage;
        private Double costUsd;
        private Outcome outcome;
        private String sessionId;
        private String parentTraceId;
        private Integer step;
        private String input;
        private String output;
        private Map<String, String> tags;

        private Builder(String task, Category category) {
            this.task = task;
            this.category = category;
        }

        public Builder traceId(String value) { this.traceId = value; return this; }
        public Builder occurredAt(Instant value) { this.occurredAt = value; return this; }
        public Builder service(String value) { this.service = value; return this; }
        public Builder deployment(Deployment value) { this.deployment = value; return this; }
        public Builder latencyMs(double value) { this.latencyMs = value; return this; }
        public Builder ttftMs(double value) { this.ttftMs = value; return this; }
        public Builder usage(Usage value) { this.usage = value; return this; }
        public Builder costUsd(double value) { this.costUsd = value; return this; }
        public Builder outcome(Outcome value) { this.outcome = value; return this; }
        public Builder sessionId(String value) { this.sessionId = value; return this; }
        public Builder parentTraceId(String value) { this.parentTraceId = value; return this; }
        public Builder step(int value) { this.step = value; return this; }
        public Builder input(String value) { this.input = value; return this; }
        public Builder output(String value) { this.output = value; return this; }
        public Builder tags(Map<String, String> value) { this.tags = value; return this; }

        /** Validates and builds; throws {@link IllegalArgumentException} naming the first bad field. */
        public Trace build() {
            return new Trace(traceId == null ? UUID.randomUUID().toString() : traceId,
                    occurredAt == null ? Instant.now() : occurredAt, task, category, service, deployment,
                    latencyMs, ttftMs, usage, costUsd, outcome, sessionId, parentTraceId, step, input, output,
                    tags);
        }
    }
}
