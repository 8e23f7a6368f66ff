package io.tailaudit.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.tailaudit.server.deploy.Manifests.containers;
import static io.tailaudit.server.deploy.Manifests.env;
import static io.tailaudit.server.deploy.Manifests.labels;
import static io.tailaudit.server.deploy.Manifests.name;
import static io.tailaudit.server.deploy.Manifests.named;
import static io.tailaudit.server.deploy.Manifests.ofKind;
import static io.tailaudit.server.deploy.Manifests.podSpec;
import static io.tailaudit.server.deploy.Manifests.quantity;
import static io.tailaudit.server.deploy.Manifests.selects;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the example overlay installs, rendered by kustomize, beyond its schema ({@link KubernetesSchemaTest}):
 * the roles, probes, resources, the ingest autoscaler and its metric, that every selector and reference
 * meets its object, and that no secret value is committed.
 */
class DeployManifestsTest {

    private static final Set<String> ROLES = Set.of("ingest", "index", "api", "alerts");
    private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)([mg])");
    private static final String LAG_METRIC = "tailaudit_ingest_consumer_lag_records";
    /** Names of variables that carry a secret: only ever from a Secret, never a literal. */
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|ENCRYPTION_KEY|JAAS).*");

    private static final Pattern SECRET_KIND = Pattern.compile("(?m)^kind:\\s*Secret\\s*$");

    private final List<JsonNode> example = Kustomize.render(Kustomize.EXAMPLE);
    private final List<JsonNode> deployments = ofKind(example, "Deployment");

    @Test
    void there_is_one_deployment_per_role_each_running_only_its_role() {
        Map<String, String> roleOf = new HashMap<>();
        for (JsonNode d : deployments) {
            roleOf.put(name(d), env(containers(d).get(0), "TAILAUDIT_ROLES").orElse("(all roles)"));
        }

        assertThat(roleOf).containsOnlyKeys("tailaudit-ingest", "tailaudit-index", "tailaudit-api", "tailaudit-alerts");
        roleOf.forEach((deployment, role) -> assertThat(deployment).as("the Deployment of role %s", role)
                .isEqualTo("tailaudit-" + role));
        assertThat(new HashSet<>(roleOf.values())).isEqualTo(ROLES);
    }

    @Test
    void every_container_is_probed_ready_and_live_on_the_health_endpoints_of_its_http_port() {
        for (JsonNode d : deployments) {
            for (JsonNode c : containers(d)) {
                assertThat(c.path("ports")).as("%s ports", name(d)).anySatisfy(p -> {
                    assertThat(p.path("name").asText()).isEqualTo("http");
                    assertThat(p.path("containerPort").asInt()).isEqualTo(8080);
                });
                assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).as(name(d))
                        .isEqualTo("/q/health/ready");
                assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).as(name(d))
                        .isEqualTo("/q/health/live");
                assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).as(name(d))
                        .isEqualTo("/q/health/live");
                for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                    assertThat(c.path(probe).path("httpGet").path("port").asText()).as("%s %s", name(d), probe)
                            .isEqualTo("http");
                }
            }
        }
    }

    @Test
    void every_container_requests_cpu_and_memory_and_its_heap_leaves_room_below_its_memory_limit() {
        for (JsonNode d : deployments) {
            JsonNode c = containers(d).get(0);
            JsonNode resources = c.path("resources");
            assertThat(resources.path("requests").path("cpu").asText()).as("%s cpu request", name(d)).isNotEmpty();
            String memory = resources.path("requests").path("memory").asText();
            assertThat(resources.path("limits").path("memory").asText()).as("%s: memory limit = request (no"
                    + " overcommit of a JVM's heap)", name(d)).isEqualTo(memory);
            Matcher xmx = XMX.matcher(env(c, "JDK_JAVA_OPTIONS").orElse(""));
            assertThat(xmx.find()).as("%s sets its heap (-Xmx) in JDK_JAVA_OPTIONS", name(d)).isTrue();
            double heap = Long.parseLong(xmx.group(1)) * (xmx.group(2).equals("g") ? 1024.0 : 1.0) * 1024 * 1024;
            assertThat(quantity(memory) - heap).as("%s: memory beyond the heap, for the JVM's own", name(d))
                    .isGreaterThanOrEqualTo(512.0 * 1024 * 1024);
        }
    }

    @Test
    void the_ingest_autoscaler_scales_the_ingest_deployment_on_consumer_lag_up_to_the_partition_count() {
        JsonNode hpa = named(example, "HorizontalPodAutoscaler", "tailaudit-ingest");
        JsonNode config = ofKind(example, "ConfigMap").stream().filter(m -> name(m).startsWith("tailaudit-config-"))
                .findFirst().orElseThrow();
        int partitions = config.path("data").path("TAILAUDIT_INGEST_TOPIC_PARTITIONS").asInt();

        assertThat(hpa.path("spec").path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
        assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("tailaudit-ingest");
        assertThat(hpa.path("spec").path("metrics")).singleElement().satisfies(m -> {
            assertThat(m.path("type").asText()).isEqualTo("Pods");
            assertThat(m.path("pods").path("metric").path("name").asText()).isEqualTo(LAG_METRIC);
        });
        assertThat(partitions).isPositive();
        assertThat(hpa.path("spec").path("maxReplicas").asInt()).as("maxReplicas <= the topic's partitions")
                .isLessThanOrEqualTo(partitions);
        assertThat(named(example, "Deployment", "tailaudit-ingest").path("spec").has("replicas"))
                .as("ingest's replicas are the autoscaler's to set").isFalse();
    }

    @Test
    void the_autoscalers_metric_is_one_the_server_exports_and_the_adapter_rule_serves() throws IOException {
        // deploy/prometheus's rules are checked against the server's /q/metrics by DashboardMetricsTest
        String rules = Files.readString(Kustomize.DEPLOY.resolveSibling("prometheus").resolve("tailaudit-platform-rules.yml"));
        JsonNode adapter = Kustomize.yaml(Kustomize.DEPLOY.resolve(Kustomize.EXAMPLE).resolve("prometheus-adapter-values.yaml"));

        assertThat(rules).contains(LAG_METRIC);
        assertThat(adapter.path("rules").path("custom")).anySatisfy(rule -> {
            assertThat(rule.path("seriesQuery").asText()).startsWith(LAG_METRIC + "{");
            assertThat(rule.path("name").path("as").asText()).isEqualTo(LAG_METRIC);
            assertThat(rule.path("resources").path("overrides").path("pod").path("resource").asText()).isEqualTo("pod");
        });
    }

    @Test
    void every_service_disruption_budget_and_network_policy_selects_the_pods_of_a_deployment() {
        List<Map<String, String>> pods = deployments.stream()
                .map(d -> labels(d.path("spec").path("template").path("metadata").path("labels"))).toList();
        for (JsonNode s : ofKind(example, "Service")) {
            JsonNode selector = s.path("spec").path("selector");
            assertThat(pods).as("pods of Service %s", name(s))
                    .anySatisfy(p -> assertThat(p).containsAllEntriesOf(labels(selector)));
        }
        for (JsonNode b : ofKind(example, "PodDisruptionBudget")) {
            assertThat(pods).as("pods of PodDisruptionBudget %s", name(b))
                    .anySatisfy(p -> assertThat(selects(b.path("spec").path("selector"), p)).isTrue());
        }
        for (JsonNode n : ofKind(example, "NetworkPolicy")) {
            assertThat(pods).as("pods of NetworkPolicy %s", name(n))
                    .anySatisfy(p -> assertThat(selects(n.path("spec").path("podSelector"), p)).isTrue());
        }
        for (JsonNode d : deployments) {
            assertThat(selects(d.path("spec").path("selector"), pods.get(deployments.indexOf(d))))
                    .as("%s selects its own pods", name(d)).isTrue();
        }
    }

    @Test
    void every_ingress_path_reaches_a_service_port_and_search_reaches_the_index_role() {
        Map<String, String> backendOf = new HashMap<>();
        for (JsonNode ingress : ofKind(example, "Ingress")) {
            for (JsonNode rule : ingress.path("spec").path("rules")) {
                for (JsonNode path : rule.path("http").path("paths")) {
                    JsonNode service = path.path("backend").path("service");
                    JsonNode target = named(example, "Service", service.path("name").asText());
                    assertThat(target.path("spec").path("ports")).as("port %s of %s", service.path("port"), name(target))
                            .anySatisfy(p -> assertThat(p.path("name").asText()).isEqualTo(service.path("port").path("name").asText()));
                    backendOf.put(path.path("path").asText(), service.path("name").asText());
                }
            }
        }

        assertThat(backendOf).containsEntry("/search", "tailaudit-index").containsEntry("/api/v1/search", "tailaudit-index")
                .containsEntry("/api/v1/index", "tailaudit-index").containsEntry("/", "tailaudit-api");
    }

    @Test
    void every_config_map_secret_and_secret_key_a_container_reads_is_rendered() {
        for (JsonNode d : deployments) {
            for (JsonNode c : containers(d)) {
                for (JsonNode from : c.path("envFrom")) {
                    for (String kind : List.of("ConfigMap", "Secret")) {
                        JsonNode ref = from.path(kind.equals("Secret") ? "secretRef" : "configMapRef");
                        if (!ref.isMissingNode() && !ref.path("optional").asBoolean(false)) {
                            named(example, kind, ref.path("name").asText());
                        }
                    }
                }
                for (JsonNode e : c.path("env")) {
                    JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()) {
                        JsonNode secret = named(example, "Secret", ref.path("name").asText());
                        assertThat(secret.path("data").has(ref.path("key").asText()))
                                .as("%s reads key %s of %s", name(d), ref.path("key"), name(secret)).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void every_ingest_replica_takes_its_pod_name_as_its_kafka_instance_id() {
        JsonNode ingest = containers(named(example, "Deployment", "tailaudit-ingest")).get(0);

        assertThat(ingest.path("env")).anySatisfy(e -> {
            assertThat(e.path("name").asText()).isEqualTo("TAILAUDIT_INGEST_INSTANCE_ID");
            assertThat(e.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.name");
        });
    }

    @Test
    void the_index_role_keeps_its_index_on_a_volume_mounted_at_its_index_dir() {
        JsonNode index = named(example, "Deployment", "tailaudit-index");
        JsonNode c = containers(index).get(0);
        String dir = env(c, "TAILAUDIT_INDEX_DIR").orElseThrow();

        assertThat(c.path("volumeMounts")).anySatisfy(m -> assertThat(m.path("mountPath").asText()).isEqualTo(dir));
    }

    @Test
    void every_pod_meets_the_restricted_pod_security_standard() {
        for (JsonNode d : deployments) {
            JsonNode pod = podSpec(d);
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name(d)).isTrue();
            assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).as(name(d))
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as(name(d)).isFalse();
            for (JsonNode c : containers(d)) {
                JsonNode sc = c.path("securityContext");
                assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(name(d)).isFalse();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(name(d)).isTrue();
                assertThat(sc.path("capabilities").path("drop").toString()).as(name(d)).isEqualTo("[\"ALL\"]");
            }
        }
        assertThat(named(example, "Namespace", "tailaudit").path("metadata").path("labels")
                .path("pod-security.kubernetes.io/enforce").asText()).isEqualTo("restricted");
    }

    @Test
    void every_container_runs_the_overlays_image_at_a_fixed_tag() {
        for (JsonNode d : deployments) {
            assertThat(containers(d).get(0).path("image").asText()).as(name(d))
                    .isEqualTo("registry.example.com/tailaudit/server:0.1.0-SNAPSHOT");
        }
    }

    @Test
    void no_container_sets_a_secret_variable_to_a_literal_value() {
        for (JsonNode d : deployments) {
            for (JsonNode c : containers(d)) {
                for (JsonNode e : c.path("env")) {
                    if (SECRET_NAME.matcher(e.path("name").asText()).matches()) {
                        assertThat(e.has("value")).as("%s sets %s literally", name(d), e.path("name")).isFalse();
                    }
                }
            }
        }
        assertThat(ofKind(example, "ConfigMap")).allSatisfy(m -> m.path("data").fieldNames().forEachRemaining(key ->
                assertThat(key).as("ConfigMap %s", name(m)).doesNotMatch(SECRET_NAME)));
    }

    @Test
    void no_committed_file_under_deploy_kubernetes_holds_a_secret_value() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Kustomize.DEPLOY)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".yaml") && SECRET_KIND.matcher(Files.readString(f)).find()) {
                    found.add(f + " defines a Secret");
                }
                if (name.endsWith(".env") || name.endsWith(".env.example")) {
                    for (String line : Files.readAllLines(f)) {
                        String[] kv = line.split("=", 2);
                        if (!line.startsWith("#") && kv.length == 2 && SECRET_NAME.matcher(kv[0]).matches()
                                && !kv[1].isBlank() && !Kustomize.isSecretFile(f)) {
                            found.add(f + " sets " + kv[0]);
                        }
                    }
                }
            }
        }

        assertThat(found).isEmpty();
        assertThat(ofKind(Kustomize.render(Kustomize.BASE), "Secret")).as("Secrets in the base").isEmpty();
        assertThat(gitIgnores(Kustomize.DEPLOY.resolve(Kustomize.EXAMPLE).resolve("secrets/db.env")))
                .as("git ignores the example's secrets/*.env").isTrue();
    }

    private static boolean gitIgnores(Path file) throws IOException {
        Process git = new ProcessBuilder("git", "check-ignore", "-q", file.toString())
                .directory(Kustomize.DEPLOY.toFile()).redirectErrorStream(true).start();
        try {
            assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return git.exitValue() == 0;
    }
}
