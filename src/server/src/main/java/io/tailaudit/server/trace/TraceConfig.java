package io.tailaudit.server.trace;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "tailaudit.trace")
public interface TraceConfig {

    /** How long traces are kept; older day partitions are dropped. 90 days covers the 30-day window three times. */
    @WithDefault("90d")
    Duration retention();

    /** Day partitions created ahead of today, so midnight never waits on DDL. */
    @WithDefault("3")
    int partitionsAhead();

    /**
     * A trace list with neither a task nor a from covers this much before its to (or now): without it, a
     * filter on status or model alone would read every day partition of the retention.
     */
    @WithDefault("7d")
    Duration defaultListWindow();

    /**
     * Statement timeout of the trace reads (lists, lookups, worst traces), which serve the API and the console;
     * a read that takes longer is cancelled and answered 503, not left to hold a connection.
     */
    @WithDefault("30s")
    Duration queryTimeout();
}
