package io.tailaudit.server.ingest;

import java.time.Instant;

/** A validated feedback event. {@code eventHash} identifies its content, so a redelivery is stored once. */
record FeedbackRow(long eventHash, String traceId, String task, Instant occurredAt, String feedback,
                   Boolean escalated, Double quality, String label) implements ParsedEvent {
}
