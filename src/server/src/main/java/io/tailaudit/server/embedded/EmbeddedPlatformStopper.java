package io.tailaudit.server.embedded;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Stops the embedded broker and database as the last shutdown step: observers with a lower priority (the
 * ingest loop, the demo generator) have finished with them by then. On Ctrl-C the JVM's exit never lets
 * {@code Quarkus.run} return, so this, not the main method, is what normally stops them.
 */
@ApplicationScoped
class EmbeddedPlatformStopper {

    void onStop(@Observes @Priority(100_000) ShutdownEvent event) {
        TailAuditMain.stopPlatform();
    }
}
