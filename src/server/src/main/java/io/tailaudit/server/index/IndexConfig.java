package io.tailaudit.server.index;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "tailaudit.index")
public interface IndexConfig {

    /** Whether this replica has the index role: it measures scope drift (and, to come, keeps the search index). */
    @WithDefault("true")
    boolean enabled();

    /** How often every task's drift is measured again, over each named window. */
    @WithDefault("5m")
    Duration driftEvery();

    /** Inputs scored per task and window: all of them up to this many, else a sample of this size. */
    @WithDefault("1000")
    int driftSample();

    /** Reference inputs kept per task: all of the reference period's up to this many, else a sample. */
    @WithDefault("1000")
    int referenceTexts();

    /** The reference period from a task's first trace (DESIGN: 7 x 24 h). */
    @WithDefault("7d")
    Duration referencePeriod();
}
