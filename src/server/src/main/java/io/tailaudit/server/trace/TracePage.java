package io.tailaudit.server.trace;

import java.util.List;
import java.util.Optional;

/** One page of traces and the cursor of the next page, absent on the last page. */
public record TracePage(List<TraceSummary> items, Optional<String> nextCursor) {

    public TracePage {
        items = List.copyOf(items);
    }
}
