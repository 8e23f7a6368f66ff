package io.tailaudit.server.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * Authenticates OTLP exporters on {@code /v1/traces} by the documented ingest token
 * ({@code Authorization: Bearer <tailaudit.otlp.token>}), and nothing else anywhere: on any other path it
 * does not take part, so it never shadows the console's or the API's own mechanisms. Selected for the path by
 * {@code quarkus.http.auth.permission.otlp.auth-mechanism=otlp-token}.
 */
@ApplicationScoped
public class OtlpTokenMechanism implements HttpAuthenticationMechanism {

    public static final String PATH = "/v1/traces";
    static final String SCHEME = "otlp-token";
    static final String CHALLENGE = "Bearer realm=\"tailaudit-otlp\"";
    static final String UNAUTHORIZED_DETAIL = "this endpoint needs the OTLP ingest token: Authorization: Bearer"
            + " <tailaudit.otlp.token>";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        if (!PATH.equals(context.normalizedPath())) {
            return Uni.createFrom().nullItem();
        }
        String header = context.request().getHeader("Authorization");
        if (header == null) {
            return Uni.createFrom().nullItem();
        }
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("not a bearer token"));
        }
        return identities.authenticate(new OtlpTokenRequest(header.substring(7).trim()));
    }

    /**
     * Its challenge only on its own path: elsewhere the console's and the API's mechanisms answer (a login
     * redirect, a Basic challenge), whatever order the mechanisms come in.
     */
    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return PATH.equals(context.normalizedPath())
                ? Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE))
                : Uni.createFrom().nullItem();
    }

    /** Consulted after every other mechanism: it never takes part off its path. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY - 900;
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(OtlpTokenRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, SCHEME));
    }
}
