package io.tailaudit.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.custom.Quantity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading rendered Kubernetes objects (as JSON trees) by kind, name and the paths the tests look at. */
final class Manifests {

    private Manifests() {
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return ofKind(objects, kind).stream().filter(o -> name(o).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    static JsonNode podSpec(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec");
    }

    static List<JsonNode> containers(JsonNode deployment) {
        List<JsonNode> all = new ArrayList<>();
        podSpec(deployment).path("containers").forEach(all::add);
        return all;
    }

    /** A container's env entry with a literal value, if it has one. */
    static Optional<String> env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name) && e.has("value")) {
                return Optional.of(e.path("value").asText());
            }
        }
        return Optional.empty();
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new HashMap<>();
        node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    /** Whether a label selector (matchLabels and In/NotIn/Exists/DoesNotExist expressions) selects these labels. */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
        for (var e : labels(selector.path("matchLabels")).entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode x : selector.path("matchExpressions")) {
            String value = labels.get(x.path("key").asText());
            List<String> values = new ArrayList<>();
            x.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (x.path("operator").asText()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + x);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A quantity (1536Mi, 2Gi, 500m, 20k) in its base unit, by the client's own parser. */
    static double quantity(String q) {
        return new Quantity(q).getNumber().doubleValue();
    }
}
