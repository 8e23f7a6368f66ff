package io.tailaudit.server.security;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A replica without the {@code api} role serves no console and no API: only health, metrics, with the
 * {@code ingest} role OTLP in, and with the {@code index} role the search surface that only an index replica
 * can answer (the search API and page with what the page needs to sign in, the index's admin endpoints, a
 * task's scope reference). Everything else is a 404 problem that names the setting, before authentication,
 * so an ingest-only replica exposes no login page and no read path at all.
 */
@ApplicationScoped
class ReplicaRoleGate {

    /** Right after {@link RequestGuard}, before authentication and routing. */
    private static final int PRIORITY = Integer.MAX_VALUE - 20;

    private static final java.util.Set<String> SEARCH_PAGES = java.util.Set.of("/search", "/login", "/logout",
            "/j_security_check", "/console.css", "/console.js");

    private final boolean api;
    private final boolean ingest;
    private final boolean index;

    ReplicaRoleGate(@ConfigProperty(name = "tailaudit.api.enabled", defaultValue = "true") boolean api,
                    @ConfigProperty(name = "tailaudit.ingest.enabled", defaultValue = "true") boolean ingest,
                    @ConfigProperty(name = "tailaudit.index.enabled", defaultValue = "true") boolean index) {
        this.api = api;
        this.ingest = ingest;
        this.index = index;
    }

    void register(@Observes Filters filters) {
        if (!api) {
            filters.register(this::gate, PRIORITY);
        }
    }

    private void gate(RoutingContext rc) {
        if (served(rc.normalizedPath(), ingest, index)) {
            rc.next();
        } else {
            HttpProblems.send(rc, 404, "Not Found", "this replica serves no console or API (tailaudit.roles has no"
                    + " api); it serves /q/health, /q/metrics" + (ingest ? ", " + OtlpTokenMechanism.PATH : "")
                    + (index ? ", search and the index's endpoints" : ""));
        }
    }

    /** What a replica without the api role answers. */
    static boolean served(String path, boolean ingest, boolean index) {
        return path.equals("/q/health") || path.startsWith("/q/health/") || path.equals("/q/metrics")
                || ingest && path.equals(OtlpTokenMechanism.PATH)
                || index && (SEARCH_PAGES.contains(path) || path.equals("/api/v1/search")
                || path.startsWith("/api/v1/index/") || path.startsWith("/api/v1/tasks/") && path.endsWith("/scope-reference"));
    }
}
