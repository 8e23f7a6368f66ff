package io.tailaudit.server.security;

/**
 * The console's and the API's roles. Every JAX-RS endpoint names the ones it admits with
 * {@code @RolesAllowed} (unannotated endpoints are denied: {@code quarkus.security.jaxrs.deny-unannotated-endpoints}),
 * so no route depends on a path pattern alone.
 */
public final class Roles {

    /** Aggregates and trace metadata. */
    public static final String VIEWER = "viewer";
    /** Also prompt, output and rejected payload text. */
    public static final String TEXT_READER = "text-reader";
    /** Also settings, prices, alert rules, silences and channels. */
    public static final String ADMIN = "admin";
    /** An OTLP exporter holding the ingest token: writes spans to {@code /v1/traces}, reads nothing. */
    public static final String OTLP_WRITER = "otlp-writer";

    private Roles() {
    }
}
