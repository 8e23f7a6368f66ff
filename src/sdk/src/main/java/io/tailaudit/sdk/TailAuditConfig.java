package io.tailaudit.sdk;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link TailAuditClient}. Build with {@link #builder(String)}; {@link Builder#build()} checks
 * every range once and names the bad key.
 */
public record TailAuditConfig(String bootstrapServers, String topic, int queueCapacity, int maxTextChars,
                              boolean captureText, Duration deliveryTimeout, Duration closeTimeout,
                              String clientId, Map<String, Object> producerOverrides) {

    /** The topic the platform consumes. */
    public static final String DEFAULT_TOPIC = "tailaudit.traces";

    public TailAuditConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is required");
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be >= 1, got " + queueCapacity);
        }
        if (maxTextChars < 0) {
            throw new IllegalArgumentException("maxTextChars must be >= 0, got " + maxTextChars);
        }
        Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (deliveryTimeout.isNegative() || deliveryTimeout.isZero()) {
            throw new IllegalArgumentException("deliveryTimeout must be > 0, got " + deliveryTimeout);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must be >= 0, got " + closeTimeout);
        }
        producerOverrides = Map.copyOf(producerOverrides);
    }

    /** Starts a configuration for the Kafka cluster at {@code bootstrapServers} ({@code host:port,...}). */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private int queueCapacity = 10_000;
        private int maxTextChars = 16_384;
        private boolean captureText = true;
        private Duration deliveryTimeout = Duration.ofMinutes(10);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private String clientId = "tailaudit-sdk";
        private final Map<String, Object> producerOverrides = new HashMap<>();

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** Topic to write to; default {@value TailAuditConfig#DEFAULT_TOPIC}. */
        public Builder topic(String value) { this.topic = value; return this; }

        /**
         * Events held in memory while the sender catches up or the broker is away; default 10,000.
         * When it is full, new events are dropped and counted instead of blocking the caller.
         */
        public Builder queueCapacity(int value) { this.queueCapacity = value; return this; }

        /** Longest {@code input}/{@code output} text sent, in characters; longer text is cut. Default 16,384. */
        public Builder maxTextChars(int value) { this.maxTextChars = value; return this; }

        /** Whether prompt and output text leave the process at all; default true. */
        public Builder captureText(boolean value) { this.captureText = value; return this; }

        /** How long the producer keeps retrying an event while Kafka is unreachable; default 10 minutes. */
        public Builder deliveryTimeout(Duration value) { this.deliveryTimeout = value; return this; }

        /** How long {@link TailAuditClient#close()} waits to flush; default 10 seconds. */
        public Builder closeTimeout(Duration value) { this.closeTimeout = value; return this; }

        /** Kafka client id, visible in broker metrics; default {@code tailaudit-sdk}. */
        public Builder clientId(String value) { this.clientId = value; return this; }

        /** Any Kafka producer setting, e.g. security; applied over the SDK's defaults. */
        public Builder producerProperty(String key, Object value) { producerOverrides.put(key, value); return this; }

        public TailAuditConfig build() {
            return new TailAuditConfig(bootstrapServers, topic, queueCapacity, maxTextChars, captureText,
                    deliveryTimeout, closeTimeout, clientId, producerOverrides);
        }
    }
}
