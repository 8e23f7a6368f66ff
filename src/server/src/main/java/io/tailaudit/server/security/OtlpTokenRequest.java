package io.tailaudit.server.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The bearer token an OTLP exporter sent to {@code /v1/traces}. */
final class OtlpTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    OtlpTokenRequest(String token) {
        this.token = token;
    }

    String token() {
        return token;
    }
}
