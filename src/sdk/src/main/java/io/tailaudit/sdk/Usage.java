package io.tailaudit.sdk;

/**
 * Token counts of a call; each may be null when unknown. Context tokens are part of the input
 * (the retrieved or accumulated context the prompt carried).
 */
public record Usage(Integer inputTokens, Integer outputTokens, Integer contextTokens) {

    public Usage {
        requireNonNegative("usage.input_tokens", inputTokens);
        requireNonNegative("usage.output_tokens", outputTokens);
        requireNonNegative("usage.context_tokens", contextTokens);
    }

    public static Usage of(int inputTokens, int outputTokens) {
        return new Usage(inputTokens, outputTokens, null);
    }

    public static Usage of(int inputTokens, int outputTokens, int contextTokens) {
        return new Usage(inputTokens, outputTokens, contextTokens);
    }

    private static void requireNonNegative(String field, Integer value) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + value);
        }
    }
}
