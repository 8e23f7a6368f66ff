package io.tailaudit.sdk;

/**
 * Token counts of a call; each may be null when unknown. Context tokens are part of the input
 * (the retrieved or accumulated context the prompt carried).
 */
public record Usage(Integer inputTokens, Integer outputTokens, Integer contextTokens) {

    public Usage {
        requireInRange("usage.input_tokens", inputTokens);
        requireInRange("usage.output_tokens", outputTokens);
        requireInRange("usage.context_tokens", contextTokens);
    }

    public static Usage of(int inputTokens, int outputTokens) {
        return new Usage(inputTokens, outputTokens, null);
    }

    public static Usage of(int inputTokens, int outputTokens, int contextTokens) {
        return new Usage(inputTokens, outputTokens, contextTokens);
    }

    private static void requireInRange(String field, Integer value) {
        if (value != null && (value < 0 || value > ContractSchema.MAX_TOKENS)) {
            throw new IllegalArgumentException(field + " must be in [0, " + ContractSchema.MAX_TOKENS + "], got " + value);
        }
    }
}
