package io.tailaudit.server.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * Gives an error that a filter answered without a body (the CSRF check's 400, a 405 or 415 decided before
 * any resource ran) the problem body every other error has.
 */
@Provider
public class ProblemBodies implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        if (status < 400 || response.hasEntity()) {
            return;
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        // a bodiless 400 on a form post is the CSRF check's (resources answer their own 400s with a detail)
        String detail = status == 400 && "POST".equals(request.getMethod())
                ? "the request was refused before it reached its page: for a console form, its CSRF token is"
                + " missing or does not match; reload the page and try again"
                : title;
        response.setEntity(new Problem("about:blank", title, status, detail, request.getUriInfo().getPath()),
                null, ProblemMapper.PROBLEM_JSON);
    }
}
