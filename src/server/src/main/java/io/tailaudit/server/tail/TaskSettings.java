package io.tailaudit.server.tail;

import io.tailaudit.sdk.Category;

import java.util.Set;

/**
 * A task's effective settings: its overrides over its category's defaults. {@code category} is the
 * override if any, else the category its traces report. {@code overridden} names the fields set by hand.
 */
public record TaskSettings(String task, String category, String observedCategory, double qualityFloor,
                           double latencyBudgetMs, boolean tailAbsorbable, boolean scopeConstrained,
                           double tailThreshold, Set<String> overridden) {

    public TaskSettings {
        overridden = Set.copyOf(overridden);
    }

    /** Overrides over the defaults of the effective category. */
    static TaskSettings effective(String task, String observedCategory, TaskSettingsRow row) {
        String category = row != null && row.category != null ? row.category : observedCategory;
        CategoryDefaults d = CategoryDefaults.of(Category.fromWire(category == null ? "other" : category));
        java.util.Set<String> overridden = new java.util.TreeSet<>();
        if (row != null) {
            if (row.category != null) overridden.add("category");
            if (row.qualityFloor != null) overridden.add("quality_floor");
            if (row.latencyBudgetMs != null) overridden.add("latency_budget_ms");
            if (row.tailAbsorbable != null) overridden.add("tail_absorbable");
            if (row.scopeConstrained != null) overridden.add("scope_constrained");
            if (row.tailThreshold != null) overridden.add("tail_threshold");
        }
        return new TaskSettings(task, category == null ? "other" : category, observedCategory,
                row != null && row.qualityFloor != null ? row.qualityFloor : CategoryDefaults.QUALITY_FLOOR,
                row != null && row.latencyBudgetMs != null ? row.latencyBudgetMs : d.latencyBudgetMs(),
                row != null && row.tailAbsorbable != null ? row.tailAbsorbable : d.tailAbsorbable(),
                row != null && row.scopeConstrained != null ? row.scopeConstrained : d.scopeConstrained(),
                row != null && row.tailThreshold != null ? row.tailThreshold : CategoryDefaults.TAIL_THRESHOLD,
                overridden);
    }

    /** A change: every field optional; a null leaves the field as it is, {@code reset} lists fields to default. */
    public record Change(String category, Double qualityFloor, Double latencyBudgetMs, Boolean tailAbsorbable,
                         Boolean scopeConstrained, Double tailThreshold, Set<String> reset) {
    }
}
