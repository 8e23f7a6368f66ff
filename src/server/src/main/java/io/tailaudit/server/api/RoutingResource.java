package io.tailaudit.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tailaudit.server.analytics.TaskListCache;
import io.tailaudit.server.analytics.TaskViews;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.tail.Verdict;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Every task's current recommendation in a form a router can poll and apply: where its busiest deployment's
 * traffic should go, the cohort rule for HYBRID, whether the statistics decided it and whether a canary
 * confirmed it. Served from the background-refreshed task list; the ETag is computed over the
 * recommendations alone (not over {@code computed_at}), so a poll that finds nothing new gets a bodiless 304.
 */
@Path("/api/v1/routing")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "routing", description = "The verdicts as routes a gateway can apply")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class RoutingResource {

    /** The rule of a HYBRID route: the > 8k context cohort goes to the cloud. */
    static final String OVER_8K_RULE = "context_tokens > 8192 -> cloud";

    private final TaskListCache lists;
    private final ObjectMapper json;
    /** Per window, the routes and their tag of the list last served (the cache hands out the same instance). */
    private final java.util.Map<String, Table> tables = new java.util.concurrent.ConcurrentHashMap<>();

    private record Table(TaskViews.TaskList list, List<Route> routes, String tag) {
    }

    RoutingResource(TaskListCache lists, ObjectMapper json) {
        this.lists = lists;
        this.json = json;
    }

    /**
     * One task's route. {@code from} is the busiest deployment (the one the verdict reads); {@code to} where
     * its traffic should go for a move (null when it stays); {@code rule} which traffic moves:
     * {@code all -> cloud}, {@code all -> local}, {@value #OVER_8K_RULE}, or null when nothing moves.
     * {@code decided}: the interval excludes the threshold (not INSUFFICIENT_DATA); {@code confirmed}: the
     * canary on the destination side confirmed the move ({@code confirmation} gives its exact word).
     */
    public record Route(String task, Verdict.Kind verdict, TaskViews.DeploymentId from, TaskViews.DeploymentId to,
                        String rule, boolean decided, boolean confirmed, Verdict.Confirmation confirmation,
                        boolean alert, String evidence, String console) {
    }

    public record RoutingTable(String window, Instant computedAt, String etag, List<Route> routes) {
    }

    @GET
    @Operation(summary = "Every task's current recommendation as a route, with an ETag over the routes alone",
            description = "Poll with If-None-Match: 304 without a body while no route changed. Served from the"
                    + " task list recomputed every tailaudit.analytics.list-refresh (computed_at says when).")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "200",
            description = "the routes, with their ETag", content = @org.eclipse.microprofile.openapi.annotations.media.Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(
            implementation = RoutingTable.class)))
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "304",
            description = "If-None-Match named the current ETag: nothing changed, no body")
    public Response routing(
            @Parameter(description = "1h, 24h, 7d (default) or 30d, ending now") @QueryParam("window") String window,
            @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        String name = Params.oneOf("window", window, TaskListCache.WINDOWS.keySet()).orElse("7d");
        TaskViews.TaskList list = lists.get(name);
        Table table = tables.get(name);
        if (table == null || table.list() != list) {
            // once per refresh of the list, not per poll: a poll that finds nothing new only compares the tag
            List<Route> routes = list.tasks().stream().map(t -> route(t, name))
                    .sorted(java.util.Comparator.comparing(Route::task)).toList();
            table = new Table(list, routes, etag(name, routes));
            tables.put(name, table);
        }
        List<Route> routes = table.routes();
        String tag = table.tag();
        EntityTag entityTag = new EntityTag(tag);
        if (ifNoneMatch != null && matches(ifNoneMatch, tag)) {
            return Response.notModified(entityTag).build();
        }
        return Response.ok(new RoutingTable(name, list.computedAt(), tag, routes)).tag(entityTag).build();
    }

    static Route route(TaskViews.TaskSummary t, String window) {
        TaskViews.VerdictView v = t.verdict();
        String rule = switch (v.kind()) {
            case HYBRID -> OVER_8K_RULE;
            case MOVE_TO_CLOUD -> "all -> cloud";
            case MOVE_TO_LOCAL -> "all -> local";
            default -> null;
        };
        String task = URLEncoder.encode(t.task(), StandardCharsets.UTF_8).replace("+", "%20");
        return new Route(t.task(), v.kind(), t.deployment(), v.destination(), rule,
                v.kind() != Verdict.Kind.INSUFFICIENT_DATA, v.confirmation() == Verdict.Confirmation.CONFIRMED,
                v.confirmation(), v.alert(), "/api/v1/tasks/" + task + "?window=" + window,
                "/tasks/" + task + "?window=" + window);
    }

    /** SHA-256 over the window and the routes as JSON, first 128 bits in hex. */
    private String etag(String window, List<Route> routes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(window.getBytes(StandardCharsets.UTF_8));
            sha.update(json.writeValueAsBytes(routes));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("routing ETag", e);
        }
    }

    /** If-None-Match: {@code *} or a list of tags, weak or strong, one of them ours. */
    private static boolean matches(String header, String tag) {
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("W/")) {
                p = p.substring(2);
            }
            if (p.equals("*") || p.equals('"' + tag + '"')) {
                return true;
            }
        }
        return false;
    }
}
