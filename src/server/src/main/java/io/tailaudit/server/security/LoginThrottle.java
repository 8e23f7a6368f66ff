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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Slows password guessing. A failed login is a login form post answered with the error page, or HTTP Basic
 * credentials answered with 401; requests without credentials are not counted. Once a key holds
 * {@code tailaudit.security.login-max-failures} failures within {@code login-failure-window}, its further
 * logins get 429 (with {@code Retry-After}) until its oldest failure leaves the window. The keys:
 * <ul>
 *     <li>a form login: the client address (the user name is in a body this filter does not read); a
 *     successful login does not clear it, so logging in as oneself between guesses at another account
 *     gains nothing;</li>
 *     <li>Basic credentials: the address and user name, cleared by that user's successful login, so one
 *     tenant's script with a stale password does not lock out the rest of its network; and the address
 *     alone, at five times the limit, so spraying many user names from one address is bounded too.</li>
 * </ul>
 * Attempts are counted when they arrive, not only when they are answered: while a key has failures in its
 * window, every attempt in flight counts as one, so a burst of parallel guesses is held to the limit as a
 * sequence would be; and no key may have more than {@link #MAX_IN_FLIGHT} attempts in flight at all. The
 * client address is the connection's, or the proxy's forwarded one when {@code quarkus.http.proxy.*} trusts
 * it. Memory is bounded: at most {@link #MAX_CLIENTS} keys are kept; when full, keys with nothing in their
 * window go first, then arbitrary ones (the address-wide key still bounds what an eviction could free).
 */
@ApplicationScoped
class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);
    static final int MAX_CLIENTS = 100_000;
    /** Unanswered login attempts one key may have at once, whatever its failures. */
    static final int MAX_IN_FLIGHT = 32;
    /** The address-wide Basic key's limit, as a multiple of the per-user one. */
    static final int ADDRESS_FACTOR = 5;
    /** After the path guard, before authentication. */
    private static final int PRIORITY = Integer.MAX_VALUE - 20;

    private final int maxFailures;
    private final Duration window;
    private final String postLocation;
    private final String errorPage;
    private final Clock clock;
    private final Map<String, Attempts> keys = new ConcurrentHashMap<>();

    /** One key's failures in the window (epoch millis, oldest first) and its attempts not answered yet. */
    private static final class Attempts {
        final Deque<Long> failures = new ArrayDeque<>();
        int inFlight;
    }

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

    private record Key(String name, int limit) {
    }

    private void filter(RoutingContext rc) {
        boolean formLogin = "POST".equals(rc.request().method().name()) && rc.normalizedPath().equals(postLocation);
        Optional<String> basicUser = basicUser(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (!formLogin && basicUser.isEmpty()) {
            rc.next();
            return;
        }
        String address = rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
        List<Key> counted = formLogin ? List.of(new Key("form|" + address, maxFailures))
                : List.of(new Key("basic|" + address + "|" + basicUser.get(), maxFailures),
                new Key("basic-address|" + address, maxFailures * ADDRESS_FACTOR));
        long retryAfter = admit(counted);
        if (retryAfter > 0) {
            LOG.debugf("login refused reason=too_many_failures client=%s retry_after_s=%d", address, retryAfter);
            rc.response().putHeader("Retry-After", Long.toString(retryAfter));
            HttpProblems.send(rc, 429, "Too Many Requests",
                    "too many failed logins from this client; try again in " + retryAfter + " s");
            return;
        }
        AtomicBoolean settled = new AtomicBoolean();
        Runnable answered = () -> {
            if (settled.compareAndSet(false, true)) {
                int status = rc.response().getStatusCode();
                String location = rc.response().headers().get(HttpHeaders.LOCATION);
                boolean failed = formLogin ? location != null && location.endsWith(errorPage) : status == 401;
                settle(counted, failed, !formLogin && !failed && status < 400);
            }
        };
        rc.addHeadersEndHandler(v -> answered.run());
        rc.addEndHandler(v -> answered.run());      // a connection closed before any answer still counts
        rc.next();
    }

    /**
     * Admits an attempt for every key or none: 0 when admitted (each key's attempt now counts as in flight),
     * else the seconds to wait.
     */
    private long admit(List<Key> counted) {
        long now = clock.millis();
        List<Attempts> taken = new ArrayList<>(counted.size());
        for (Key k : counted) {
            Attempts a = attempts(k.name());
            synchronized (a) {
                prune(a, now);
                // while a key has failures, an unanswered attempt counts as one: a burst is held as a sequence
                int pending = a.failures.isEmpty() ? 0 : a.inFlight;
                long wait;
                if (a.failures.size() >= k.limit()) {
                    wait = Math.max(1, (a.failures.peekFirst() + window.toMillis() - now + 999) / 1000);
                } else if (a.failures.size() + pending >= k.limit() || a.inFlight >= MAX_IN_FLIGHT) {
                    wait = 1;       // attempts in flight fill the limit: they are answered within a second
                } else {
                    wait = 0;
                }
                if (wait > 0) {
                    taken.forEach(this::release);
                    return wait;
                }
                a.inFlight++;
                taken.add(a);
            }
        }
        return 0;
    }

    private void settle(List<Key> counted, boolean failed, boolean clearUser) {
        long now = clock.millis();
        for (int i = 0; i < counted.size(); i++) {
            Attempts a = attempts(counted.get(i).name());
            synchronized (a) {
                a.inFlight = Math.max(0, a.inFlight - 1);
                prune(a, now);
                if (failed) {
                    a.failures.addLast(now);
                    while (a.failures.size() > counted.get(i).limit()) {
                        a.failures.removeFirst();
                    }
                } else if (clearUser && i == 0) {
                    a.failures.clear();       // that user proved the password: its own count starts again
                }
            }
        }
    }

    private void release(Attempts a) {
        synchronized (a) {
            a.inFlight = Math.max(0, a.inFlight - 1);
        }
    }

    private Attempts attempts(String key) {
        Attempts a = keys.get(key);
        if (a != null) {
            return a;
        }
        if (keys.size() >= MAX_CLIENTS) {
            evict();
        }
        return keys.computeIfAbsent(key, k -> new Attempts());
    }

    private void evict() {
        long now = clock.millis();
        keys.entrySet().removeIf(e -> {
            Attempts a = e.getValue();
            synchronized (a) {
                prune(a, now);
                return a.failures.isEmpty() && a.inFlight == 0;
            }
        });
        Iterator<String> any = keys.keySet().iterator();
        while (keys.size() >= MAX_CLIENTS && any.hasNext()) {
            any.next();
            any.remove();
        }
    }

    private void prune(Attempts a, long now) {
        while (!a.failures.isEmpty() && a.failures.peekFirst() <= now - window.toMillis()) {
            a.failures.removeFirst();
        }
    }

    /** Forgets every failure (tests that lock a client out release it again). */
    void clear() {
        keys.clear();
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
