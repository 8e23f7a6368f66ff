package io.tailaudit.server.rollup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "tailaudit.rollup")
public interface RollupConfig {

    /** How often the compactor checks whether pending rollups are due to be folded. */
    @WithDefault("10s")
    Duration compactEvery();

    /**
     * Pending rollups are folded once the oldest has waited this long (or {@link #maxPendingEntries} is
     * reached); four times as long while ingest is catching up on more than {@link #cheapFoldEntries}
     * records, whose batches the folds would slow down. Readers add what is pending, so this is not the
     * freshness: it trades the cost of folds (each one rewrites every bucket it touches, so folding a minute
     * of a backfill at once costs a fraction of folding it every few seconds) against the reads' cost of
     * adding the pending rows.
     */
    @WithDefault("60s")
    Duration foldAfter();

    /**
     * Pending entries (one per deployment and hour or day of a batch) few enough to fold at every look:
     * live traffic touches few buckets, so folding it often costs little and keeps what reads add short;
     * a backfill's are many more, and wait for {@link #foldAfter}.
     */
    @WithDefault("5000")
    int cheapFoldEntries();

    /**
     * Pending entries that trigger a fold whatever their age (four times as many while ingest is catching up,
     * as for {@link #foldAfter}): bounds the reads' cost of adding them (a task list decodes every pending
     * entry of its window; ~60 bytes each).
     */
    @WithDefault("2000000")
    int maxPendingEntries();

    /**
     * Per task: the most values kept per cohort dimension (step, model version, each tag) and the most tag
     * keys; later ones count as "(other)". Bounds the cohort rollups whatever the tags hold.
     */
    @WithDefault("50")
    int cohortValues();
}
