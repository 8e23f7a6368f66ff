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
                              String clientId, Map<String, Object> producerOverrides, java.nio.file.Path spoolDir,
                              long spoolMaxBytes, SpoolFsync spoolFsync, Duration spoolFsyncInterval) {

    /** The topic the platform consumes. */
    public static final String DEFAULT_TOPIC = "tailaudit.traces";

    /**
     * When the spool forces what it appended to the device. Every policy survives a crash of the process (the
     * operating system holds what was written); they differ on a crash of the machine.
     */
    public enum SpoolFsync {
        /** Never asks: a machine crash may lose what the OS had not written yet (seconds). */
        NEVER,
        /** At most every {@code spoolFsyncInterval}: a machine crash loses at most that interval. The default. */
        INTERVAL,
        /** After every batch the sender takes from the queue, before it is sent: slowest, loses nothing written. */
        ALWAYS
    }

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
        if (spoolMaxBytes < 1024 * 1024) {
            throw new IllegalArgumentException("spoolMaxBytes must be >= 1 MiB, got " + spoolMaxBytes);
        }
        Objects.requireNonNull(spoolFsync, "spoolFsync");
        Objects.requireNonNull(spoolFsyncInterval, "spoolFsyncInterval");
        if (spoolFsyncInterval.isNegative() || spoolFsyncInterval.isZero()) {
            throw new IllegalArgumentException("spoolFsyncInterval must be > 0, got " + spoolFsyncInterval);
        }
    }

    /** Whether events go through the on-disk spool. */
    public boolean spooled() {
        return spoolDir != null;
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
        private java.nio.file.Path spoolDir;
        private long spoolMaxBytes = 256L * 1024 * 1024;
        private SpoolFsync spoolFsync = SpoolFsync.INTERVAL;
        private Duration spoolFsyncInterval = Duration.ofSeconds(1);

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

        /**
         * Turns the on-disk spool on, in this directory (one client per directory; it is created if missing).
         * Every event then goes to the spool first and is sent from it, in order; what Kafka has not
         * acknowledged stays there through a broker outage and a restart of the process, and is sent when
         * the broker is back. Off by default.
         */
        public Builder spool(java.nio.file.Path dir) { this.spoolDir = dir; return this; }

        /**
         * Most bytes the spool holds unacknowledged; past it new events are dropped and counted. Default
         * 256 MiB (about 180,000 events of 1.4 KB).
         */
        public Builder spoolMaxBytes(long value) { this.spoolMaxBytes = value; return this; }

        /** When the spool fsyncs; default {@link SpoolFsync#INTERVAL}. */
        public Builder spoolFsync(SpoolFsync value) { this.spoolFsync = value; return this; }

        /** For {@link SpoolFsync#INTERVAL}: how often; default 1 second. */
        public Builder spoolFsyncInterval(Duration value) { this.spoolFsyncInterval = value; return this; }

        public TailAuditConfig build() {
            return new TailAuditConfig(bootstrapServers, topic, queueCapacity, maxTextChars, captureText,
                    deliveryTimeout, closeTimeout, clientId, producerOverrides, spoolDir, spoolMaxBytes, spoolFsync,
                    spoolFsyncInterval);
        }
    }
}
