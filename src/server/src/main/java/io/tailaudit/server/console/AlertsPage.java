package io.tailaudit.server.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.alerts.AlertRule;
import io.tailaudit.server.alerts.AlertStore;
import io.tailaudit.server.alerts.RuleInput;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The alerts page: what fires now, silences, the history, the rules, the channels and the delivery of
 * each notification. Everyone signed in may read it; {@code admin} may silence, end silences and switch
 * rules on or off (rules and channels in full through the API).
 */
@Path("/alerts")
@Produces(MediaType.TEXT_HTML)
public class AlertsPage {

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance alerts(ConsoleResource.Frame frame, List<AlertStore.Active> active,
                                              List<AlertStore.Silence> silences, List<AlertStore.Event> history,
                                              List<AlertRule> rules, List<AlertStore.Channel> channels,
                                              List<AlertStore.Delivery> deliveries, String error);
    }

    private final AlertStore store;
    private final SecurityIdentity identity;

    AlertsPage(AlertStore store, SecurityIdentity identity) {
        this.store = store;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({"viewer", "text-reader", "admin"})
    @Operation(hidden = true)
    public TemplateInstance get() throws SQLException {
        return page(null);
    }

    private TemplateInstance page(String error) throws SQLException {
        return Templates.alerts(ConsoleResource.Frame.of(identity, "Alerts", "alerts", null), store.active(),
                store.silences(), store.history(50, null), store.rules(), store.channels(), store.deliveries(30), error);
    }

    @POST
    @Path("/silences")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed("admin")
    @Operation(hidden = true)
    public Response silence(@FormParam("rule_id") String rule, @FormParam("task") String task,
                            @FormParam("minutes") String minutes, @FormParam("comment") String comment)
            throws SQLException {
        Long ruleId = null;
        int mins;
        try {
            ruleId = rule == null || rule.isBlank() ? null : Long.parseLong(rule.trim());
            mins = Integer.parseInt(minutes == null ? "" : minutes.trim());
        } catch (NumberFormatException e) {
            return Response.status(400).entity(page("Minutes must be a whole number, and the rule one of the list.")).build();
        }
        String t = ConsoleResource.blank(task);
        if (ruleId == null && t == null) {
            return Response.status(400).entity(page("A silence names a rule, a task, or both.")).build();
        }
        if (mins < 1 || mins > 60 * 24 * 90) {
            return Response.status(400).entity(page("Minutes must lie between 1 and 129600 (90 days).")).build();
        }
        if (ruleId != null && store.rule(ruleId).isEmpty()) {
            return Response.status(400).entity(page("There is no rule " + ruleId + ".")).build();
        }
        store.addSilence(ruleId, t, Instant.now().plus(Duration.ofMinutes(mins)), identity.getPrincipal().getName(),
                comment == null ? "" : comment.trim());
        return Response.seeOther(URI.create("/alerts")).build();
    }

    @POST
    @Path("/silences/{id}/end")
    @RolesAllowed("admin")
    @Operation(hidden = true)
    public Response endSilence(@PathParam("id") long id) throws SQLException {
        store.endSilence(id);
        return Response.seeOther(URI.create("/alerts")).build();
    }

    @POST
    @Path("/rules/{id}/toggle")
    @RolesAllowed("admin")
    @Operation(hidden = true)
    public Response toggle(@PathParam("id") long id) throws SQLException {
        AlertRule r = store.rule(id).orElse(null);
        if (r != null) {
            store.saveRule(id, new RuleInput(r.name(), r.metric().code, r.scope(), r.scopeValue(), r.threshold(),
                    r.window(), r.forSeconds(), r.hysteresis(), r.severity(), r.labels(), r.runbookUrl(),
                    r.repeatSeconds(), !r.enabled()));
        }
        return Response.seeOther(URI.create("/alerts")).build();
    }
}
