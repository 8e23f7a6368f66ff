package io.tailaudit.server.api;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.index.ScopeDriftJob;
import io.tailaudit.server.index.TraceIndex;
import io.tailaudit.server.index.TraceSearch;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.trace.TraceFilter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Set;

@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "search", description = "Full-text search over the traces' redacted prompts and outputs")
public class SearchResource {

    /** The 403's detail: text search reads prompts and outputs. */
    static final String NEEDS_TEXT_READER = "searching trace text needs the text-reader role";
    private static final Set<String> ORDERS = Set.of("newest", "best");

    private final TraceSearch search;
    private final TraceIndex index;
    private final SecurityIdentity identity;
    private final ScopeDriftJob drift;

    SearchResource(TraceSearch search, TraceIndex index, SecurityIdentity identity, ScopeDriftJob drift) {
        this.drift = drift;
        this.search = search;
        this.index = index;
        this.identity = identity;
    }

    @GET
    @Path("/search")
    @RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
    @Operation(summary = "Search the traces' redacted input and output text (text-reader only)",
            description = "Lucene's classic query syntax over input and output (terms AND by default; \"phrases\","
                    + " OR, NOT, input:word, trailing wildcards, fuzzy~). A bad query answers 400 with the parser's"
                    + " message. At most 256 clauses; a wildcard expands to at most 128 terms; a search stops after"
                    + " tailaudit.index.search-timeout and says partial. Keyset-paginated with next_cursor.")
    public TraceSearch.Result search(
            @Parameter(description = "The query") @QueryParam("q") String q,
            @Parameter(description = "Task id") @QueryParam("task") String task,
            @Parameter(description = "local or cloud") @QueryParam("kind") String kind,
            @Parameter(description = "ok, error, timeout, refused or invalid_output") @QueryParam("status") String status,
            @Parameter(description = "Inclusive start, RFC 3339") @QueryParam("from") String from,
            @Parameter(description = "Exclusive end, RFC 3339") @QueryParam("to") String to,
            @Parameter(description = "newest (default) or best") @QueryParam("order") String order,
            @Parameter(description = "1 to 200, default 20") @QueryParam("limit") String limit,
            @Parameter(description = "next_cursor of the previous page") @QueryParam("cursor") String cursor) {
        if (!identity.hasRole(Roles.TEXT_READER)) {
            throw new ForbiddenException(NEEDS_TEXT_READER);
        }
        TraceSearch.Request r = new TraceSearch.Request(q, Params.text(task),
                Params.oneOf("kind", kind, TraceFilter.KINDS), Params.oneOf("status", status, TraceFilter.STATUSES),
                Params.time("from", from), Params.time("to", to),
                Params.oneOf("order", order, ORDERS).map(o -> TraceSearch.Order.valueOf(o.toUpperCase(
                        java.util.Locale.ROOT))).orElse(TraceSearch.Order.NEWEST),
                Params.limit(limit, 20, 200), Params.text(cursor));
        requireIndex();
        try {
            return search.search(r);
        } catch (TraceSearch.BadQuery e) {
            throw new InvalidParameterException(e.getMessage());
        }
    }

    @POST
    @Path("/index/rebuild")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Rebuild this replica's search index from PostgreSQL, in the background (admin); 202")
    public Response rebuild() {
        requireIndex();
        index.rebuildInBackground();
        return Response.accepted().build();
    }

    @POST
    @Path("/index/drift")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Measure every task's scope drift now rather than at the next refresh (admin); answers"
            + " what the refresh did and how long it took")
    public ScopeDriftJob.Refresh refreshDrift() {
        requireIndex();
        return drift.refresh();
    }

    private void requireIndex() {
        if (!index.available()) {
            throw new IndexUnavailableException("this replica has no search index (tailaudit.index.enabled=false);"
                    + " ask a replica with the index role");
        }
    }
}
