package io.tailaudit.server.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a cycle's alerts into each channel's request body, in the receiver's own API shape. Grouping:
 * one webhook or Slack message per rule (all the tasks it changed on), one Alertmanager POST for all of
 * them, one PagerDuty event per alert (its API takes one event per request, deduplicated by key).
 */
@ApplicationScoped
class NotificationRenderer {

    private final ObjectMapper json;
    private final AlertsConfig config;

    NotificationRenderer(ObjectMapper json, AlertsConfig config) {
        this.json = json;
        this.config = config;
    }

    /** One alert's change: firing, repeat (still firing) or resolved. */
    public record Alert(long eventId, AlertRule rule, String subject, String category, String kind, Instant startsAt,
                        Instant at, Double value, Double low, Double high, Double threshold, String summary,
                        String link, String fingerprint) {

        boolean resolved() {
            return "resolved".equals(kind);
        }
    }

    /** A request body and the events it carries. */
    public record Rendered(String body, List<Long> eventIds) {
    }

    List<Rendered> render(AlertStore.ChannelSecret channel, List<Alert> alerts) {
        if (alerts.isEmpty()) {
            return List.of();
        }
        List<Rendered> out = new ArrayList<>();
        switch (channel.channel().kind()) {
            case "pagerduty" -> alerts.forEach(a -> out.add(new Rendered(write(pagerDuty(a, channel.secret())),
                    List.of(a.eventId()))));
            case "alertmanager" -> out.add(new Rendered(write(alertmanager(alerts)),
                    alerts.stream().map(Alert::eventId).toList()));
            default -> byRule(alerts).forEach(group -> out.add(new Rendered(write(
                    "slack".equals(channel.channel().kind()) ? slack(group) : webhook(group)),
                    group.stream().map(Alert::eventId).toList())));
        }
        return out;
    }

    private static List<List<Alert>> byRule(List<Alert> alerts) {
        Map<Long, List<Alert>> groups = new LinkedHashMap<>();
        alerts.forEach(a -> groups.computeIfAbsent(a.rule().id(), k -> new ArrayList<>()).add(a));
        return new ArrayList<>(groups.values());
    }

    /** Our own JSON: every field of each alert; the body is signed with HMAC-SHA256 when sent. */
    ObjectNode webhook(List<Alert> group) {
        ObjectNode root = json.createObjectNode();
        root.put("version", "1");
        root.put("source", "tailaudit");
        root.put("group", group.get(0).rule().name());
        root.put("status", group.stream().allMatch(Alert::resolved) ? "resolved" : "firing");
        ArrayNode list = root.putArray("alerts");
        for (Alert a : group) {
            ObjectNode n = list.addObject();
            n.put("fingerprint", a.fingerprint());
            n.put("event_id", a.eventId());
            n.put("status", a.resolved() ? "resolved" : "firing");
            n.put("kind", a.kind());
            n.put("rule_id", a.rule().id());
            n.put("rule", a.rule().name());
            n.put("metric", a.rule().metric().code);
            n.put("severity", a.rule().severity());
            if (!a.subject().isEmpty()) {
                n.put("task", a.subject());
            }
            if (a.category() != null) {
                n.put("category", a.category());
            }
            n.put("window", a.rule().window());
            putNumber(n, "value", a.value());
            putNumber(n, "low", a.low());
            putNumber(n, "high", a.high());
            putNumber(n, "threshold", a.threshold());
            n.put("summary", a.summary());
            n.put("link", a.link());
            if (a.rule().runbookUrl() != null) {
                n.put("runbook_url", a.rule().runbookUrl());
            }
            n.put("starts_at", a.startsAt().toString());
            if (a.resolved()) {
                n.put("ends_at", a.at().toString());
            }
            n.set("labels", json.valueToTree(a.rule().labels()));
        }
        return root;
    }

