package io.tailaudit.server.trace;

import java.time.Instant;

/** A validated feedback event. {@code eventHash} identifies its content, so a redelivery is stored once. */
public record FeedbackRow(long eventHash, String traceId, String task, Instant occurredAt, String feedback,
                   Boolean escalated, Double quality, String label) {
}
