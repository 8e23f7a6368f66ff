package io.tailaudit.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keycloak's distribution (unpacked from Maven by the pom into target/keycloak, {@code tailaudit.keycloak.home})
 * run with {@code kc.sh start-dev} on 127.0.0.1 and a fresh H2 database, importing the realm
 * src/test/resources/keycloak/tailaudit-realm.json with the console's address and the client secret filled in.
 * {@link #close()} stops Keycloak's JVM too, which kc.sh runs as its child.
 */
public final class Keycloak implements AutoCloseable {

    private static final String REALM = "tailaudit";

    private final Process process;
    private final Path log;
    private final String realmUrl;

    private Keycloak(Process process, Path log, String realmUrl) {
        this.process = process;
        this.log = log;
        this.realmUrl = realmUrl;
    }

    /** Launches Keycloak (it is not ready yet: {@link #awaitReady}); its output goes to {@code log}. */
    public static Keycloak launch(String consoleUrl, String clientSecret, Path log) throws IOException {
        Path home = Path.of(System.getProperty("tailaudit.keycloak.home", "target/keycloak/keycloak-unknown"));
        assertThat(home.resolve("bin/kc.sh")).as("Keycloak's distribution (unpacked by the pom before the ITs)")
                .isRegularFile();
        // a realm is imported only where it does not exist yet: the database of an earlier run goes
        deleteTree(home.resolve("data"));
        Path imports = Files.createDirectories(home.resolve("data/import"));
        String realm;
        try (InputStream in = Keycloak.class.getResourceAsStream("/keycloak/tailaudit-realm.json")) {
            realm = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(imports.resolve("tailaudit-realm.json"),
                realm.replace("@CONSOLE@", consoleUrl).replace("@SECRET@", clientSecret));
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--import-realm")
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return new Keycloak(pb.start(), log, "http://127.0.0.1:" + port + "/realms/" + REALM);
    }

    /** Waits until the realm's discovery document answers; fails at once if Keycloak exits. */
    public void awaitReady(Duration atMost) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(ofSeconds(5)).build();
        await().atMost(atMost).pollInterval(ofSeconds(1)).untilAsserted(() -> {
            assertThat(process.isAlive()).as("Keycloak running (log %s)", log).isTrue();
            assertThat(status(http, realmUrl + "/.well-known/openid-configuration")).isEqualTo(200);
        });
    }

    /** The realm's address, {@code quarkus.oidc.auth-server-url}. */
    public String realmUrl() {
        return realmUrl;
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    private static int status(HttpClient http, String url) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A port free now on this machine. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
