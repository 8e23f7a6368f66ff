package io.tailaudit.sdk;

/**
 * Entry point of the SDK.
 *
 * <pre>{@code
 * try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder("kafka:9092").build())) {
 *     client.record(Trace.builder("invoice-extraction", Category.EXTRACTION)
 *             .deployment(Deployment.local("vllm", "llama-3.1-8b-instruct"))
 *             .latencyMs(420).usage(Usage.of(3100, 240)).outcome(Outcome.ok(0.92))
 *             .build());
 * }
 * }</pre>
 */
public final class TailAudit {

    private TailAudit() {
    }

    /**
     * Creates a client and starts its background sender. Returns at once: the Kafka producer is created on
     * the sender thread, so an unreachable broker never delays the caller. The caller owns the client and
     * closes it once, at shutdown.
     */
    public static TailAuditClient client(TailAuditConfig config) {
        return new TailAuditClient(config);
    }
}
