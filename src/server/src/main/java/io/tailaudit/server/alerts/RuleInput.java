package io.tailaudit.server.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A rule as the API takes it; {@link #problems} says what is wrong with it, field by field. */
public record RuleInput(String name, String metric, String scope, String scopeValue, Double threshold, String window,
                        Integer forSeconds, Double hysteresis, String severity, Map<String, String> labels,
                        String runbookUrl, Integer repeatSeconds, Boolean enabled) {

    public static final Set<String> WINDOWS = Set.copyOf(io.tailaudit.server.tail.Windows.NAMES);

    /** A stored rule with the fields the console edits replaced; the rest as stored. */
    public static RuleInput changed(AlertRule r, Double threshold, String window, Integer forSeconds, String severity,
                                    boolean enabled) {
        return new RuleInput(r.name(), r.metric().code, r.scope(), r.scopeValue(), threshold, window, forSeconds,
                r.hysteresis(), severity, r.labels(), r.runbookUrl(), r.repeatSeconds(), enabled);
    }

    /** all, unless the metric is a platform one. */
    String effectiveScope() {
        if (scope != null && !scope.isBlank()) {
            return scope;
        }
        return AlertMetric.of(metric).map(m -> m.platform ? "platform" : "all").orElse("all");
    }

    /** Field -> what is wrong; empty when the rule can be stored. */
    public Map<String, String> problems() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        if (name == null || name.isBlank()) {
            p.put("name", "a name is required");
        } else if (name.length() > 200) {
            p.put("name", "at most 200 characters");
        }
        AlertMetric m = AlertMetric.of(metric).orElse(null);
        if (m == null) {
            List<String> codes = new ArrayList<>();
            for (AlertMetric x : AlertMetric.values()) {
                codes.add(x.code);
            }
            p.put("metric", "must be one of " + codes + ", got '" + metric + "'");
        }
        String s = effectiveScope();
        if (m != null && m.platform && !"platform".equals(s)) {
            p.put("scope", "a platform metric has scope 'platform'");
        } else if (m != null && !m.platform && !Set.of("all", "category", "task").contains(s)) {
            p.put("scope", "must be one of [all, category, task] for a task metric, got '" + s + "'");
        } else if (Set.of("category", "task").contains(s) && (scopeValue == null || scopeValue.isBlank())) {
            p.put("scope_value", "scope '" + s + "' needs the " + s + " in scope_value");
        }
        if (m != null && m.needsThreshold() && threshold == null) {
            p.put("threshold", "metric " + m.code + " needs a threshold");
        }
        if (threshold != null && (threshold.isNaN() || threshold < 0)) {
            p.put("threshold", "must be a number >= 0");
        } else if (threshold != null && m != null && m.kind == AlertMetric.Kind.RATE && threshold >= 1) {
            p.put("threshold", "a rate's threshold lies in [0, 1), got " + threshold);
        }
        if (window != null && !WINDOWS.contains(window)) {
            p.put("window", "must be one of [1h, 24h, 7d, 30d], got '" + window + "'");
        }
        if (forSeconds != null && (forSeconds < 0 || forSeconds > 86_400)) {
            p.put("for_seconds", "must be between 0 and 86400");
        }
        if (hysteresis != null && (hysteresis.isNaN() || hysteresis < 0 || hysteresis >= 1)) {
            p.put("hysteresis", "must lie in [0, 1)");
        }
        if (severity != null && !AlertRule.SEVERITIES.contains(severity)) {
            p.put("severity", "must be one of " + AlertRule.SEVERITIES + ", got '" + severity + "'");
        }
        if (repeatSeconds != null && (repeatSeconds < 60 || repeatSeconds > 7 * 86_400)) {
            p.put("repeat_seconds", "must be between 60 and 604800");
        }
        if (runbookUrl != null && !runbookUrl.isBlank() && !runbookUrl.matches("https?://\\S+")) {
            p.put("runbook_url", "must be an http(s) URL");
        }
        return p;
    }
}