    /** Slack incoming webhook: a header, the evidence sentence per alert, and the links, in Block Kit. */
    ObjectNode slack(List<Alert> group) {
        Alert first = group.get(0);
        boolean resolved = group.stream().allMatch(Alert::resolved);
        String state = resolved ? "Resolved" : "Firing";
        String emoji = resolved ? ":white_check_mark:" : "critical".equals(first.rule().severity()) ? ":red_circle:"
                : ":warning:";
        ObjectNode root = json.createObjectNode();
        root.put("text", state + ": " + first.rule().name() + " - " + first.summary()
                + (group.size() > 1 ? " (and " + (group.size() - 1) + " more)" : ""));
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("emoji", true)
                .put("text", truncate(emoji + " " + state + ": " + first.rule().name(), 150));
        for (Alert a : group) {
            ObjectNode section = blocks.addObject().put("type", "section");
            section.putObject("text").put("type", "mrkdwn").put("text", truncate((a.resolved() ? "*Resolved* " : "")
                    + escape(a.summary()) + "\n<" + a.link() + "|Open the evidence in TailAudit>", 3000));
        }
        ObjectNode context = blocks.addObject().put("type", "context");
        context.putArray("elements").addObject().put("type", "mrkdwn").put("text", "severity *"
                + first.rule().severity() + "* · metric `" + first.rule().metric().code + "` · window "
                + first.rule().window() + (first.rule().runbookUrl() == null ? ""
                : " · <" + first.rule().runbookUrl() + "|runbook>"));
        return root;
    }

    /** PagerDuty Events API v2: trigger or resolve, deduplicated by the alert's stable key. */
    ObjectNode pagerDuty(Alert a, String routingKey) {
        ObjectNode root = json.createObjectNode();
        root.put("routing_key", routingKey);
        root.put("event_action", a.resolved() ? "resolve" : "trigger");
        root.put("dedup_key", a.fingerprint());
        if (a.resolved()) {
            return root;
        }
        ObjectNode payload = root.putObject("payload");
        payload.put("summary", truncate(a.summary(), 1024));
        payload.put("source", "tailaudit");
        payload.put("severity", switch (a.rule().severity()) {
            case "critical" -> "critical";
            case "warning" -> "warning";
            default -> "info";
        });
        payload.put("timestamp", a.startsAt().toString());
        if (!a.subject().isEmpty()) {
            payload.put("component", a.subject());
        }
        if (a.category() != null) {
            payload.put("group", a.category());
        }
        payload.put("class", a.rule().metric().code);
        ObjectNode details = payload.putObject("custom_details");
        details.put("rule", a.rule().name());
        details.put("window", a.rule().window());
        putNumber(details, "value", a.value());
        putNumber(details, "low", a.low());
        putNumber(details, "high", a.high());
        putNumber(details, "threshold", a.threshold());
        if (a.rule().runbookUrl() != null) {
            details.put("runbook_url", a.rule().runbookUrl());
        }
        a.rule().labels().forEach(details::put);
        root.putArray("links").addObject().put("href", a.link()).put("text", "Evidence in TailAudit");
        root.put("client", "TailAudit");
        root.put("client_url", config.consoleUrl());
        return root;
    }

    /** Alertmanager API v2 {@code POST /api/v2/alerts}: a list of postable alerts, resolved ones with endsAt. */
    ArrayNode alertmanager(List<Alert> alerts) {
        ArrayNode root = json.createArrayNode();
        for (Alert a : alerts) {
            ObjectNode n = root.addObject();
            ObjectNode labels = n.putObject("labels");
            labels.put("alertname", a.rule().name());
            labels.put("severity", a.rule().severity());
            labels.put("metric", a.rule().metric().code);
            labels.put("rule_id", Long.toString(a.rule().id()));
            if (!a.subject().isEmpty()) {
                labels.put("task", a.subject());
            }
            if (a.category() != null) {
                labels.put("category", a.category());
            }
            a.rule().labels().forEach(labels::put);
            ObjectNode annotations = n.putObject("annotations");
            annotations.put("summary", a.summary());
            annotations.put("description", describe(a));
            if (a.rule().runbookUrl() != null) {
                annotations.put("runbook_url", a.rule().runbookUrl());
            }
            n.put("startsAt", a.startsAt().toString());
            if (a.resolved()) {
                n.put("endsAt", a.at().toString());
            }
            n.put("generatorURL", a.link());
        }
        return root;
    }

    /** The metric over the rule's window; for a tail rule without a threshold, the task's own it compared with. */
    static String describe(Alert a) {
        AlertMetric m = a.rule().metric();
        String s = m.description + " over the last " + a.rule().window();
        if (m.usesTailThreshold() && a.rule().threshold() == null && a.threshold() != null) {
            s += ", against the task's tail threshold " + RuleReadings.pct(a.threshold());
        }
        return s;
    }

    private static void putNumber(ObjectNode n, String field, Double v) {
        if (v != null && !v.isNaN()) {
            n.put(field, v);
        }
    }

    /** Slack mrkdwn control characters. */
    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private String write(Object node) {
        try {
            return json.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
