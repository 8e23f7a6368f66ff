package io.tailaudit.server.security;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: a client that failed {@code tailaudit.security.login-max-failures} logins within
 * {@code login-failure-window} gets 429 (with {@code Retry-After}) for its further logins until its oldest
 * failure leaves the window. Failures are a login form post answered with the error page, or HTTP Basic
 * credentials answered with 401. Form logins count per client address (the user name is in a body this
 * filter does not read); Basic ones per address and user name, so one tenant's script with a stale password
 * does not lock out the rest of its network. Requests without credentials are not counted. The client
 * address is the connection's, or the proxy's forwarded one when {@code quarkus.http.proxy.*} trusts it.
 * Memory is bounded: at most {@link #MAX_CLIENTS} clients are tracked, the oldest dropped first.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);
    static final int MAX_CLIENTS = 100_000;
    /** After the path guard, before authentication. */
    private static final int PRIORITY = Integer.MAX_VALUE - 20;

    private final int maxFailures;
    private final Duration window;
    private final String postLocation;
    private final String errorPage;
    private final Clock clock;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    LoginThrottle(SecurityConfig config, Clock clock,
                  @ConfigProperty(name = "quarkus.http.auth.form.post-location", defaultValue = "/j_security_check")
                  String postLocation,
                  @ConfigProperty(name = "quarkus.http.auth.form.error-page", defaultValue = "/login?error=true")
                  String errorPage) {
        if (config.loginMaxFailures() < 1) {
            throw new IllegalArgumentException("tailaudit.security.login-max-failures must be >= 1, got "
                    + config.loginMaxFailures());
        }
        if (config.loginFailureWindow().isNegative() || config.loginFailureWindow().isZero()) {
            throw new IllegalArgumentException("tailaudit.security.login-failure-window must be positive, got "
                    + config.loginFailureWindow());
        }
        this.maxFailures = config.loginMaxFailures();
        this.window = config.loginFailureWindow();
        this.postLocation = postLocation;
        this.errorPage = errorPage;
        this.clock = clock;
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, PRIORITY);
    }

    private void filter(RoutingContext rc) {
        boolean formLogin = "POST".equals(rc.request().method().name()) && rc.normalizedPath().equals(postLocation);
        Optional<String> basicUser = basicUser(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (!formLogin && basicUser.isEmpty()) {
            rc.next();
            return;
        }
        String address = rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
        String key = formLogin ? "form|" + address : "basic|" + address + "|" + basicUser.get();
        long retryAfter = secondsLocked(key);
        if (retryAfter > 0) {
            LOG.debugf("login refused reason=too_many_failures client=%s retry_after_s=%d", address, retryAfter);
            rc.response().putHeader("Retry-After", Long.toString(retryAfter));
            HttpProblems.send(rc, 429, "Too Many Requests",
                    "too many failed logins from this client; try again in " + retryAfter + " s");
            return;
        }
        rc.addHeadersEndHandler(v -> {
            int status = rc.response().getStatusCode();
            String location = rc.response().headers().get(HttpHeaders.LOCATION);
            boolean failed = formLogin ? location != null && location.endsWith(errorPage) : status == 401;
            if (failed) {
                fail(key);
            } else if (status < 400) {
                failures.remove(key);
            }
        });
        rc.next();
    }

    /** Seconds the key must still wait, 0 when it may try. */
    long secondsLocked(String key) {
        Deque<Long> times = failures.get(key);
        if (times == null) {
            return 0;
        }
        long now = clock.millis();
        synchronized (times) {
            prune(times, now);
            if (times.size() < maxFailures) {
                return 0;
            }
            return Math.max(1, (times.peekFirst() + window.toMillis() - now + 999) / 1000);
        }
    }

    private void fail(String key) {
        if (failures.size() >= MAX_CLIENTS && !failures.containsKey(key)) {
            failures.keySet().stream().findFirst().ifPresent(failures::remove);
        }
        Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        long now = clock.millis();
        synchronized (times) {
            prune(times, now);
            times.addLast(now);
            while (times.size() > maxFailures) {
                times.removeFirst();
            }
        }
    }

    private void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - window.toMillis()) {
            times.removeFirst();
        }
    }

    /** Forgets every failure (tests that lock a client out release it again). */
    void clear() {
        failures.clear();
    }

    private static Optional<String> basicUser(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String user = colon < 0 ? decoded : decoded.substring(0, colon);
            return Optional.of(user.length() > 128 ? user.substring(0, 128) : user);
        } catch (IllegalArgumentException e) {
            return Optional.of("(malformed)");
        }
    }
}
