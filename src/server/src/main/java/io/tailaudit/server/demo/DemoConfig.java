package io.tailaudit.server.demo;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "tailaudit.demo")
public interface DemoConfig {

    /** Produce demo traffic (on in the embedded profile, off in prod). */
    @WithDefault("false")
    boolean enabled();

    /** History produced on first start, so verdicts are decided at once rather than a week later. */
    @WithDefault("7d")
    Duration backfill();

    /** Ceiling of the backfill, in events per second, so the first start stays responsive. */
    @WithDefault("4000")
    int backfillRate();

    /** Live traffic as a multiple of the catalog's daily volumes (1 = about 31k traces a day). */
    @WithDefault("1.0")
    double liveSpeed();

    /** One deliberately invalid event per this interval of generated time, so the DLQ is never a dead path. */
    @WithDefault("2h")
    Duration invalidEvery();
}
