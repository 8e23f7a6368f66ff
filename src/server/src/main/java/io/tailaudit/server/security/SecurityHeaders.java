package io.tailaudit.server.security;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Locale;

/**
 * Headers every response carries: a Content-Security-Policy (own scripts and styles only, no framing),
 * {@code X-Frame-Options: DENY} for older browsers, {@code nosniff} and a same-origin referrer. A request
 * that arrived over TLS, directly or through a trusted proxy ({@code quarkus.http.proxy.*}), also gets
 * HSTS, and every cookie it sets (session, CSRF) is marked {@code Secure}.
 */
@ApplicationScoped
class SecurityHeaders {

    private static final int PRIORITY = Integer.MAX_VALUE - 5;

    private final String contentSecurityPolicy;

    SecurityHeaders(SecurityConfig config) {
        this.contentSecurityPolicy = config.contentSecurityPolicy();
    }

    void register(@Observes Filters filters) {
        filters.register(this::headers, PRIORITY);
    }

    private void headers(RoutingContext rc) {
        boolean tls = "https".equalsIgnoreCase(rc.request().scheme());
        rc.addHeadersEndHandler(v -> {
            var h = rc.response().headers();
            h.set("Content-Security-Policy", contentSecurityPolicy);
            h.set("X-Frame-Options", "DENY");
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "same-origin");
            if (tls) {
                h.set("Strict-Transport-Security", "max-age=31536000");
                List<String> cookies = h.getAll(HttpHeaders.SET_COOKIE);
                if (!cookies.isEmpty()) {
                    h.remove(HttpHeaders.SET_COOKIE);
                    for (String c : cookies) {
                        h.add(HttpHeaders.SET_COOKIE, c.toLowerCase(Locale.ROOT).contains("; secure") ? c : c + "; Secure");
                    }
                }
            }
        });
        rc.next();
    }
}
