package io.tailaudit.server.rollup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "tailaudit.rollup")
public interface RollupConfig {

    /**
     * How often appended deltas are folded into the rollups. Readers add unfolded deltas themselves, so this
     * is not the freshness; a fold costs per bucket touched, so a longer interval costs ingest less.
     */
    @WithDefault("10s")
    Duration compactEvery();

    /**
     * Per task: the most values kept per cohort dimension (step, model version, each tag) and the most tag
     * keys; later ones count as "(other)". Bounds the cohort rollups whatever the tags hold.
     */
    @WithDefault("50")
    int cohortValues();
}
