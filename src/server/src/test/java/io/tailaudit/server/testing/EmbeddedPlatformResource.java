package io.tailaudit.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tailaudit.server.embedded.EmbeddedPlatform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Starts a real PostgreSQL and a real Kafka broker for the test run, in a fresh directory under target/. */
public class EmbeddedPlatformResource implements QuarkusTestResourceLifecycleManager {

    private static volatile EmbeddedPlatform running;
    private EmbeddedPlatform platform;
    private Path dir;

    /** The platform the tests run against (outage tests stop and start its database). */
    public static EmbeddedPlatform platform() {
        return running;
    }

    @Override
    public Map<String, String> start() {
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            dir = Files.createTempDirectory(target.toAbsolutePath(), "test-platform-");
            platform = EmbeddedPlatform.start(dir);
            running = platform;
            // the JSON API asks for credentials: the tests call it as the demo admin unless they say otherwise
            io.restassured.RestAssured.authentication = io.restassured.RestAssured.preemptive().basic("admin", "admin");
            Map<String, String> config = new java.util.HashMap<>(platform.config());
            config.put("tailaudit.index.dir", dir.resolve("index").toString());
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (platform != null) {
            platform.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // target/ is cleaned by the next build anyway
            }
        }
    }
}
