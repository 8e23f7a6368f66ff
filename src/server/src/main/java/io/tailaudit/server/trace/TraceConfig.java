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
}
