package io.tailaudit.server.alerts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "tailaudit.alerts")
public interface AlertsConfig {

    /** The alerts role: evaluate rules and deliver notifications on this replica. */
    @WithDefault("true")
    boolean enabled();

    /** How often the rules are evaluated. */
    @WithDefault("10s")
    Duration evaluateEvery();

    /** How often the outbox is looked at for notifications due. */
    @WithDefault("1s")
    Duration deliverEvery();

    /** Timeout of one delivery attempt. */
    @WithDefault("10s")
    Duration deliveryTimeout();

    /** The wait before the first retry of a notification not delivered; it doubles with each attempt. */
    @WithDefault("5s")
    Duration firstRetry();

    /** The longest wait between two attempts. */
    @WithDefault("10m")
    Duration maxRetryBackoff();

    /** A notification no receiver accepted for this long is marked expired, and counted. */
    @WithDefault("24h")
    Duration giveUpAfter();

    /** The console's address as on-call engineers reach it, for the links in notifications. */
    @WithDefault("http://localhost:8080")
    String consoleUrl();

    /**
     * CIDRs and host names a channel may reach although private (an in-cluster Alertmanager): see
     * {@link TargetPolicy}. Loopback only through a CIDR listed here; link-local and metadata addresses never.
     */
    Optional<List<String>> allowedPrivateTargets();

    /** The most of a receiver's answer that is read; the rest is not awaited. */
    @WithDefault("4096")
    int maxResponseBytes();

    /** Per-task gauges are exported for at most this many tasks, the busiest of the last 24 hours. */
    @WithDefault("100")
    int maxTaskGauges();
}
