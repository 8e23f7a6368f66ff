package io.tailaudit.server.embedded;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Starts the embedded PostgreSQL and Kafka before Quarkus, because the datasource, Flyway and the Kafka
 * clients read their addresses while Quarkus starts. With no profile given, the profile is
 * {@code embedded}; {@code tailaudit.embedded.enabled} (or {@code TAILAUDIT_EMBEDDED_ENABLED}) overrides
 * whether the platform is started, and the {@code prod} profile never starts it. The demo's users, session
 * key, traffic and loopback-only listener ({@link DemoAccess}) come with the platform, never without it.
 */
@QuarkusMain
public final class TailAuditMain {

    private static final Logger LOG = Logger.getLogger(TailAuditMain.class);
    private static final AtomicReference<EmbeddedPlatform> PLATFORM = new AtomicReference<>();
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private TailAuditMain() {
    }

    public static void main(String... args) throws Exception {
        String profile = setting("quarkus.profile", "QUARKUS_PROFILE", null);
        if (profile == null) {
            profile = "embedded";
            System.setProperty("quarkus.profile", profile);
        }
        boolean embedded = Boolean.parseBoolean(setting("tailaudit.embedded.enabled", "TAILAUDIT_EMBEDDED_ENABLED",
                String.valueOf(profile.equals("embedded"))));
        if (!embedded) {
            // before anything starts (the database, Flyway): a public key must not outlive the demo
            try {
                DemoAccess.refuseDemoKey(java.util.Optional.ofNullable(setting(DemoAccess.SESSION_KEY,
                        "QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY", null)), false);
            } catch (IllegalStateException e) {
                System.err.println("TailAudit refuses to start: " + e.getMessage());
                System.exit(2);
            }
            Quarkus.run(Console.class, args);
            return;
        }
        Path dataDirectory = Path.of(setting("tailaudit.embedded.data-dir", "TAILAUDIT_EMBEDDED_DATA_DIR", "data"));
        EmbeddedPlatform platform = EmbeddedPlatform.start(dataDirectory);
        platform.config().forEach(System::setProperty);
        // the demo's users, key, traffic and loopback listener, below every setting the user gives (DemoConfigSource)
        System.setProperty(DemoAccess.RUNNING, "true");
        PLATFORM.set(platform);
        // JVM hooks run concurrently: once Quarkus runs, its own hook stops the application and
        // EmbeddedPlatformStopper stops the platform last; this hook only waits for that, and stops the
        // platform itself when Quarkus never started (or took too long)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (STARTED.get() && PLATFORM.get() != null && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            stopPlatform();
        }, "tailaudit-embedded-shutdown"));
        try {
            Quarkus.run(Console.class, args);
        } finally {
            stopPlatform();
        }
    }

    /** Stops the embedded platform once; later calls do nothing. */
    static void stopPlatform() {
        EmbeddedPlatform platform = PLATFORM.getAndSet(null);
        if (platform != null) {
            platform.close();
        }
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Runs once Quarkus has started: prints where the console is, then waits for shutdown. */
    public static final class Console implements QuarkusApplication {
        @Override
        public int run(String... args) {
            STARTED.set(true);
            var config = ConfigProvider.getConfig();
            String host = config.getOptionalValue("tailaudit.console.public-url", String.class)
                    .orElseGet(() -> "http://localhost:" + config.getOptionalValue("quarkus.http.port", Integer.class)
                            .orElse(8080) + "/");
            LOG.infof("TailAudit console ready url=%s", host);
            System.out.println();
            System.out.println("  TailAudit console: " + host);
            System.out.println();
            Quarkus.waitForExit();
            return 0;
        }
    }
}
