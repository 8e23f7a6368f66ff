package io.tailaudit.server.security;

import io.quarkus.oidc.runtime.OidcConfig;
import io.quarkus.oidc.runtime.OidcTenantConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headers every response carries: a Content-Security-Policy (own scripts and styles only, no framing),
 * {@code X-Frame-Options: DENY} for older browsers, {@code nosniff} and a same-origin referrer. A request
 * that arrived over TLS, directly or through a trusted proxy ({@code quarkus.http.proxy.*}), also gets
 * HSTS, and every cookie it sets (session, CSRF) is marked {@code Secure}.
 * <p>
 * With OIDC on, the policy's {@code form-action} also admits the identity provider's origin: the console's
 * "Log out" is a form post that the OIDC logout answers with a redirect to the provider's end-session
 * endpoint, and browsers check {@code form-action} on every redirect after a form submission, so
 * {@code 'self'} alone stops the logout there and leaves the provider's session signed in.
 */
@ApplicationScoped
class SecurityHeaders {

    private static final int PRIORITY = Integer.MAX_VALUE - 5;

    private static final Pattern FORM_ACTION = Pattern.compile("(^|;)(\\s*form-action)([^;]*)");

    private final String contentSecurityPolicy;

    SecurityHeaders(SecurityConfig config, OidcConfig oidc) {
        OidcTenantConfig tenant = OidcConfig.getDefaultTenant(oidc);
        Optional<String> provider = tenant.tenantEnabled() ? tenant.authServerUrl().map(SecurityHeaders::origin)
                : Optional.empty();
        this.contentSecurityPolicy = provider.map(o -> allowFormAction(config.contentSecurityPolicy(), o))
                .orElse(config.contentSecurityPolicy());
    }

    /**
     * The policy with {@code origin} added to its {@code form-action} sources; a policy without that directive
     * restricts no form target and is returned as it is, and so is one whose only source is {@code 'none'}.
     */
    static String allowFormAction(String policy, String origin) {
        Matcher m = FORM_ACTION.matcher(policy);
        if (!m.find() || m.group(3).contains("'none'") || List.of(m.group(3).trim().split("\\s+")).contains(origin)) {
            return policy;
        }
        return policy.substring(0, m.end(3)).stripTrailing() + " " + origin + policy.substring(m.end(3));
    }

    /** {@code scheme://host[:port]} of an absolute URL, as a CSP source. */
    static String origin(String url) {
        URI uri = URI.create(url);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("quarkus.oidc.auth-server-url must be an absolute URL, got '" + url + "'");
        }
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
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
