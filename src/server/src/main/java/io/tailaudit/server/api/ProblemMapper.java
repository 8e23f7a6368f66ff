package io.tailaudit.server.api;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.tailaudit.server.tail.InvalidSettingException;
import io.tailaudit.server.trace.TraceNotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become responses: {@code application/problem+json}, with a detail that says what
 * is wrong for 4xx and nothing internal for 5xx. No stack traces, class names or SQL ever leave.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    static final MediaType PROBLEM_JSON = new MediaType("application", "problem+json");

    @ServerExceptionMapper
    RestResponse<Problem> invalid(InvalidParameterException e, UriInfo uri) {
        LOG.debugf("bad request path=%s detail=%s", uri.getPath(), e.getMessage());
        return problem(Response.Status.BAD_REQUEST, e.getMessage(), uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> invalidSetting(InvalidSettingException e, UriInfo uri) {
        LOG.debugf("bad setting path=%s field=%s detail=%s", uri.getPath(), e.field(), e.getMessage());
        return problem(Response.Status.BAD_REQUEST, e.getMessage(), uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> notFound(TraceNotFoundException e, UriInfo uri) {
        return problem(Response.Status.NOT_FOUND, e.getMessage(), uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> notFound(ResourceNotFoundException e, UriInfo uri) {
        return problem(Response.Status.NOT_FOUND, e.getMessage(), uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> unauthorized(UnauthorizedException e, UriInfo uri) {
        Problem body = new Problem("about:blank", "Unauthorized", 401,
                "this endpoint needs HTTP Basic credentials of a console user", uri.getPath());
        return RestResponse.ResponseBuilder.create(Response.Status.UNAUTHORIZED, body).type(PROBLEM_JSON)
                .header("WWW-Authenticate", "Basic realm=\"TailAudit\"").build();
    }

    @ServerExceptionMapper
    RestResponse<Problem> forbidden(ForbiddenException e, UriInfo uri) {
        return problem(Response.Status.FORBIDDEN, "your roles do not allow this request", uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> web(WebApplicationException e, UriInfo uri) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.error("request failed path=" + uri.getPath(), e);
            return problem(Response.Status.INTERNAL_SERVER_ERROR, "The server could not complete the request.", uri);
        }
        String detail = switch (status.getStatusCode()) {
            case 404 -> "no resource at " + uri.getPath();
            case 405 -> "method not allowed on " + uri.getPath();
            case 406 -> "the requested media type is not available";
            case 415 -> "unsupported media type";
            default -> status.getReasonPhrase();
        };
        return problem(Response.Status.fromStatusCode(status.getStatusCode()), detail, uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> unexpected(Exception e, UriInfo uri) {
        LOG.error("request failed path=" + uri.getPath(), e);
        return problem(Response.Status.INTERNAL_SERVER_ERROR, "The server could not complete the request.", uri);
    }

    static RestResponse<Problem> problem(Response.Status status, String detail, UriInfo uri) {
        Problem body = new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail,
                uri == null ? null : uri.getPath());
        return RestResponse.ResponseBuilder.create(status, body).type(PROBLEM_JSON).build();
    }
}
