package io.tailaudit.server.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Checks an OTLP exporter's token against {@code tailaudit.otlp.token} in constant time. Without a
 * configured token nothing authenticates, so an unconfigured receiver never takes anonymous writes. The
 * identity holds only {@link Roles#OTLP_WRITER}: the token reads nothing.
 */
@ApplicationScoped
public class OtlpTokenIdentityProvider implements IdentityProvider<OtlpTokenRequest> {

    /** Shorter tokens are refused at start: an ingest token is a secret, not a password to remember. */
    static final int MIN_LENGTH = 16;

    private final byte[] token;

    OtlpTokenIdentityProvider(@ConfigProperty(name = "tailaudit.otlp.token") Optional<String> token) {
        if (token.isPresent() && token.get().strip().length() < MIN_LENGTH) {
            throw new IllegalArgumentException("tailaudit.otlp.token must be at least " + MIN_LENGTH + " characters");
        }
        this.token = token.map(t -> t.strip().getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @Override
    public Class<OtlpTokenRequest> getRequestType() {
        return OtlpTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(OtlpTokenRequest request, AuthenticationRequestContext context) {
        if (token == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("no tailaudit.otlp.token is configured"));
        }
        if (!MessageDigest.isEqual(token, request.token().getBytes(StandardCharsets.UTF_8))) {
            return Uni.createFrom().failure(new AuthenticationFailedException("wrong OTLP ingest token"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("otlp-exporter"))
                .addRole(Roles.OTLP_WRITER)
                .build());
    }
}
