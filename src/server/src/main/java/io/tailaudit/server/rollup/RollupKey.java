package io.tailaudit.server.rollup;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;

/** One rollup bucket: a task's deployment (kind, provider, model) in one UTC hour. provider '' when absent. */
public record RollupKey(String task, String deploymentKind, String provider, String model, Instant hour)
        implements Comparable<RollupKey> {

    private static final Comparator<RollupKey> ORDER = Comparator.comparing(RollupKey::task)
            .thenComparing(RollupKey::deploymentKind).thenComparing(RollupKey::provider)
            .thenComparing(RollupKey::model).thenComparing(RollupKey::hour);

    public static RollupKey of(String task, String kind, String provider, String model, Instant occurredAt) {
        return new RollupKey(task, kind, provider == null ? "" : provider, model, occurredAt.truncatedTo(ChronoUnit.HOURS));
    }

    /** The order rows are locked in, the same for every writer, so two replicas never deadlock. */
    @Override
    public int compareTo(RollupKey o) {
        return ORDER.compare(this, o);
    }
}
