package io.tailaudit.server.index;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "tailaudit.index")
public interface IndexConfig {

    /**
     * Whether this replica has the index role: it keeps the search index (consumer group tailaudit-index) and
     * measures scope drift. Search on a replica without it answers 503.
     */
    @WithDefault("true")
    boolean enabled();

    /** Where the search index lives on local disk; each index replica keeps a whole one. */
    @WithDefault("${tailaudit.embedded.data-dir:data}/index")
    String dir();

    /** The index role's consumer group on the trace topic. */
    @WithDefault("tailaudit-index")
    String groupId();

    /** How stale a search may be: the near-real-time reader reopens this often. */
    @WithDefault("1s")
    Duration refreshEvery();

    /** A search that takes longer stops and answers what it found, marked partial. */
    @WithDefault("2s")
    Duration searchTimeout();

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

    /**
     * Heap for the tasks' analysed references kept between drift refreshes, in MiB; a reference that does not
     * fit is analysed again at each refresh (slower, same result).
     */
    @WithDefault("64")
    int referenceCacheMb();
}
