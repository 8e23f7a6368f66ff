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
    /** The values a deployment-kind filter accepts. */
    public static final java.util.Set<String> KINDS = java.util.Set.of("local", "cloud");
    /** The values a status filter accepts. */
    public static final java.util.Set<String> STATUSES = java.util.Set.of("ok", "error", "timeout", "refused",
            "invalid_output");

    public TraceFilter {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw new IllegalArgumentException("from must be before to, got from=" + from.get() + " to=" + to.get());
        }
    }
}
