package io.tailaudit.sdk;

import java.time.Instant;
import java.util.Objects;

/**
 * A later signal about a trace: a thumbs-down, an escalation to a human, a grader's score or a label.
 * At least one of {@code feedback}, {@code escalated}, {@code quality}, {@code label} must be set.
 * It may be sent before its trace arrives; the platform holds it until the trace lands.
 */
public record Feedback(String traceId, String task, Instant occurredAt, Rating feedback, Boolean escalated,
                       Double quality, String label) {

    public Feedback {
        if (traceId == null || traceId.isBlank()) {
            throw new IllegalArgumentException("trace_id is required");
        }
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("task is required");
        }
        Objects.requireNonNull(occurredAt, "occurred_at is required");
        if (quality != null && !(quality >= 0.0 && quality <= 1.0)) {
            throw new IllegalArgumentException("quality must be in [0, 1], got " + quality);
        }
        if (feedback == null && escalated == null && quality == null && label == null) {
            throw new IllegalArgumentException("feedback needs at least one of feedback, escalated, quality, label");
        }
    }

    /** A user's rating of the response to {@code traceId}. */
    public static Feedback rating(String traceId, String task, Instant at, Rating rating) {
        return new Feedback(traceId, task, at, rating, null, null, null);
    }

    /** The request behind {@code traceId} was escalated to a human or a bigger model. */
    public static Feedback escalation(String traceId, String task, Instant at) {
        return new Feedback(traceId, task, at, null, true, null, null);
    }

    /** A grader's quality score in [0, 1] for {@code traceId}. */
    public static Feedback graded(String traceId, String task, Instant at, double quality) {
        return new Feedback(traceId, task, at, null, null, quality, null);
    }
}
