package io.tailaudit.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tailaudit.server.deploy.Manifests.containers;
import static io.tailaudit.server.deploy.Manifests.name;
import static io.tailaudit.server.deploy.Manifests.ofKind;
import static io.tailaudit.server.deploy.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server's Dockerfile against what the Kubernetes manifests expect of the image and what the build
 * produces, without a Docker engine. ContainerImageIT then starts the server from what its COPY lines copy.
 */
class ContainerImageTest {

    private static final Pattern RELEASE = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>");
    /** Temurin's tags start with the Java version: 25-jre-noble, 21.0.5_11-jre. */
    private static final Pattern JAVA_TAG = Pattern.compile("^eclipse-temurin:(\\d+)[-._].*");

    private final Dockerfile image = Dockerfile.read();
    private final List<JsonNode> deployments = ofKind(Kustomize.render(Kustomize.EXAMPLE), "Deployment");

    @Test
    void the_image_exposes_the_port_every_pod_declares() {
        Set<Integer> declared = new HashSet<>();
        deployments.forEach(d -> containers(d).forEach(c -> c.path("ports").forEach(p -> declared.add(p.path("containerPort").asInt()))));

        assertThat(image.exposed()).isEqualTo(declared).containsExactly(8080);
    }

    @Test
    void the_image_runs_as_the_numeric_non_root_user_every_pod_runs_as() {
        assertThat(image.uid()).as("USER %s: numeric, so the kubelet can check runAsNonRoot", image.user())
                .hasValueSatisfying(uid -> assertThat(uid).isPositive());
        for (JsonNode d : deployments) {
            JsonNode pod = podSpec(d).path("securityContext");
            assertThat(pod.path("runAsUser").asLong()).as(name(d)).isEqualTo(image.uid().orElseThrow());
            assertThat(pod.path("runAsGroup").asLong()).as(name(d)).isEqualTo(image.gid().orElseThrow());
        }
    }

    @Test
    void the_base_images_java_runs_the_bytecode_the_build_targets() throws IOException {
        Matcher release = RELEASE.matcher(Files.readString(Path.of("..", "..", "pom.xml")));
        Matcher java = JAVA_TAG.matcher(image.baseImage());

        assertThat(release.find()).as("maven.compiler.release in the parent pom").isTrue();
        assertThat(java.matches()).as("a Temurin base whose tag names its Java version: %s", image.baseImage()).isTrue();
        assertThat(Integer.parseInt(java.group(1))).isGreaterThanOrEqualTo(Integer.parseInt(release.group(1)));
    }

    @Test
    void the_entrypoint_starts_the_fast_jar_in_exec_form_under_the_prod_profile() {
        assertThat(image.entrypoint()).first().isEqualTo("java");
        assertThat(image.entrypoint()).containsSubsequence("-jar", image.workdir() + "/quarkus-run.jar");
        assertThat(image.entrypoint()).last().isEqualTo(image.workdir() + "/quarkus-run.jar");
        assertThat(image.env()).containsEntry("QUARKUS_PROFILE", "prod");
    }

    @Test
    void the_build_context_sends_the_packaged_application_and_nothing_else() {
        Dockerfile.DockerIgnore ignore = Dockerfile.DockerIgnore.read();

        assertThat(ignore.admits(Path.of("target/quarkus-app/quarkus-run.jar"))).isTrue();
        assertThat(ignore.admits(Path.of("target/quarkus-app/lib/main/io.tailaudit.tailaudit-sdk-0.1.0-SNAPSHOT.jar"))).isTrue();
        assertThat(ignore.admits(Path.of("target/surefire-reports/x.txt"))).isFalse();
        assertThat(ignore.admits(Path.of("src/main/java/io/tailaudit/server/ClockProducer.java"))).isFalse();
        assertThat(ignore.admits(Path.of("pom.xml"))).isFalse();
        assertThat(image.copies()).allSatisfy(c -> assertThat(c.sources()).allSatisfy(s ->
                assertThat(s).startsWith("target/quarkus-app/")));
    }

    @Test
    void a_run_instruction_fails_the_reading_as_beyond_the_check() {
        assertThatThrownBy(() -> Dockerfile.parse(List.of("FROM eclipse-temurin:25-jre", "RUN apt-get install -y curl")))
                .hasMessageContaining("RUN is beyond what this check follows");
    }

    @Test
    void a_shell_form_entrypoint_fails_the_reading() {
        assertThatThrownBy(() -> Dockerfile.parse(List.of("FROM eclipse-temurin:25-jre", "ENTRYPOINT java -jar x.jar")))
                .hasMessageContaining("shell form");
    }
}
