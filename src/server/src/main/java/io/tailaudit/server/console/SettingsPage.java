package io.tailaudit.server.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.analytics.TaskListCache;
import io.tailaudit.server.analytics.TaskViews.TaskSummary;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.cost.CostSettings;
import io.tailaudit.server.tail.InvalidSettingException;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.settings.TaskSettingsService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The settings page: task settings, the price table and the local GPU costs. Everyone signed in may read
 * them; only {@code admin} may change them. A bad value re-shows the form with the error next to its field
 * and saves nothing.
 */
@Path("/settings")
@Produces(MediaType.TEXT_HTML)
public class SettingsPage {

    /** A field error to show next to the field. */
    public record FieldError(String form, String field, String message) {

        public boolean on(String f, String name) {
            return form.equals(f) && field.equals(name);
        }
    }

    /** What a form was sent with, to show again when it was rejected. */
    public record Sent(Map<String, String> values) {

        public String get(String key, Object fallback) {
            String v = values.get(key);
            return v != null ? v : fallback == null ? "" : String.valueOf(fallback);
        }
    }

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance settings(ConsoleResource.Frame frame, List<TaskSettings> tasks,
                                                TaskSettings selected, List<CostSettings.Price> prices,
                                                CostSettings.Local local, List<String> categories,
                                                FieldError error, Sent sent, String saved);
    }

    private static final List<String> CATEGORIES = List.of("autocomplete", "classification", "keyboard",
            "extraction", "long_context_qa", "agentic", "chat", "codebase_reasoning", "other");

    private final TaskSettingsService settings;
    private final TaskListCache lists;
    private final CostSettings costs;
    private final SecurityIdentity identity;

    SettingsPage(TaskSettingsService settings, TaskListCache lists, CostSettings costs, SecurityIdentity identity) {
        this.settings = settings;
        this.lists = lists;
        this.costs = costs;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
    @Operation(hidden = true)
    public TemplateInstance get(@QueryParam("task") String task, @QueryParam("saved") String saved) {
        return page(ConsoleResource.blank(task), null, new Sent(Map.of()), ConsoleResource.blank(saved));
    }

    private TemplateInstance page(String task, FieldError error, Sent sent, String saved) {
        List<TaskSettings> tasks = new ArrayList<>();
        for (TaskSummary t : lists.get("30d").tasks()) {
            tasks.add(settings.effective(t.task(), t.category()));
        }
        tasks.sort(java.util.Comparator.comparing(TaskSettings::task));
        TaskSettings selected = null;
        if (task != null) {
            selected = tasks.stream().filter(t -> t.task().equals(task)).findFirst()
                    .orElseGet(() -> settings.effective(task, null));
        }
        return Templates.settings(ConsoleResource.Frame.of(identity, "Settings", "settings", null), tasks, selected, costs.prices(), costs.local(), CATEGORIES, error, sent,
                saved);
    }

    @POST
    @Path("/tasks/{task}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response task(@PathParam("task") String task, @FormParam("category") String category,
                         @FormParam("quality_floor") String floor, @FormParam("latency_budget_ms") String budget,
                         @FormParam("tail_absorbable") String absorbable, @FormParam("tail_threshold") String threshold) {
        Sent sent = new Sent(values("category", category, "quality_floor", floor, "latency_budget_ms", budget,
                "tail_absorbable", absorbable, "tail_threshold", threshold));
        try {
            settings.change(task, new TaskSettings.Change(ConsoleResource.blank(category),
                    number("quality_floor", floor), number("latency_budget_ms", budget),
                    absorbable == null ? null : "true".equals(absorbable), null, number("tail_threshold", threshold),
                    Set.of()));
        } catch (InvalidSettingException e) {
            return rejected(task, new FieldError("task", e.field(), e.getMessage()), sent);
        }
        return saved("/settings?task=" + Fmt.url(task) + "&saved=task");
    }

    @POST
    @Path("/prices")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response price(@FormParam("provider") String provider, @FormParam("model") String model,
                          @FormParam("input_per_mtok") String in, @FormParam("output_per_mtok") String out) {
        Sent sent = new Sent(values("provider", provider, "model", model, "input_per_mtok", in, "output_per_mtok", out));
        try {
            Double input = required("input_per_mtok", in);
            Double output = required("output_per_mtok", out);
            costs.putPrice(new CostSettings.Price(ConsoleResource.blank(provider), ConsoleResource.blank(model),
                    input, output));
        } catch (InvalidSettingException e) {
            return rejected(null, new FieldError("price", e.field(), e.getMessage()), sent);
        }
        return saved("/settings?saved=price");
    }

    @POST
    @Path("/local")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response local(@FormParam("gpu_hourly_usd") String hourly, @FormParam("gpus") String gpus,
                          @FormParam("throughput_tokens_per_s") String throughput,
                          @FormParam("monthly_fixed_usd") String fixed) {
        Sent sent = new Sent(values("gpu_hourly_usd", hourly, "gpus", gpus, "throughput_tokens_per_s", throughput,
                "monthly_fixed_usd", fixed));
        try {
            CostSettings.Local now = costs.local();
            Double g = required("gpus", gpus);
            if (g != Math.rint(g)) {
                throw new InvalidSettingException("gpus", "gpus must be a whole number, got " + gpus);
            }
            costs.putLocal(new CostSettings.Local(required("gpu_hourly_usd", hourly), g.intValue(),
                    required("throughput_tokens_per_s", throughput), required("monthly_fixed_usd", fixed),
                    now.referenceProvider(), now.referenceModel()));
        } catch (InvalidSettingException e) {
            return rejected(null, new FieldError("local", e.field(), e.getMessage()), sent);
        }
        return saved("/settings?saved=local");
    }

    private Response rejected(String task, FieldError error, Sent sent) {
        return Response.status(Response.Status.BAD_REQUEST).entity(page(task, error, sent, null))
                .type(MediaType.TEXT_HTML).build();
    }

    private static Response saved(String location) {
        return Response.seeOther(URI.create(location)).build();
    }

    private static Map<String, String> values(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private static Double number(String field, String value) {
        String v = ConsoleResource.blank(value);
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(field, field + " must be a number, got '" + v + "'");
        }
    }

    private static Double required(String field, String value) {
        return Optional.ofNullable(number(field, value))
                .orElseThrow(() -> new InvalidSettingException(field, field + " is required"));
    }
}
