package io.tailaudit.server.ingest;

import io.tailaudit.server.trace.FeedbackRow;

/** A record that parsed as a valid feedback event. */
record ParsedFeedback(FeedbackRow row) implements ParsedEvent {
}
