package io.tailaudit.server.embedded;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What only the embedded demo may have: three users whose password is their name, a session key that is in
 * the repository (so anyone can forge a session cookie with it), demo traffic, and a console reachable from
 * this machine only. {@link DemoConfigSource} supplies them, below every setting of the user's, once
 * {@link TailAuditMain} has started the embedded platform, and never otherwise; at start-up this bean refuses to run with the demo key when the embedded platform is not the
 * one running, naming the setting to change.
 */
@ApplicationScoped
class DemoAccess {

    /** Public, in the repository: good for a laptop demo, never for a server anyone else reaches. */
    static final String DEMO_SESSION_KEY = "tailaudit-embedded-demo-session-key-change-me";
    static final String SESSION_KEY = "quarkus.http.auth.session.encryption-key";
    /** The demo's OTLP ingest token, public like its users: OpenTelemetry exporters on this machine send it. */
    static final String DEMO_OTLP_TOKEN = "tailaudit-embedded-demo-otlp-token";
    /** Set by {@link TailAuditMain} when it started the embedded platform in this JVM. */
    static final String RUNNING = "tailaudit.embedded.running";

    /** The settings the embedded demo adds; any the user sets elsewhere wins ({@link DemoConfigSource}). */
    static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(RUNNING, "true");
        s.put(SESSION_KEY, DEMO_SESSION_KEY);
        s.put("tailaudit.demo.enabled", "true");
        s.put("tailaudit.otlp.token", DEMO_OTLP_TOKEN);
        // the demo's users and key are public: reachable from this machine only unless told otherwise
        s.put("quarkus.http.host", "127.0.0.1");
        user(s, "viewer", "viewer");
        user(s, "reader", "viewer,text-reader");
        user(s, "admin", "viewer,text-reader,admin");
        return s;
    }

    private static void user(Map<String, String> s, String name, String roles) {
        s.put("quarkus.security.users.embedded.users." + name, name);
        s.put("quarkus.security.users.embedded.roles." + name, roles);
    }

    private final Config config;

    DemoAccess(Config config) {
        this.config = config;
    }

    void check(@Observes StartupEvent event) {
        refuseDemoKey(config.getOptionalValue(SESSION_KEY, String.class),
                config.getOptionalValue(RUNNING, Boolean.class).orElse(false));
    }

    static void refuseDemoKey(Optional<String> key, boolean embeddedRunning) {
        if (!embeddedRunning && key.filter(DEMO_SESSION_KEY::equals).isPresent()) {
            throw new IllegalStateException(SESSION_KEY + " (QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY) is the public"
                    + " demo key from the repository, with which anyone can forge a session; it is only accepted"
                    + " while the embedded platform runs. Set a secret of 32 or more characters of your own,"
                    + " the same on every replica.");
        }
    }
}
