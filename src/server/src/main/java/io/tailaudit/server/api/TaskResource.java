package io.tailaudit.server.api;

import io.tailaudit.server.analytics.TaskAnalytics;
import io.tailaudit.server.analytics.TaskListCache;
import io.tailaudit.server.analytics.TaskViews;
import io.tailaudit.server.rollup.RollupReader.Window;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.trace.TraceQueries;
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

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@Path("/api/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tasks", description = "Per-task tail analytics and verdicts, computed from rollups")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class TaskResource {

    static final Duration MAX_WINDOW = Duration.ofDays(400);
    private static final int MAX_WORST = 500;

    private final TaskAnalytics analytics;
    private final TaskListCache lists;
    private final TraceQueries traces;

    TaskResource(TaskAnalytics analytics, TaskListCache lists, TraceQueries traces) {
        this.analytics = analytics;
        this.lists = lists;
        this.traces = traces;
    }

    @GET
    @Operation(summary = "Every task with traces in the window and its verdict, flagged verdicts first",
            description = "Named windows are served from a list recomputed in the background every"
                    + " tailaudit.analytics.list-refresh (computed_at says when); from/to are computed on the request.")
    public TaskViews.TaskList list(
            @Parameter(description = "1h, 24h, 7d (default) or 30d, ending now; ignored when from/to are given")
            @QueryParam("window") String window,
            @Parameter(description = "explicit window start, RFC 3339") @QueryParam("from") String from,
            @Parameter(description = "explicit window end (exclusive), RFC 3339") @QueryParam("to") String to) {
        Requested r = window(window, from, to);
        return r.from() == null ? lists.get(r.name()) : analytics.list(r.name(), r.window(), r.from(), r.to());
    }

    @GET
    @Path("/{task}")
    @Operation(summary = "One task per deployment: volume, tokens and cost, failure rate, the worst-5% profile"
            + " with cohort lift, latency, escalation trend, break-even and the verdict with its evidence")
    public TaskViews.TaskDetail get(@PathParam("task") String task, @QueryParam("window") String window,
                                    @QueryParam("from") String from, @QueryParam("to") String to) {
        Requested r = window(window, from, to);
        return analytics.detail(task, r.name(), r.window(), r.from(), r.to()).orElseThrow(() ->
                new ResourceNotFoundException("task '" + task + "' has no traces between " + r.window().from()
                        + " and " + r.window().to()));
    }

    @GET
    @Path("/{task}/what-if")
    @Operation(summary = "What moving the task's busiest deployment would do, before anyone moves traffic",
            description = "Per action (move_to_cloud, move_to_local, route_over_8k_to_cloud; all three without"
                    + " action): tokens/day and cost/day on each side from the cost model, and the projected"
                    + " visible-failure rate with its 95% interval from what was measured (a canary of this task on"
                    + " the destination side, the cohort's own rate for the part that stays), or 'unmeasured' with"
                    + " the canary size that would decide it. An action that does not fit answers applicable=false"
                    + " and why.")
    public TaskViews.WhatIf whatIf(@PathParam("task") String task, @QueryParam("window") String window,
                                   @QueryParam("from") String from, @QueryParam("to") String to,
                                   @Parameter(description = "move_to_cloud, move_to_local or route_over_8k_to_cloud;"
                                           + " all three when absent") @QueryParam("action") String action) {
        Optional<String> a = Params.oneOf("action", action, TaskAnalytics.WHAT_IF_ACTIONS);
        Requested r = window(window, from, to);
        return analytics.whatIf(task, r.name(), r.window(), r.from(), r.to(), a).orElseThrow(() ->
                new ResourceNotFoundException("task '" + task + "' has no traces between " + r.window().from()
                        + " and " + r.window().to()));
    }

    @GET
    @Path("/{task}/worst")
    @Operation(summary = "The task's traces with the lowest effective quality in the window, worst first")
    public WorstTraces worst(@PathParam("task") String task, @QueryParam("window") String window,
                             @QueryParam("from") String from, @QueryParam("to") String to,
                             @Parameter(description = "1 to 500, default 50") @QueryParam("limit") String limit) {
        int n = Params.limit(limit, 50, MAX_WORST);
        Requested r = window(window, from, to);
        return new WorstTraces(task, r.window().from(), r.window().to(),
                traces.worst(task, r.window().from(), r.window().to(), n));
    }

    public record WorstTraces(String task, Instant from, Instant to, List<TraceQueries.Ranked> traces) {
    }

    record Requested(String name, Window window, Instant from, Instant to) {
    }

    private Requested window(String window, String from, String to) {
        Optional<Instant> f = Params.time("from", from);
        Optional<Instant> t = Params.time("to", to);
        if (f.isPresent() || t.isPresent()) {
            if (f.isEmpty() || t.isEmpty()) {
                throw new InvalidParameterException("from and to go together: give both, or a window");
            }
            if (!f.get().isBefore(t.get())) {
                throw new InvalidParameterException("from must be before to, got from=" + f.get() + " to=" + t.get());
            }
            if (Duration.between(f.get(), t.get()).compareTo(MAX_WINDOW) > 0) {
                throw new InvalidParameterException("a window spans at most " + MAX_WINDOW.toDays() + " days");
            }
            return new Requested("custom", Window.covering(f.get(), t.get()), f.get(), t.get());
        }
        String name = Params.oneOf("window", window, TaskListCache.WINDOWS.keySet()).orElse("7d");
        return new Requested(name, lists.window(name), null, null);
    }
}
