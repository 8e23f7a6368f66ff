package io.tailaudit.server.security;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A replica without the {@code api} role serves no console and no API: only health, metrics and, with the
 * {@code ingest} role, OTLP in. Everything else is a 404 problem that names the setting, before
 * authentication, so an ingest-only replica exposes no login page and no read path at all.
 */
@ApplicationScoped
class ReplicaRoleGate {

    /** Right after {@link RequestGuard}, before authentication and routing. */
    private static final int PRIORITY = Integer.MAX_VALUE - 20;

    private final boolean api;
    private final boolean ingest;

    ReplicaRoleGate(@ConfigProperty(name = "tailaudit.api.enabled", defaultValue = "true") boolean api,
                    @ConfigProperty(name = "tailaudit.ingest.enabled", defaultValue = "true") boolean ingest) {
        this.api = api;
        this.ingest = ingest;
    }

    void register(@Observes Filters filters) {
        if (!api) {
            filters.register(this::gate, PRIORITY);
        }
    }

    private void gate(RoutingContext rc) {
        if (served(rc.normalizedPath(), ingest)) {
            rc.next();
        } else {
            HttpProblems.send(rc, 404, "Not Found", "this replica serves no console or API (tailaudit.roles has no"
                    + " api); it serves /q/health, /q/metrics" + (ingest ? " and " + OtlpTokenMechanism.PATH : ""));
        }
    }

    /** What a replica without the api role answers. */
    static boolean served(String path, boolean ingest) {
        return path.equals("/q/health") || path.startsWith("/q/health/") || path.equals("/q/metrics")
                || ingest && path.equals(OtlpTokenMechanism.PATH);
    }
}
