package io.tailaudit.server.rollup;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;

/**
 * One rollup bucket: a task's deployment (kind, provider, model) in one UTC hour or day. provider '' when
 * absent.
 */
public record RollupKey(String task, String deploymentKind, String provider, String model, Span span,
                        Instant bucket) implements Comparable<RollupKey> {

    /** A bucket's length, stored as a one-letter code. */
    public enum Span {
        HOUR("h", ChronoUnit.HOURS), DAY("d", ChronoUnit.DAYS);

        final String code;
        final ChronoUnit unit;

        Span(String code, ChronoUnit unit) {
            this.code = code;
            this.unit = unit;
        }

        static Span of(String code) {
            return "d".equals(code) ? DAY : HOUR;
        }
    }

    private static final Comparator<RollupKey> ORDER = Comparator.comparing(RollupKey::span)
            .thenComparing(RollupKey::bucket).thenComparing(RollupKey::task)
            .thenComparing(RollupKey::deploymentKind).thenComparing(RollupKey::provider)
            .thenComparing(RollupKey::model);

    /** The hour bucket a trace that occurred at {@code occurredAt} counts in. */
    public static RollupKey of(String task, String kind, String provider, String model, Instant occurredAt) {
        return new RollupKey(task, kind, provider == null ? "" : provider, model, Span.HOUR,
                Instant.ofEpochSecond(Math.floorDiv(occurredAt.getEpochSecond(), 3600L) * 3600L));
    }

    /** The day bucket holding this hour. */
    RollupKey day() {
        return new RollupKey(task, deploymentKind, provider, model, Span.DAY, bucket.truncatedTo(ChronoUnit.DAYS));
    }

    /** The order rows are locked in (the primary key's), the same for every writer, so they never deadlock. */
    @Override
    public int compareTo(RollupKey o) {
        return ORDER.compare(this, o);
    }

    /** A deployment of a task: kind (local or cloud), provider ('' when absent) and model. */
    public record Deployment(String kind, String provider, String model) implements Comparable<Deployment> {

        private static final Comparator<Deployment> ORDER = Comparator.comparing(Deployment::kind)
                .thenComparing(Deployment::provider).thenComparing(Deployment::model);

        public boolean local() {
            return "local".equals(kind);
        }

        @Override
        public int compareTo(Deployment o) {
            return ORDER.compare(this, o);
        }
    }
}
