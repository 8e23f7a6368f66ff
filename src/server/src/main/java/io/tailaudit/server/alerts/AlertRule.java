package io.tailaudit.server.alerts;

import java.util.Map;

/**
 * A stored rule. {@code scope}: all, category or task (with {@code scopeValue}) for task metrics, platform
 * for platform metrics. {@code threshold} null only where {@link AlertMetric#needsThreshold()} allows it.
 */
public record AlertRule(long id, String name, AlertMetric metric, String scope, String scopeValue, Double threshold,
                        String window, int forSeconds, double hysteresis, String severity, Map<String, String> labels,
                        String runbookUrl, int repeatSeconds, boolean enabled) {

    public static final java.util.List<String> SEVERITIES = java.util.List.of("critical", "warning", "info");

    /** Whether the rule covers a task of {@code category}. */
    boolean covers(String task, String category) {
        return switch (scope) {
            case "all" -> true;
            case "task" -> task.equals(scopeValue);
            case "category" -> category != null && category.equals(scopeValue);
            default -> false;
        };
    }

    /** Rank of a severity: critical 0, warning 1, info 2. */
    static int rank(String severity) {
        int i = SEVERITIES.indexOf(severity);
        return i < 0 ? SEVERITIES.size() : i;
    }
}
