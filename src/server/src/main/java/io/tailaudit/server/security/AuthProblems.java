package io.tailaudit.server.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refusals of the HTTP layer as problems rather than empty bodies: 401 (no or wrong credentials on the API,
 * with its Basic challenge), 403 (a role the route does not admit) and 413 (a body over the size limit).
 * The console's own login challenge, a redirect to the login page, is left to the form mechanism.
 */
@ApplicationScoped
public class AuthProblems {

    static final String API_PREFIX = "/api/";
    /** The API's challenge, whichever layer refuses the request. */
    public static final String BASIC_CHALLENGE = "Basic realm=\"TailAudit\"";
    public static final String UNAUTHORIZED_DETAIL = "this endpoint needs HTTP Basic credentials of a console user";

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void failed(RoutingContext rc) {
        Throwable failure = rc.failure();
        boolean api = rc.normalizedPath().startsWith(API_PREFIX);
        if (OtlpTokenMechanism.PATH.equals(rc.normalizedPath())
                && (failure instanceof UnauthorizedException || failure instanceof AuthenticationFailedException)) {
            rc.response().putHeader("WWW-Authenticate", OtlpTokenMechanism.CHALLENGE);
            HttpProblems.send(rc, 401, "Unauthorized", OtlpTokenMechanism.UNAUTHORIZED_DETAIL);
        } else if (failure instanceof ForbiddenException) {
            HttpProblems.send(rc, 403, "Forbidden", "your roles do not allow " + rc.request().method() + " here");
        } else if (failure instanceof AuthenticationFailedException && rc.request().headers().contains("Authorization")
                || api && (failure instanceof UnauthorizedException || failure instanceof AuthenticationFailedException)) {
            rc.response().putHeader("WWW-Authenticate", BASIC_CHALLENGE);
            HttpProblems.send(rc, 401, "Unauthorized", UNAUTHORIZED_DETAIL);
        } else if (failure == null && rc.statusCode() == 413) {
            HttpProblems.send(rc, 413, "Content Too Large", "the request body is over the size limit");
        } else {
            rc.next();
        }
    }
}
