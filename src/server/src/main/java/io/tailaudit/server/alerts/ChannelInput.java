package io.tailaudit.server.alerts;

import java.util.Map;
import java.util.Set;

/**
 * A notification channel as the API takes it. {@code secret}: the webhook's HMAC-SHA256 key, or the
 * PagerDuty routing key (required there); for Alertmanager, {@code url} is its base URL.
 */
public record ChannelInput(String name, String kind, String url, String secret, String minSeverity, Boolean enabled) {

    public static final Set<String> KINDS = Set.of("webhook", "slack", "pagerduty", "alertmanager");

    /**
     * Field -> what is wrong; empty when the channel can be stored. {@code update}: a stored secret may stay.
     * The URL must be a target the policy allows now (it is checked again at every delivery).
     */
    public Map<String, String> problems(boolean update, TargetPolicy targets) {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        if (name == null || name.isBlank()) {
            p.put("name", "a name is required");
        }
        if (kind == null || !KINDS.contains(kind)) {
            p.put("kind", "must be one of [alertmanager, pagerduty, slack, webhook], got '" + kind + "'");
        }
        if (url == null || !url.trim().matches("https?://\\S+")) {
            p.put("url", "must be an http(s) URL");
        } else if (targets.check(url) instanceof TargetPolicy.Refused refused) {
            p.put("url", refused.reason());
        }
        if ("pagerduty".equals(kind) && !update && (secret == null || secret.isBlank())) {
            p.put("secret", "PagerDuty needs the integration's routing key");
        }
        if (minSeverity != null && !AlertRule.SEVERITIES.contains(minSeverity)) {
            p.put("min_severity", "must be one of " + AlertRule.SEVERITIES + ", got '" + minSeverity + "'");
        }
        return p;
    }
}
