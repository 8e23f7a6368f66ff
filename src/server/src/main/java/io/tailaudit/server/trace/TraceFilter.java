package io.tailaudit.server.trace;

import java.time.Instant;
import java.util.Optional;

/**
 * A trace list query: every filter optional, newest first, keyset-paginated by (occurred_at, trace_id).
 * The cursor is the last row of the previous page.
 */
public record TraceFilter(Optional<String> task, Optional<String> deploymentKind, Optional<String> model,
                          Optional<String> status, boolean failuresOnly, Optional<Instant> from,
                          Optional<Instant> to, Optional<TraceCursor> after, int limit) {

    public static final int MAX_LIMIT = 500;
    /** The earliest and latest times a filter may name: years 1 to 9999. */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    /** The values a deployment-kind filter accepts. */
    public static final java.util.Set<String> KINDS = java.util.Set.of("local", "cloud");
    /** The values a status filter accepts. */
    public static final java.util.Set<String> STATUSES = java.util.Set.of("ok", "error", "timeout", "refused",
            "invalid_output");

    public TraceFilter {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        inRange("from", from);
        inRange("to", to);
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw new IllegalArgumentException("from must be before to, got from=" + from.get() + " to=" + to.get());
        }
    }

    // PostgreSQL's timestamps and java.sql.Timestamp end long before Instant does
    private static void inRange(String name, Optional<Instant> t) {
        if (t.isPresent() && (t.get().isBefore(EARLIEST) || t.get().isAfter(LATEST))) {
            throw new IllegalArgumentException(name + " must lie between " + EARLIEST + " and " + LATEST + ", got "
                    + t.get());
        }
    }
}
