package io.tailaudit.server.tail;

import io.tailaudit.sdk.Category;

import java.util.Set;

/**
 * A task's effective settings: its overrides over its category's defaults. {@code category} is the
 * override if any, else the category its traces report. {@code overridden} names the fields set by hand.
 */
public record TaskSettings(String task, String category, String observedCategory, double qualityFloor,
                           double latencyBudgetMs, boolean tailAbsorbable, boolean scopeConstrained,
                           double tailThreshold, boolean storeText, Set<String> overridden) {

    public TaskSettings {
        overridden = Set.copyOf(overridden);
    }

    /** A change: every field optional; a null leaves the field as it is, {@code reset} lists fields to default. */
    public record Change(String category, Double qualityFloor, Double latencyBudgetMs, Boolean tailAbsorbable,
                         Boolean scopeConstrained, Double tailThreshold, Boolean storeText, Set<String> reset) {
    }
}
