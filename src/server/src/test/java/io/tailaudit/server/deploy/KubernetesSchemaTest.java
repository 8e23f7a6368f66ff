package io.tailaudit.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema check over the rendered base and example overlay, and proof that it bites: each kind of
 * mistake below, made in a copy of a rendered Deployment, fails it, naming the object and the field.
 */
class KubernetesSchemaTest {

    @ParameterizedTest
    @ValueSource(strings = {Kustomize.BASE, Kustomize.EXAMPLE})
    void every_rendered_object_conforms_to_the_kubernetes_api_schema(String dir) {
        List<JsonNode> objects = Kustomize.render(dir);

        assertThat(objects).as("objects rendered from %s", dir).hasSizeGreaterThan(10);
        assertThat(objects).allSatisfy(o -> assertThat(KubernetesSchema.problem(o)).as("%s", o.path("metadata")
                .path("name")).isEmpty());
    }

    @Test
    void a_misspelled_field_fails_the_check() {
        ObjectNode deployment = ingest();
        ObjectNode port = (ObjectNode) container(deployment).path("ports").get(0);
        port.set("containerPorts", port.remove("containerPort"));

        assertThat(KubernetesSchema.problem(deployment)).hasValueSatisfying(p -> assertThat(p)
                .contains("Deployment tailaudit-ingest").contains("containerPorts"));
    }

    @Test
    void a_field_at_the_wrong_level_fails_the_check() {
        ObjectNode deployment = ingest();
        ((ObjectNode) deployment.path("spec").path("template").path("spec")).set("readinessProbe",
                container(deployment).remove("readinessProbe"));

        assertThat(KubernetesSchema.problem(deployment)).hasValueSatisfying(p -> assertThat(p)
                .contains("readinessProbe"));
    }

    @Test
    void a_missing_required_field_fails_the_check() {
        ObjectNode deployment = ingest();
        container(deployment).remove("name");

        assertThat(KubernetesSchema.problem(deployment)).hasValueSatisfying(p -> assertThat(p)
                .contains("required field `name`"));
    }

    @Test
    void a_number_where_the_api_takes_a_string_fails_the_check() {
        ObjectNode deployment = ingest();
        ObjectNode env = (ObjectNode) container(deployment).path("env").get(0);
        env.put("value", 12);

        assertThat(KubernetesSchema.problem(deployment)).hasValueSatisfying(p -> assertThat(p)
                .contains(".env[0].value"));
    }

    @Test
    void text_where_the_api_takes_a_number_fails_the_check() {
        ObjectNode deployment = ingest();
        ((ObjectNode) deployment.path("spec")).put("revisionHistoryLimit", "five");

        assertThat(KubernetesSchema.problem(deployment)).hasValueSatisfying(p -> assertThat(p).contains("\"five\""));
    }

    @Test
    void a_malformed_quantity_fails_the_check() {
        ObjectNode deployment = ingest();
        ((ObjectNode) container(deployment).path("resources").path("requests")).put("memory", "1.5 GB");

        assertThat(KubernetesSchema.problem(deployment)).hasValueSatisfying(p -> assertThat(p).contains("quantity"));
    }

    @Test
    void an_api_version_no_longer_served_fails_the_check() {
        JsonNode budget = Kustomize.render(Kustomize.EXAMPLE).stream()
                .filter(o -> o.path("kind").asText().equals("PodDisruptionBudget")).findFirst().orElseThrow().deepCopy();
        ((ObjectNode) budget).put("apiVersion", "policy/v1beta1");

        assertThat(KubernetesSchema.problem(budget)).hasValueSatisfying(p -> assertThat(p)
                .contains("no model for policy/v1beta1/PodDisruptionBudget"));
    }

    /** A copy of the example's ingest Deployment, to break. */
    private static ObjectNode ingest() {
        JsonNode d = Kustomize.render(Kustomize.EXAMPLE).stream()
                .filter(o -> o.path("kind").asText().equals("Deployment")
                        && o.path("metadata").path("name").asText().equals("tailaudit-ingest"))
                .findFirst().orElseThrow();
        ObjectNode copy = d.deepCopy();
        assertThat(KubernetesSchema.problem(copy)).as("the unbroken copy").isEmpty();
        return copy;
    }

    private static ObjectNode container(JsonNode deployment) {
        return (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }
}
