package io.tailaudit.sdk;

/**
 * How a call ended and how good it was. Every component may be null; the contract's defaults then
 * apply: status ok, quality 1, schema_valid true, escalated and fallback false.
 */
public record Outcome(Status status, String errorType, Double quality, Rating feedback, Boolean escalated,
                      Boolean fallback, Integer retries, Boolean schemaValid) {

    public Outcome {
        if (quality != null && !(quality >= 0.0 && quality <= 1.0)) {
            throw new IllegalArgumentException("outcome.quality must be in [0, 1], got " + quality);
        }
        if (retries != null && (retries < 0 || retries > ContractSchema.MAX_RETRIES)) {
            throw new IllegalArgumentException("outcome.retries must be in [0, " + ContractSchema.MAX_RETRIES
                    + "], got " + retries);
        }
    }

    /** A successful call with the given quality score. */
    public static Outcome ok(double quality) {
        return new Outcome(Status.OK, null, quality, null, null, null, null, null);
    }

    /** A failed call: {@code status} is not ok; {@code errorType} names the failure, e.g. {@code context_overflow}. */
    public static Outcome failed(Status status, String errorType) {
        return new Outcome(status, errorType, null, null, null, null, null, null);
    }

    public Outcome withEscalated(boolean value) {
        return new Outcome(status, errorType, quality, feedback, value, fallback, retries, schemaValid);
    }

    public Outcome withFallback(boolean value) {
        return new Outcome(status, errorType, quality, feedback, escalated, value, retries, schemaValid);
    }

    public Outcome withFeedback(Rating value) {
        return new Outcome(status, errorType, quality, value, escalated, fallback, retries, schemaValid);
    }

    public Outcome withRetries(int value) {
        return new Outcome(status, errorType, quality, feedback, escalated, fallback, value, schemaValid);
    }

    public Outcome withSchemaValid(boolean value) {
        return new Outcome(status, errorType, quality, feedback, escalated, fallback, retries, value);
    }
}
