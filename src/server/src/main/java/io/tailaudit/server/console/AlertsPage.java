package io.tailaudit.server.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.alerts.AlertRule;
import io.tailaudit.server.alerts.AlertStore;
import io.tailaudit.server.alerts.RuleInput;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.tail.InvalidSettingException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The alerts page: what fires now, silences, the history, the rules, the channels and the delivery of
 * each notification. Everyone signed in may read it; {@code admin} may silence, end silences, switch rules
 * on or off and change a rule's threshold, window, for and severity (rules and channels in full through the
 * API). Channel URLs and receivers' errors are shown in full to admin only.
 */
@Path("/alerts")
@Produces(MediaType.TEXT_HTML)
public class AlertsPage {

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance alerts(ConsoleResource.Frame frame, List<AlertStore.Active> active,
                                              List<AlertStore.Silence> silences, List<AlertStore.Event> history,
                                              List<AlertRule> rules, List<AlertStore.Channel> channels,
                                              List<AlertStore.Delivery> deliveries, String error,
                                              AlertRule selected, Forms.FieldError fieldError,
                                              Forms.Sent sent, String saved, List<String> windows,
                                              List<String> severities);
    }

    private static final List<String> WINDOWS = io.tailaudit.server.tail.Windows.NAMES;

    private final AlertStore store;
    private final SecurityIdentity identity;

    private final java.time.Clock clock;

    AlertsPage(AlertStore store, SecurityIdentity identity, java.time.Clock clock) {
        this.clock = clock;
        this.store = store;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
    @Operation(hidden = true)
    public TemplateInstance get(@QueryParam("rule") String rule, @QueryParam("saved") String saved) {
        AlertRule selected = null;
        if (rule != null && rule.matches("\\d{1,18}")) {
            selected = store.rule(Long.parseLong(rule)).orElse(null);
        }
        return page(null, selected, null, Forms.Sent.NOTHING, ConsoleResource.blank(saved));
    }

    private TemplateInstance page(String error) {
        return page(error, null, null, Forms.Sent.NOTHING, null);
    }

    private TemplateInstance page(String error, AlertRule selected, Forms.FieldError fieldError,
                                  Forms.Sent sent, String saved) {
        // channel URLs are credentials and receivers' answers may carry anything: in full to admin only
        boolean admin = identity.hasRole(Roles.ADMIN);
        List<AlertStore.Channel> channels = store.channels();
        List<AlertStore.Delivery> deliveries = store.deliveries(30);
        if (!admin) {
            channels = channels.stream().map(AlertStore.Channel::masked).toList();
            deliveries = deliveries.stream().map(AlertStore.Delivery::summarised).toList();
        }
        return Templates.alerts(ConsoleResource.Frame.of(identity, "Alerts", "alerts", null), store.active(),
                store.silences(), store.history(50, null), store.rules(), channels, deliveries, error,
                selected, fieldError, sent, saved, WINDOWS, AlertRule.SEVERITIES);
    }

    /**
     * Changes a rule's threshold, window, for, severity and whether it is on; the rest through the API. A
     * bad value is shown next to its field and nothing is saved.
     */
    @POST
    @Path("/rules/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response editRule(@PathParam("id") long id, @FormParam("threshold") String threshold,
                             @FormParam("window") String window, @FormParam("for_seconds") String forSeconds,
                             @FormParam("severity") String severity, @FormParam("enabled") String enabled) {
        AlertRule r = store.rule(id).orElse(null);
        if (r == null) {
            return Response.status(404).entity(page("There is no rule " + id + ".")).build();
        }
        Forms.Sent sent = Forms.Sent.of("threshold", threshold, "window", window, "for_seconds", forSeconds,
                "severity", severity);
        Double t;
        int f;
        try {
            t = Forms.number("threshold", threshold);
            f = Forms.whole("for_seconds", forSeconds, "seconds");
        } catch (InvalidSettingException e) {
            return rejected(r, e.field(), e.getMessage(), sent);
        }
        RuleInput in = RuleInput.changed(r, t, ConsoleResource.blank(window), f, ConsoleResource.blank(severity),
                "on".equals(enabled) || "true".equals(enabled));
        Map<String, String> problems = in.problems();
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            return rejected(r, first.getKey(), first.getKey() + ": " + first.getValue(), sent);
        }
        store.saveRule(id, in);
        return Forms.saved("/alerts?rule=" + id + "&saved=rule#rule-form");
    }

    private Response rejected(AlertRule r, String field, String message, Forms.Sent sent) {
        return Forms.rejected(page(null, r, new Forms.FieldError("rule", field, message), sent, null));
    }

    @POST
    @Path("/silences")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response silence(@FormParam("rule_id") String rule, @FormParam("task") String task,
                            @FormParam("minutes") String minutes, @FormParam("comment") String comment) {
        Long ruleId = null;
        int mins;
        try {
            ruleId = rule == null || rule.isBlank() ? null : Long.parseLong(rule.trim());
            mins = Integer.parseInt(minutes == null ? "" : minutes.trim());
        } catch (NumberFormatException e) {
            return Forms.rejected(page("Minutes must be a whole number, and the rule one of the list."));
        }
        String t = ConsoleResource.blank(task);
        if (ruleId == null && t == null) {
            return Forms.rejected(page("A silence names a rule, a task, or both."));
        }
        if (mins < 1 || mins > 60 * 24 * 90) {
            return Forms.rejected(page("Minutes must lie between 1 and 129600 (90 days)."));
        }
        if (ruleId != null && store.rule(ruleId).isEmpty()) {
            return Forms.rejected(page("There is no rule " + ruleId + "."));
        }
        store.addSilence(ruleId, t, clock.instant().plus(Duration.ofMinutes(mins)), identity.getPrincipal().getName(),
                comment == null ? "" : comment.trim());
        return Forms.saved("/alerts");
    }

    @POST
    @Path("/silences/{id}/end")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)   // a form, so the CSRF token is checked
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response endSilence(@PathParam("id") long id) {
        store.endSilence(id);
        return Forms.saved("/alerts");
    }

    @POST
    @Path("/rules/{id}/toggle")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)   // a form, so the CSRF token is checked
    @RolesAllowed(Roles.ADMIN)
    @Operation(hidden = true)
    public Response toggle(@PathParam("id") long id) {
        AlertRule r = store.rule(id).orElse(null);
        if (r != null) {
            store.saveRule(id, RuleInput.changed(r, r.threshold(), r.window(), r.forSeconds(), r.severity(),
                    !r.enabled()));
        }
        return Forms.saved("/alerts");
    }
}
