package io.tailaudit.server.trace;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored trace as the API shows it. Prompt and output text are never part of it: they are only shown
 * to roles allowed to read them; {@code hasText} says whether there is any.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TraceSummary(String traceId, Instant occurredAt, String task, String category, String service,
                           String deploymentKind, String provider, String model, String modelVersion,
                           String quantization, String region, double latencyMs, Double ttftMs,
                           Integer inputTokens, Integer outputTokens, Integer contextTokens, Double costUsd,
                           String status, String errorType, Double quality, String feedback, boolean escalated,
                           String label, boolean fallback, Integer retries, boolean schemaValid, String sessionId,
                           String parentTraceId, Integer step, Map<String, String> tags, boolean hasText,
                           Instant receivedAt, List<AppliedFeedback> feedbackEvents) {

    /** One feedback event merged into the trace. */
    public record AppliedFeedback(Instant occurredAt, String feedback, Boolean escalated, Double quality,
                                  String label, Instant receivedAt, Instant appliedAt) {
    }

    public TraceSummary {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        feedbackEvents = feedbackEvents == null ? null : List.copyOf(feedbackEvents);
    }
}
