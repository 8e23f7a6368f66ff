package io.tailaudit.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.tailaudit.server.db.DatabaseFailure;
import io.tailaudit.server.db.StorageException;
import io.tailaudit.server.security.AuthProblems;
import io.tailaudit.server.tail.InvalidSettingException;
import io.tailaudit.server.trace.TraceNotFoundException;
import jakarta.ws.rs.Priorities;
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
    /** Seconds a 503 asks clients to wait before they retry: twice the pool's acquisition timeout. */
    private static final String RETRY_AFTER_SECONDS = "10";

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

    /** A body Jackson could not read: malformed JSON, or a value of the wrong type for its field. */
    @ServerExceptionMapper
    RestResponse<Problem> json(JsonProcessingException e, UriInfo uri) {
        if (e.getProcessor() instanceof JsonGenerator) {
            // writing a response failed: ours, not the client's
            return unexpected(e, uri);
        }
        String detail = JsonProblems.detail(e);
        LOG.debugf("bad request body path=%s detail=%s", uri.getPath(), detail);
        return problem(Response.Status.BAD_REQUEST, detail, uri);
    }

    /** Ahead of Quarkus' own mapper of this type, which answers with an empty body outside dev mode. */
    @ServerExceptionMapper(priority = Priorities.USER - 100)
    RestResponse<Problem> mismatched(MismatchedInputException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> unauthorized(UnauthorizedException e, UriInfo uri) {
        Problem body = new Problem("about:blank", "Unauthorized", 401, AuthProblems.UNAUTHORIZED_DETAIL, uri.getPath());
        return RestResponse.ResponseBuilder.create(Response.Status.UNAUTHORIZED, body).type(PROBLEM_JSON)
                .header("WWW-Authenticate", AuthProblems.BASIC_CHALLENGE).build();
    }

    @ServerExceptionMapper
    RestResponse<Problem> forbidden(ForbiddenException e, UriInfo uri) {
        // a role check of our own names the role it needs; the framework's says nothing
        return problem(Response.Status.FORBIDDEN, SearchResource.NEEDS_TEXT_READER.equals(e.getMessage())
                ? e.getMessage() : "your roles do not allow this request", uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> noIndex(IndexUnavailableException e, UriInfo uri) {
        Problem body = new Problem("about:blank", Response.Status.SERVICE_UNAVAILABLE.getReasonPhrase(), 503,
                e.getMessage(), uri.getPath());
        return RestResponse.ResponseBuilder.create(Response.Status.SERVICE_UNAVAILABLE, body).type(PROBLEM_JSON)
                .build();
    }

    @ServerExceptionMapper
    RestResponse<Problem> web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json, uri);
        }
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

    /**
     * Storage that does not answer: a 503 with Retry-After when the database is down, unreachable or too
     * slow (the outage passes); a 500 when it refused the statement itself, which is a bug of ours.
     */
    @ServerExceptionMapper
    RestResponse<Problem> storage(StorageException e, UriInfo uri) {
        return unexpected(e, uri);
    }

    @ServerExceptionMapper
    RestResponse<Problem> unexpected(Exception e, UriInfo uri) {
        var database = DatabaseFailure.of(e);
        if (database.isPresent()) {
            return unavailable(database.get(), e, uri);
        }
        LOG.error("request failed path=" + uri.getPath(), e);
        return problem(Response.Status.INTERNAL_SERVER_ERROR, "The server could not complete the request.", uri);
    }

    /**
     * The database cannot answer now: a 503 with Retry-After, so clients and load balancers wait and retry
     * rather than report a bug. WARN without the stack: during an outage every request lands here.
     */
    private static RestResponse<Problem> unavailable(DatabaseFailure.Kind kind, Exception e, UriInfo uri) {
        LOG.warnf("database unavailable path=%s kind=%s sqlstate=%s", uri.getPath(), kind, DatabaseFailure.sqlState(e));
        String detail = kind == DatabaseFailure.Kind.TOO_SLOW
                ? "The database did not answer within the query timeout; narrow the query (a task, from/to) or retry later."
                : "The database is unavailable; retry later.";
        Problem body = new Problem("about:blank", Response.Status.SERVICE_UNAVAILABLE.getReasonPhrase(), 503, detail,
                uri == null ? null : uri.getPath());
        return RestResponse.ResponseBuilder.create(Response.Status.SERVICE_UNAVAILABLE, body).type(PROBLEM_JSON)
                .header("Retry-After", RETRY_AFTER_SECONDS).build();
    }

    static RestResponse<Problem> problem(Response.Status status, String detail, UriInfo uri) {
        Problem body = new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail,
                uri == null ? null : uri.getPath());
        return RestResponse.ResponseBuilder.create(status, body).type(PROBLEM_JSON).build();
    }
}
