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

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The settings page: task settings, the price table and the local GPU costs. Everyone signed in may read
 * them; only {@code admin} may change them. A bad value re-shows the form with the error next to its field
 * and saves nothing.
 */
@Path("/settings")
@Produces(MediaType.TEXT_HTML)
public class SettingsPage {

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance settings(ConsoleResource.Frame frame, List<TaskSettings> tasks,
                                                TaskSettings selected, List<CostSettings.Price> prices,
                                                CostSettings.Local local, List<String> categories,
                                                Forms.FieldError error, Forms.Sent sent, String saved);
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
        return page(ConsoleResource.blank(task), null, Forms.Sent.NOTHING, ConsoleResource.blank(saved));
    }

    private TemplateInstance page(String task, Forms.FieldError error, Forms.Sent sent, String saved) {
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
        return Templates.settings(ConsoleResource.Frame.of(identity, "Settings", "settings", null), tasks, selected,
                costs.prices(), costs.local(), CATEGORIES, error, sent, saved);
    }

    @POST
    @Path("/tasks/{task}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response task(@PathParam("task") String task, @FormParam("category") String category,
                         @FormParam("quality_floor") String floor, @FormParam("latency_budget_ms") String budget,
                         @FormParam("tail_absorbable") List<String> absorbable,
                         @FormParam("tail_threshold") String threshold, @FormParam("store_text") List<String> storeText) {
        Forms.Sent sent = Forms.Sent.of("category", category, "quality_floor", floor, "latency_budget_ms", budget,
                "tail_threshold", threshold);
        try {
            settings.change(task, new TaskSettings.Change(ConsoleResource.blank(category),
                    Forms.number("quality_floor", floor), Forms.number("latency_budget_ms", budget),
                    Forms.checkbox(absorbable), null, Forms.number("tail_threshold", threshold),
                    Forms.checkbox(storeText),
                    Set.of()));
        } catch (InvalidSettingException e) {
            return rejected(task, new Forms.FieldError("task", e.field(), e.getMessage()), sent);
        }
        return Forms.saved("/settings?task=" + Fmt.url(task) + "&saved=task");
    }

    @POST
    @Path("/prices")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response price(@FormParam("provider") String provider, @FormParam("model") String model,
                          @FormParam("input_per_mtok") String in, @FormParam("output_per_mtok") String out) {
        Forms.Sent sent = Forms.Sent.of("provider", provider, "model", model, "input_per_mtok", in,
                "output_per_mtok", out);
        try {
            double input = Forms.required("input_per_mtok", in);
            double output = Forms.required("output_per_mtok", out);
            costs.putPrice(new CostSettings.Price(ConsoleResource.blank(provider), ConsoleResource.blank(model),
                    input, output));
        } catch (InvalidSettingException e) {
            return rejected(null, new Forms.FieldError("price", e.field(), e.getMessage()), sent);
        }
        return Forms.saved("/settings?saved=price");
    }

    @POST
    @Path("/local")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response local(@FormParam("gpu_hourly_usd") String hourly, @FormParam("gpus") String gpus,
                          @FormParam("throughput_tokens_per_s") String throughput,
                          @FormParam("monthly_fixed_usd") String fixed) {
        Forms.Sent sent = Forms.Sent.of("gpu_hourly_usd", hourly, "gpus", gpus, "throughput_tokens_per_s", throughput,
                "monthly_fixed_usd", fixed);
        try {
            CostSettings.Local now = costs.local();
            double g = Forms.required("gpus", gpus);
            if (g != Math.rint(g)) {
                throw new InvalidSettingException("gpus", "gpus must be a whole number, got " + gpus);
            }
            costs.putLocal(new CostSettings.Local(Forms.required("gpu_hourly_usd", hourly), (int) g,
                    Forms.required("throughput_tokens_per_s", throughput), Forms.required("monthly_fixed_usd", fixed),
                    now.referenceProvider(), now.referenceModel()));
        } catch (InvalidSettingException e) {
            return rejected(null, new Forms.FieldError("local", e.field(), e.getMessage()), sent);
        }
        return Forms.saved("/settings?saved=local");
    }

    private Response rejected(String task, Forms.FieldError error, Forms.Sent sent) {
        return Forms.rejected(page(task, error, sent, null));
    }
}
