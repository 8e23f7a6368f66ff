package io.tailaudit.server.security;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Locale;

/**
 * Refuses, before routing and before authentication, every request path that the path permissions and the
 * REST router could read differently: a {@code ;} (a matrix parameter: {@code /api;x/v1/traces} was routed to
 * {@code /api/v1/traces} while no path permission matched it), an encoded {@code ;}, {@code /}, {@code \} or
 * NUL, a backslash, an empty segment ({@code //}) and a dot segment ({@code /./}, {@code /../}). Browsers
 * and HTTP clients never send these for the console's or the API's own links; a task id that contains one of
 * these characters is still reached encoded ({@code %20}, {@code %C3%A9}...), only {@code ;} and {@code /}
 * cannot appear in a path segment. Also answers an over-long request target with 414 rather than letting it
 * reach a resource. Runs first of all filters.
 */
@ApplicationScoped
class RequestGuard {

    private static final Logger LOG = Logger.getLogger(RequestGuard.class);
    /** Longest request target (path and query) accepted, in characters; the HTTP codec's limit is above it. */
    static final int MAX_URI_CHARS = 8192;
    /** Runs before every other filter, and filters run before authentication and routing. */
    private static final int PRIORITY = Integer.MAX_VALUE - 10;

    void register(@Observes Filters filters) {
        filters.register(this::guard, PRIORITY);
    }

    private void guard(RoutingContext rc) {
        String uri = rc.request().uri();
        if (uri != null && uri.length() > MAX_URI_CHARS) {
            LOG.debugf("request refused reason=uri_too_long chars=%d", uri.length());
            HttpProblems.send(rc, 414, "URI Too Long",
                    "the request target is longer than " + MAX_URI_CHARS + " characters");
            return;
        }
        String why = refusal(rc.request().path());
        if (why != null) {
            LOG.debugf("request refused reason=path detail=%s", why);
            HttpProblems.send(rc, 400, "Bad Request", why);
            return;
        }
        rc.next();
    }

    /** Why a raw request path is refused, or null when it is acceptable. */
    static String refusal(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return "the request path must start with /";
        }
        if (path.indexOf(';') >= 0) {
            return "the request path may not carry parameters in a segment (';')";
        }
        if (path.indexOf('\\') >= 0) {
            return "the request path may not contain '\\'";
        }
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("%3b") || lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
            return "the request path may not contain an encoded ';', '/', '\\' or NUL";
        }
        if (path.length() > 1 && path.contains("//")) {
            return "the request path may not contain an empty segment ('//')";
        }
        for (String segment : path.split("/", -1)) {
            String s = segment.toLowerCase(Locale.ROOT);
            if (s.equals(".") || s.equals("..") || s.equals("%2e") || s.equals("%2e%2e") || s.equals(".%2e")
                    || s.equals("%2e.")) {
                return "the request path may not contain a dot segment ('.' or '..')";
            }
        }
        return null;
    }
}
