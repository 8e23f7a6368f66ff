package io.tailaudit.server.deploy;

import io.tailaudit.server.embedded.EmbeddedPlatform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The image without a Docker engine: what the Dockerfile's COPY lines take from the build context (after
 * its .dockerignore) is laid out as the image's filesystem, and the server is started from it with the
 * Dockerfile's ENTRYPOINT, WORKDIR and ENV, against a real PostgreSQL and broker started here, until it
 * answers its readiness and liveness endpoints, the ones the pods are probed on, having written nothing into
 * the image but under /tmp (the pods' root filesystem is read-only). What this cannot try is
 * the base image itself: the ENTRYPOINT's {@code java} is this JVM's (ContainerImageTest checks that the
 * base's Java runs the build's bytecode), and the process runs as this user, not the image's.
 * Runs in the failsafe phase of {@code mvn verify}, after the package phase built target/quarkus-app.
 */
class ContainerImageIT {

    private static final Duration READY_WITHIN = ofSeconds(120);

    private Path dir;
    private EmbeddedPlatform platform;
    private Process server;

    @BeforeEach
    void startPlatform() throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target, "container-image-");
        platform = EmbeddedPlatform.start(dir.resolve("platform"));
    }

    @AfterEach
    void stopAll() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        if (platform != null) {
            platform.close();
        }
        // the staged image and the server's log stay under target/ for a look after a failure; the data goes
        if (dir != null) {
            try (var files = Files.walk(dir.resolve("platform"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void the_server_starts_from_what_the_dockerfile_copies_and_answers_the_pods_probes() throws Exception {
        Dockerfile image = Dockerfile.read();
        Path root = dir.resolve("image");
        image.stage(root, Dockerfile.DockerIgnore.read());
        Path workdir = root.resolve(image.workdir().replaceFirst("^/", ""));
        assertThat(workdir.resolve("quarkus-run.jar")).as("the fast-jar's launcher in the image").isRegularFile();

        Path tmp = Files.createDirectories(root.resolve("tmp"));  // the base image's /tmp, an emptyDir in the pods
        Set<Path> copied = files(root);
        copied.removeIf(p -> p.startsWith(tmp));

        int port = freePort();
        Path log = dir.resolve("server.log");
        ProcessBuilder launch = new ProcessBuilder(command(image.entrypoint(), root)).directory(workdir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = launch.environment();
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("TAILAUDIT_") || k.startsWith("KAFKA_")
                || k.startsWith("JDK_JAVA_") || k.equals("JAVA_TOOL_OPTIONS"));
        image.env().forEach((k, v) -> env.put(k, inImage(v, root)));
        env.putAll(Map.of("TAILAUDIT_DB_URL", platform.jdbcUrl(), "TAILAUDIT_DB_USER", "postgres",
                "TAILAUDIT_DB_PASSWORD", "", "TAILAUDIT_KAFKA_BOOTSTRAP", platform.bootstrapServers(),
                "QUARKUS_HTTP_PORT", String.valueOf(port), "JDK_JAVA_OPTIONS", "-Djava.io.tmpdir=" + tmp));
        server = launch.start();

        HttpClient http = HttpClient.newBuilder().connectTimeout(ofSeconds(2)).build();
        await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(500))
                .failFast("the server exited (log " + log + ")", () -> !server.isAlive())
                .untilAsserted(() -> assertThat(status(http, port, "/q/health/ready")).as("readiness (log %s)", log)
                        .isEqualTo(200));
        assertThat(status(http, port, "/q/health/live")).isEqualTo(200);
        // the pods' root filesystem is read-only: the server may write under /tmp only
        Set<Path> now = files(root);
        now.removeIf(p -> p.startsWith(tmp));
        assertThat(now).as("files the server wrote into the image outside /tmp").isEqualTo(copied);
    }

    /** The ENTRYPOINT, its {@code java} this JVM's and its absolute paths in the staged image. */
    private static List<String> command(List<String> entrypoint, Path root) {
        List<String> cmd = new ArrayList<>();
        for (String arg : entrypoint) {
            cmd.add(cmd.isEmpty() && arg.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java").toString()
                    : inImage(arg, root));
        }
        return cmd;
    }

    /** An absolute path whose parent the image has, as a path in the staged image; any other value as is. */
    private static String inImage(String value, Path root) {
        if (value.startsWith("/") && !value.contains(" ")) {
            Path staged = root.resolve(value.substring(1));
            if (Files.exists(staged) || Files.isDirectory(staged.getParent())) {
                return staged.toString();
            }
        }
        return value;
    }

    private static Set<Path> files(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static int status(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;                                      // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
