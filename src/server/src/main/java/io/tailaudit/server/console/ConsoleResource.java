package io.tailaudit.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.analytics.TaskAnalytics;
import io.tailaudit.server.trace.TaskServices;
import io.tailaudit.server.analytics.TaskListCache;
import io.tailaudit.server.analytics.TaskViews;
import io.tailaudit.server.analytics.TaskViews.DeploymentDetail;
import io.tailaudit.server.analytics.TaskViews.TaskDetail;
import io.tailaudit.server.analytics.TaskViews.TaskList;
import io.tailaudit.server.analytics.TaskViews.TaskSummary;
import io.tailaudit.server.ingest.DeadLetter;
import io.tailaudit.server.ingest.DeadLetterRepository;
import io.tailaudit.server.ingest.Producers;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.trace.TraceCursor;
import io.tailaudit.server.trace.TraceFilter;
import io.tailaudit.server.trace.TraceNotFoundException;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The console's read pages: the overview of every task, a task's page, trace lists, a trace, the dead
 * letters. Server-rendered with Qute; every choice (window, filters, sort, page) lives in the URL.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class ConsoleResource {

    static final List<String> WINDOWS = io.tailaudit.server.tail.Windows.NAMES;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What every page's frame shows: title, the current section, who is logged in and what they may do. */
    public record Frame(String title, String section, String user, boolean textReader, boolean admin, String window) {

        static Frame of(SecurityIdentity identity, String title, String section, String window) {
            return new Frame(title, section, identity.getPrincipal().getName(), identity.hasRole(Roles.TEXT_READER),
                    identity.hasRole(Roles.ADMIN), window);
        }
    }

    /** The overview's choices, as the URL holds them. */
    public record OverviewQuery(String window, String category, String kind, String verdict, String service, String sort,
                                String dir) {

        /** The overview URL with one choice changed. */
        public String with(String key, String value) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("window", window);
            m.put("category", category);
            m.put("kind", kind);
            m.put("verdict", verdict);
            m.put("service", service);
            m.put("sort", sort);
            m.put("dir", dir);
            m.put(key, value);
            StringBuilder sb = new StringBuilder("/?");
            m.forEach((k, v) -> {
                if (v != null && !v.isEmpty()) {
                    sb.append(k).append('=').append(Fmt.url(v)).append('&');
                }
            });
            return sb.substring(0, sb.length() - 1);
        }

        /** The URL that sorts by {@code column}: descending first, ascending on a second click. */
        public String sortBy(String column) {
            String nextDir = column.equals(sort) && "desc".equals(dir) ? "asc" : "desc";
            return new OverviewQuery(window, category, kind, verdict, service, column, nextDir).with("sort", column);
        }

        /** aria-sort of a column header. */
        public String ariaSort(String column) {
            return column.equals(sort) ? ("asc".equals(dir) ? "ascending" : "descending") : "none";
        }
    }

    /** A trace list's filters, as the URL holds them. */
    public record TraceQuery(String task, String kind, String status, boolean failures, String from, String to,
                             String tag) {

        public String next(String cursor) {
            StringBuilder sb = new StringBuilder("/traces?");
            add(sb, "task", task);
            add(sb, "kind", kind);
            add(sb, "status", status);
            add(sb, "failures", failures ? "true" : null);
            add(sb, "from", from);
            add(sb, "to", to);
            add(sb, "tag", tag);
            add(sb, "cursor", cursor);
            return sb.substring(0, sb.length() - 1);
        }

        private static void add(StringBuilder sb, String k, String v) {
            if (v != null && !v.isBlank()) {
                sb.append(k).append('=').append(Fmt.url(v)).append('&');
            }
        }
    }

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance overview(Frame frame, TaskList list, List<TaskSummary> rows, OverviewQuery q,
                                                Set<String> categories, Set<String> services, List<String> windows,
                                                int flagged);

        static native TemplateInstance task(Frame frame, TaskDetail t, String window, List<String> windows,
                                            DeploymentDetail top, String charts, String latencyText,
                                            TaskViews.WhatIf whatIf);

        static native TemplateInstance traces(Frame frame, TraceQuery q, List<TraceSummary> items, String next,
                                              String error, String bound);

        static native TemplateInstance worst(Frame frame, String task, String window, List<String> windows,
                                             List<TraceQueries.Ranked> items, Instant from, Instant to);

        static native TemplateInstance trace(Frame frame, TraceSummary t, TraceQueries.Text text,
                                             List<TraceSummary> chain);

        static native TemplateInstance dlq(Frame frame, List<DeadLetterRow> items, Map<String, Long> counts,
                                           Long next, String reason);

        static native TemplateInstance producers(Frame frame, Producers.Ledger ledger, String window,
                                                 List<String> windows);
    }

    private final TaskListCache lists;
    private final TaskAnalytics analytics;
    private final TraceQueries traces;
    private final DeadLetterRepository deadLetters;
    private final TaskServices services;
    private final SecurityIdentity identity;
    private final Producers producers;

    ConsoleResource(TaskListCache lists, TaskAnalytics analytics, TraceQueries traces, DeadLetterRepository deadLetters,
                    TaskServices services, SecurityIdentity identity, Producers producers) {
        this.producers = producers;
        this.lists = lists;
        this.analytics = analytics;
        this.traces = traces;
        this.deadLetters = deadLetters;
        this.services = services;
        this.identity = identity;
    }

    private Frame frame(String title, String section, String window) {
        return Frame.of(identity, title, section, window);
    }

    private static String window(String w) {
        if (w == null || w.isBlank()) {
            return "7d";
        }
        if (!WINDOWS.contains(w)) {
            throw new ConsoleBadRequest("Unknown window '" + w + "': choose one of " + String.join(", ", WINDOWS) + ".");
        }
        return w;
    }

    @GET
    @Operation(hidden = true)
    public TemplateInstance overview(@QueryParam("window") String window, @QueryParam("category") String category,
                                     @QueryParam("kind") String kind, @QueryParam("verdict") String verdict,
                                     @QueryParam("service") String service, @QueryParam("sort") String sort,
                                     @QueryParam("dir") String dir) {
        String w = window(window);
        TaskList list = lists.get(w);
        OverviewQuery q = new OverviewQuery(w, blank(category), blank(kind), blank(verdict), blank(service), blank(sort),
                "asc".equals(dir) ? "asc" : "desc");
        Set<String> categories = new TreeSet<>();
        list.tasks().forEach(t -> categories.add(t.category()));
        Map<String, Set<String>> byTask = services.since(list.window().from());
        Set<String> allServices = new TreeSet<>();
        list.tasks().forEach(t -> allServices.addAll(byTask.getOrDefault(t.task(), Set.of())));
        List<TaskSummary> rows = new ArrayList<>(list.tasks().stream()
                .filter(t -> q.category() == null || q.category().equals(t.category()))
                .filter(t -> q.kind() == null || t.deployments().stream().anyMatch(d -> q.kind().equals(d.kind())))
                .filter(t -> q.verdict() == null || q.verdict().equals(t.verdict().kind().name()))
                .filter(t -> q.service() == null || byTask.getOrDefault(t.task(), Set.of()).contains(q.service()))
                .toList());
        Comparator<TaskSummary> order = order(q.sort());
        if (order != null) {
            rows.sort("asc".equals(q.dir()) ? order : order.reversed());
        }
        int flagged = (int) list.tasks().stream().filter(t -> t.verdict().kind().rank() == 0).count();
        return Templates.overview(frame("Overview", "overview", w), list, rows, q, categories, allServices, WINDOWS,
                flagged);
    }

    private static Comparator<TaskSummary> order(String sort) {
        if (sort == null) {
            return null;  // the list's own order: flagged first
        }
        if (sort.equals("category") || sort.equals("deployment")) {
            Function<TaskSummary, String> text = sort.equals("category") ? TaskSummary::category
                    : t -> t.deployment().kind() + " " + t.deployment().model();
            return Comparator.comparing(text).thenComparing(TaskSummary::task, Comparator.reverseOrder());
        }
        Function<TaskSummary, Double> key = switch (sort) {
            case "task" -> null;
            case "traces" -> t -> (double) t.traces();
            case "visible" -> t -> t.visibleFailureRate().rate();
            case "worst5" -> t -> t.worst5VisibleFailureRate().rate();  // links from before the column showed "visible"
            case "escalation" -> t -> t.escalationRate().rate();
            case "cost" -> t -> t.costPerDay() == null ? -1 : t.costPerDay();
            case "tokens" -> TaskSummary::tokensPerDay;
            case "verdict" -> t -> (double) -t.verdict().kind().rank();
            default -> throw new ConsoleBadRequest("Unknown sort column '" + sort
                    + "': choose task, category, verdict, deployment, traces, tokens, visible, worst5, escalation"
                    + " or cost.");
        };
        if (key == null) {
            return Comparator.comparing(TaskSummary::task);
        }
        // ties by name, A to Z whichever way the column is sorted
        return Comparator.comparing(key).thenComparing(TaskSummary::task, Comparator.reverseOrder());
    }

    @GET
    @Path("tasks/{task}")
    @Operation(hidden = true)
    public TemplateInstance task(@PathParam("task") String task, @QueryParam("window") String window) {
        String w = window(window);
        var range = lists.window(w);  // once: the hour may turn between the reads below
        TaskAnalytics.TaskPage page = analytics.page(task, w, range).orElseThrow(() ->
                new ConsoleNotFound("Task '" + task + "' has no traces in the last " + w + "."));
        TaskDetail t = page.detail();
        DeploymentDetail top = t.deployments().get(0);
        List<TaskViews.LatencyPoint> latency = analytics.latencyOverTime(task, top.deployment(), range);
        TaskViews.WhatIf whatIf = page.whatIf();
        return Templates.task(frame(task, "overview", w), t, w, WINDOWS, top, charts(latency, top),
                latencyText(t, latency, top), whatIf);
    }

    /** The task page's chart data, as JSON for uPlot; the page shows the same figures as tables. */
    private String charts(List<TaskViews.LatencyPoint> latency, DeploymentDetail top) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("latency", Map.of(
                "t", latency.stream().map(p -> p.bucket().getEpochSecond()).toList(),
                "p50", latency.stream().map(TaskViews.LatencyPoint::p50Ms).toList(),
                "p95", latency.stream().map(TaskViews.LatencyPoint::p95Ms).toList(),
                "p99", latency.stream().map(TaskViews.LatencyPoint::p99Ms).toList(),
                "budget", top.latency().budgetMs()));
        out.put("quality", top.qualityHistogram());
        out.put("cut", top.worst5().cutQuality());
        TaskViews.CostCurve curve = analytics.costCurve(top);
        out.put("tokens", curve.tokensPerDay());
        out.put("local", curve.localPerDay());
        out.put("cloud", curve.cloudPerDay());
        out.put("current", curve.current());
        out.put("breakEven", curve.breakEven());
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The latency chart's text equivalent. */
    static String latencyText(TaskDetail t, List<TaskViews.LatencyPoint> latency, DeploymentDetail top) {
        List<TaskViews.LatencyPoint> points = latency.stream().filter(p -> p.p95Ms() != null).toList();
        if (points.isEmpty()) {
            return "No folded hours yet.";
        }
        String unit = t.window().days() > 7 ? "days" : "hours";
        double budget = top.latency().budgetMs();
        long over = points.stream().filter(p -> p.p95Ms() > budget).count();
        double lo = points.stream().mapToDouble(TaskViews.LatencyPoint::p95Ms).min().orElse(0);
        double hi = points.stream().mapToDouble(TaskViews.LatencyPoint::p95Ms).max().orElse(0);
        return "Over " + points.size() + " " + unit + ", p95 latency ranged from " + Fmt.ms(lo) + " to " + Fmt.ms(hi)
                + "; " + over + " of them had a p95 above the " + Fmt.ms(budget) + " budget.";
    }

    @GET
    @Path("tasks/{task}/worst")
    @Operation(hidden = true)
    public TemplateInstance worst(@PathParam("task") String task, @QueryParam("window") String window) {
        String w = window(window);
        var range = lists.window(w);
        return Templates.worst(frame("Worst traces · " + task, "traces", w), task, w, WINDOWS,
                traces.worst(task, range.from(), range.to(), 50), range.from(), range.to());
    }

    @GET
    @Path("traces")
    @Operation(hidden = true)
    public TemplateInstance traces(@QueryParam("task") String task, @QueryParam("kind") String kind,
                                   @QueryParam("status") String status, @QueryParam("failures") boolean failures,
                                   @QueryParam("from") String from, @QueryParam("to") String to,
                                   @QueryParam("tag") String tag, @QueryParam("cursor") String cursor) {
        TraceQuery q = new TraceQuery(blank(task), blank(kind), blank(status), failures, blank(from), blank(to),
                blank(tag));
        Frame f = frame("Traces", "traces", null);
        TraceFilter filter;
        Optional<String[]> tagFilter;
        try {
            tagFilter = Optional.ofNullable(q.tag()).map(ConsoleResource::tag);
            filter = new TraceFilter(Optional.ofNullable(q.task()), oneOf("deployment", q.kind(), TraceFilter.KINDS),
                    Optional.empty(), oneOf("status", q.status(), TraceFilter.STATUSES),
                    failures, time("from", q.from()), time("to", q.to()),
                    Optional.ofNullable(blank(cursor)).map(TraceCursor::decode), 50);
        } catch (IllegalArgumentException e) {
            return Templates.traces(f, q, List.of(), null, e.getMessage(), null);
        }
        // a tag filter reads pages until 50 matches or 20 pages: tags are not indexed
        TracePage p = tagFilter.isEmpty() ? traces.list(filter)
                : traces.listTagged(filter, tagFilter.get()[0], tagFilter.get()[1], 20);
        List<TraceSummary> items = p.items();
        Optional<String> next = p.nextCursor();
        String bound = p.defaultFrom().map(Fmt::utc).orElse(null);
        return Templates.traces(f, q, items, next.map(q::next).orElse(null), null, bound);
    }

    private static String[] tag(String tag) {
        int eq = tag.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("Tag filter must look like key=value, got '" + tag + "'.");
        }
        return new String[] {tag.substring(0, eq), tag.substring(eq + 1)};
    }

    private static Optional<String> oneOf(String name, String value, Set<String> allowed) {
        if (value == null) {
            return Optional.empty();
        }
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException("Unknown " + name + " '" + value + "': choose one of "
                    + String.join(", ", new TreeSet<>(allowed)) + ".");
        }
        return Optional.of(value);
    }

    private static Optional<Instant> time(String name, String value) {
        return io.tailaudit.server.trace.TimeParameter.parse("'" + name + "'", value);
    }

    @GET
    @Path("traces/{id}")
    @Operation(hidden = true)
    public TemplateInstance trace(@PathParam("id") String id) {
        TraceSummary t;
        try {
            t = traces.get(id);
        } catch (TraceNotFoundException e) {
            throw new ConsoleNotFound("No trace with id '" + id + "'.");
        }
        TraceQueries.Text text = identity.hasRole(Roles.TEXT_READER) ? traces.text(id) : null;
        return Templates.trace(frame("Trace " + id, "traces", null), t, text, traces.chain(t));
    }

    @GET
    @Path("dlq")
    @Operation(hidden = true)
    public TemplateInstance dlq(@QueryParam("reason") String reason, @QueryParam("before") String before) {
        Optional<Long> beforeId;
        try {
            beforeId = Optional.ofNullable(blank(before)).map(Long::parseLong);
        } catch (NumberFormatException e) {
            throw new ConsoleBadRequest("before must be the id of a dead letter (an integer)");
        }
        List<DeadLetter> rows = deadLetters.recent(Optional.ofNullable(blank(reason)), beforeId, 50);
        Long next = rows.size() == 50 ? rows.get(rows.size() - 1).id : null;
        // the preview is payload text: the same rule as a trace's prompt and output
        boolean textReader = identity.hasRole(Roles.TEXT_READER);
        List<DeadLetterRow> items = rows.stream().map(d -> DeadLetterRow.of(d, textReader)).toList();
        return Templates.dlq(frame("Dead letters", "dlq", null), items, deadLetters.countsByReason(), next,
                blank(reason));
    }

    @GET
    @Path("producers")
    @Operation(hidden = true)
    public TemplateInstance producers(@QueryParam("window") String w) {
        String name = window(w);
        return Templates.producers(frame("Producers", "producers", name),
                producers.since(Instant.now().minus(io.tailaudit.server.tail.Windows.LENGTHS.get(name))), name, WINDOWS);
    }

    static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** A bad choice in a console URL: shown as a 400 page that says what is wrong. */
    public static final class ConsoleBadRequest extends RuntimeException {
        public ConsoleBadRequest(String message) {
            super(message);
        }
    }

    /** Nothing at a console URL: shown as a 404 page that says what is missing. */
    public static final class ConsoleNotFound extends RuntimeException {
        public ConsoleNotFound(String message) {
            super(message);
        }
    }
}
