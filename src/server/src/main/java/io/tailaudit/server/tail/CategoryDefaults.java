package io.tailaudit.server.tail;

import io.tailaudit.sdk.Category;

/**
 * The seed article's call per task category, as defaults every task may override: whether the scope is
 * permanently constrained, whether a tail failure is absorbable (a suggestion nobody accepts), and the
 * latency budget.
 */
public record CategoryDefaults(boolean scopeConstrained, boolean tailAbsorbable, double latencyBudgetMs) {

    public static final double QUALITY_FLOOR = 0.5;
    public static final double TAIL_THRESHOLD = 0.05;

    public static CategoryDefaults of(Category category) {
        return switch (category) {
            case AUTOCOMPLETE, KEYBOARD -> new CategoryDefaults(true, true, 100);
            case CLASSIFICATION -> new CategoryDefaults(true, false, 2_000);
            case EXTRACTION -> new CategoryDefaults(true, false, 10_000);
            case LONG_CONTEXT_QA, OTHER -> new CategoryDefaults(false, false, 10_000);
            case AGENTIC -> new CategoryDefaults(false, false, 60_000);
            case CHAT -> new CategoryDefaults(false, false, 5_000);
            case CODEBASE_REASONING -> new CategoryDefaults(false, false, 30_000);
        };
    }
}
