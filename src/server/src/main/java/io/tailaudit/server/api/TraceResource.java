package io.tailaudit.server.api;

import io.tailaudit.server.security.Roles;
import io.tailaudit.server.trace.TraceCursor;
import io.tailaudit.server.trace.TraceFilter;
import io.tailaudit.server.trace.TracePage;
import io.tailaudit.server.trace.TraceQueries;
import io.tailaudit.server.trace.TraceSummary;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/traces")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "traces", description = "Stored inference traces")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class TraceResource {


    private final TraceQueries traces;

    TraceResource(TraceQueries traces) {
        this.traces = traces;
    }

    @GET
    @Operation(summary = "List traces, newest first",
            description = "Keyset-paginated: pass next_cursor from a page as cursor to get the next one. "
                    + "Prompt and output text are never included. Without task and from, only the traces of the"
                    + " last tailaudit.trace.default-list-window (7 days) before to (or now) are listed, and the page"
                    + " says from when in default_from.")
    public TracePageView list(
            @Parameter(description = "Task id") @QueryParam("task") String task,
            @Parameter(description = "local or cloud") @QueryParam("deployment_kind") String deploymentKind,
            @Parameter(description = "Model name") @QueryParam("model") String model,
            @Parameter(description = "ok, error, timeout, refused or invalid_output") @QueryParam("status") String status,
            @Parameter(description = "Only failures (status not ok, escalated, rated negative, invalid schema or quality under the floor)")
            @QueryParam("failures") boolean failures,
            @Parameter(description = "Inclusive start, RFC 3339; without it and without task, default_from applies") @QueryParam("from") String from,
            @Parameter(description = "Exclusive end, RFC 3339") @QueryParam("to") String to,
            @Parameter(description = "next_cursor of the previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "Page size, 1 to 500, default 50") @QueryParam("limit") String limit) {
        TraceFilter filter;
        try {
            filter = new TraceFilter(Params.text(task), Params.oneOf("deployment_kind", deploymentKind, TraceFilter.KINDS),
                    Params.text(model), Params.oneOf("status", status, TraceFilter.STATUSES), failures, Params.time("from", from),
                    Params.time("to", to), Params.text(cursor).map(TraceCursor::decode),
                    Params.limit(limit, 50, TraceFilter.MAX_LIMIT));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(e.getMessage());
        }
        TracePage page = traces.list(filter);
        return new TracePageView(page.items(), page.nextCursor().orElse(null), page.defaultFrom().orElse(null));
    }

    @GET
    @Path("/{traceId}")
    @Operation(summary = "One trace with the feedback applied to it or waiting for it")
    public TraceSummary get(@PathParam("traceId") String traceId) {
        return traces.get(traceId);
    }

    /**
     * The JSON shape of a page. {@code defaultFrom}: set when the request gave neither task nor from, the
     * lower bound that was applied instead; absent otherwise.
     */
    public record TracePageView(java.util.List<TraceSummary> items, String nextCursor, java.time.Instant defaultFrom) {
    }
}
