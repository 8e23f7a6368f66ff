package io.tailaudit.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A Kubernetes object checked against the Kubernetes API's OpenAPI document, without a cluster, through the
 * models kubernetes-client/java generates from that document ({@code io.kubernetes:client-java-api}, the
 * Kubernetes 1.35 API at 26.0.0). Reading an object into its model rejects, at any depth, a field the API
 * does not define, a missing required field, and an object or a list where the other is due; writing the
 * model back and comparing it with the input catches the rest of the types: a number where the API takes a
 * string (an unquoted env value), a string where it takes a number, a malformed quantity or a boolean
 * spelled as text, all of which the model would read but not give back unchanged.
 *
 * <p>Only the (apiVersion, kind) pairs in {@link #MODELS} are known: any other object fails, so a new kind
 * in the manifests is never passed unchecked, and neither is an API version no longer served (policy/v1beta1
 * and autoscaling/v2beta2 have no model here).
 */
final class KubernetesSchema {

    private static final Map<String, Class<?>> MODELS = Map.of(
            "v1/Namespace", V1Namespace.class,
            "v1/ServiceAccount", V1ServiceAccount.class,
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class,
            "v1/Service", V1Service.class,
            "apps/v1/Deployment", V1Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class,
            "networking.k8s.io/v1/Ingress", V1Ingress.class);

    private KubernetesSchema() {
    }

    /** The object's problem against the API schema, naming it and the field; empty when it conforms. */
    static Optional<String> problem(JsonNode object) {
        String id = object.path("apiVersion").asText("?") + "/" + object.path("kind").asText("?");
        String name = id + " " + object.path("metadata").path("name").asText("(no name)");
        Class<?> model = MODELS.get(id);
        if (model == null) {
            return Optional.of(name + ": no model for " + id + " (known: " + new TreeSet<>(MODELS.keySet()) + ")");
        }
        JsonElement input = JsonParser.parseString(object.toString());
        Object read;
        try {
            read = JSON.getGson().fromJson(input, model);
        } catch (RuntimeException e) {
            return Optional.of(name + ": " + shortened(e.getMessage()));
        }
        JsonElement back = JSON.getGson().toJsonTree(read);
        return difference("", input, back).map(d -> name + ": " + d);
    }

    /** The first place where what the model gives back differs from the input, as a JSON path. */
    private static Optional<String> difference(String path, JsonElement in, JsonElement out) {
        if (in.isJsonObject() && out.isJsonObject()) {
            JsonObject a = in.getAsJsonObject();
            JsonObject b = out.getAsJsonObject();
            for (String key : new TreeSet<>(a.keySet())) {
                if (!b.has(key)) {
                    return Optional.of(path + "." + key + " is not kept by the API model (input " + a.get(key) + ")");
                }
                Optional<String> d = difference(path + "." + key, a.get(key), b.get(key));
                if (d.isPresent()) {
                    return d;
                }
            }
            for (String key : b.keySet()) {
                // the models start some maps and lists empty (metadata.annotations): nothing was added
                if (!a.has(key) && !isEmpty(b.get(key))) {
                    return Optional.of(path + "." + key + " appears only in the API model's output: " + b.get(key));
                }
            }
            return Optional.empty();
        }
        if (in.isJsonArray() && out.isJsonArray()) {
            JsonArray a = in.getAsJsonArray();
            JsonArray b = out.getAsJsonArray();
            if (a.size() != b.size()) {
                return Optional.of(path + " has " + a.size() + " items, the API model kept " + b.size());
            }
            for (int i = 0; i < a.size(); i++) {
                Optional<String> d = difference(path + "[" + i + "]", a.get(i), b.get(i));
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        if (sameScalar(in, out)) {
            return Optional.empty();
        }
        return Optional.of(path + " is " + in + " but the API's type makes it " + out);
    }

    /** The models' messages quote the whole object the field is in: its start says where. */
    private static String shortened(String message) {
        int json = message == null ? -1 : message.indexOf('{');
        return json < 0 || message.length() - json <= 200 ? String.valueOf(message) : message.substring(0, json + 200) + "...";
    }

    private static boolean isEmpty(JsonElement e) {
        return e.isJsonNull() || e.isJsonObject() && e.getAsJsonObject().isEmpty()
                || e.isJsonArray() && e.getAsJsonArray().isEmpty();
    }

    /** Equal values of the same JSON type: 8080 and "8080" differ, 8080 and 8080.0 do not. */
    private static boolean sameScalar(JsonElement in, JsonElement out) {
        if (in.isJsonPrimitive() && out.isJsonPrimitive()) {
            var a = in.getAsJsonPrimitive();
            var b = out.getAsJsonPrimitive();
            if (a.isNumber() && b.isNumber()) {
                return a.getAsBigDecimal().compareTo(b.getAsBigDecimal()) == 0;
            }
            if (a.isNumber() || b.isNumber() || a.isBoolean() != b.isBoolean()) {
                return false;
            }
            return a.getAsString().equals(b.getAsString());
        }
        return in.equals(out);
    }
}
