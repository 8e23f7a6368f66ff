package io.tailaudit.server.trace;

import java.time.Instant;
import java.util.SortedMap;

/**
 * A validated trace with the contract's defaults applied (status ok, escalated/fallback false,
 * schema_valid true; a missing quality stays null and counts as 1), text redacted and truncated.
 * {@code contentHash} is computed over these values, so key order or whitespace in the JSON does not
 * make a redelivery look like a different trace.
 */
public record TraceRow(String traceId, Instant occurredAt, String task, String category, String service,
                String deploymentKind, String provider, String model, String modelVersion, String quantization,
                String region, double latencyMs, Double ttftMs, Integer inputTokens, Integer outputTokens,
                Integer contextTokens, Double costUsd, String status, String errorType, Double quality,
                String feedback, boolean escalated, boolean fallback, Integer retries, boolean schemaValid,
                String sessionId, String parentTraceId, Integer step, String inputText, String outputText,
                SortedMap<String, String> tags, long contentHash) {

    /** This row with {@code contentHash} computed over every other component. */
    public TraceRow withContentHash() {
        long h = new ContentHash().add(traceId).add(occurredAt).add(task).add(category).add(service)
                .add(deploymentKind).add(provider).add(model).add(modelVersion).add(quantization).add(region)
                .add(latencyMs).add(ttftMs).add(inputTokens).add(outputTokens).add(contextTokens).add(costUsd)
                .add(status).add(errorType).add(quality).add(feedback).add(escalated).add(fallback).add(retries)
                .add(schemaValid).add(sessionId).add(parentTraceId).add(step).add(inputText).add(outputText)
                .add(tags).value();
        return new TraceRow(traceId, occurredAt, task, category, service, deploymentKind, provider, model,
                modelVersion, quantization, region, latencyMs, ttftMs, inputTokens, outputTokens, contextTokens,
                costUsd, status, errorType, quality, feedback, escalated, fallback, retries, schemaValid, sessionId,
                parentTraceId, step, inputText, outputText, tags, h);
    }

    /** This row without its input and output text (a task that stores none); the content hash stays. */
    public TraceRow withoutText() {
        if (inputText == null && outputText == null) {
            return this;
        }
        return new TraceRow(traceId, occurredAt, task, category, service, deploymentKind, provider, model,
                modelVersion, quantization, region, latencyMs, ttftMs, inputTokens, outputTokens, contextTokens,
                costUsd, status, errorType, quality, feedback, escalated, fallback, retries, schemaValid, sessionId,
                parentTraceId, step, null, null, tags, contentHash);
    }
}
