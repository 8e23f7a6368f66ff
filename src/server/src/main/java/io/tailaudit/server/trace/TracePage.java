package io.tailaudit.server.trace;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One page of traces and the cursor of the next page, absent on the last page. {@code defaultFrom}: the
 * lower bound applied because the filter had neither a task nor a from (see {@code default-list-window}).
 */
public record TracePage(List<TraceSummary> items, Optional<String> nextCursor, Optional<Instant> defaultFrom) {

    public TracePage {
        items = List.copyOf(items);
    }
}
