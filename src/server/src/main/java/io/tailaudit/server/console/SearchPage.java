package io.tailaudit.server.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.index.TraceIndex;
import io.tailaudit.server.index.TraceSearch;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.trace.TimeParameter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.Optional;

/**
 * The console's text search: the box on the traces page posts here; results link to the trace page. Only
 * text readers search (others see which role they lack); a bad query is shown beside the box.
 */
@Path("/search")
@Produces(MediaType.TEXT_HTML)
public class SearchPage {

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance search(ConsoleResource.Frame frame, String q, String task, String order,
                                              TraceSearch.Result result, String error, String next);
    }

    private final TraceSearch search;
    private final TraceIndex index;
    private final SecurityIdentity identity;

    SearchPage(TraceSearch search, TraceIndex index, SecurityIdentity identity) {
        this.search = search;
        this.index = index;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
    @Operation(hidden = true)
    public Response get(@QueryParam("q") String q, @QueryParam("task") String task, @QueryParam("order") String order,
                        @QueryParam("cursor") String cursor) {
        ConsoleResource.Frame frame = ConsoleResource.Frame.of(identity, "Search", "traces", null);
        String query = ConsoleResource.blank(q);
        String t = ConsoleResource.blank(task);
        String o = "best".equals(order) ? "best" : "newest";
        if (!identity.hasRole(Roles.TEXT_READER)) {
            return Response.status(403).entity(Templates.search(frame, query, t, o, null,
                    "Searching trace text needs the text-reader role.", null)).build();
        }
        if (query == null) {
            return Response.ok(Templates.search(frame, null, t, o, null, null, null)).build();
        }
        if (!index.available()) {
            return Response.status(503).entity(Templates.search(frame, query, t, o, null,
                    "This replica has no search index (tailaudit.index.enabled=false).", null)).build();
        }
        try {
            TraceSearch.Result r = search.search(new TraceSearch.Request(query, Optional.ofNullable(t), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), "best".equals(o) ? TraceSearch.Order.BEST
                    : TraceSearch.Order.NEWEST, 50, Optional.ofNullable(ConsoleResource.blank(cursor))));
            String next = r.nextCursor() == null ? null : "/search?q=" + Fmt.url(query) + (t == null ? ""
                    : "&task=" + Fmt.url(t)) + "&order=" + o + "&cursor=" + Fmt.url(r.nextCursor());
            return Response.ok(Templates.search(frame, query, t, o, r, null, next)).build();
        } catch (TraceSearch.BadQuery e) {
            return Forms.rejected(Templates.search(frame, query, t, o, null, e.getMessage(), null));
        }
    }
}
