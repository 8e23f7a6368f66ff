package io.tailaudit.server.api;

import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.alerts.AlertEvaluator;
import io.tailaudit.server.alerts.AlertRule;
import io.tailaudit.server.alerts.AlertStore;
import io.tailaudit.server.alerts.ChannelInput;
import io.tailaudit.server.alerts.RuleInput;
import io.tailaudit.server.alerts.TargetPolicy;
import io.tailaudit.server.db.StorageException;
import io.tailaudit.server.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

@Path("/api/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "alerts", description = "Alert rules, what fires, history, silences, channels and delivery status")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class AlertResource {

    private final AlertStore store;
    private final AlertEvaluator evaluator;
    private final SecurityIdentity identity;
    private final TargetPolicy targets;

    private final java.time.Clock clock;

    AlertResource(AlertStore store, AlertEvaluator evaluator, SecurityIdentity identity, TargetPolicy targets,
                  java.time.Clock clock) {
        this.clock = clock;
        this.store = store;
        this.evaluator = evaluator;
        this.identity = identity;
        this.targets = targets;
    }

    @GET
    @Operation(summary = "Alerts pending or firing now (one per rule and task), firing and most severe first")
    public List<AlertStore.Active> active() {
        return store.active();
    }

    @GET
    @Path("/history")
    @Operation(summary = "Firings, repeats and resolutions, newest first; page with before=<id of the last one>")
    public List<AlertStore.Event> history(@QueryParam("limit") String limit, @QueryParam("before") String before) {
        return store.history(Params.limit(limit, 100, 1000), before == null || before.isBlank() ? null
                : id("before", before));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/evaluate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Evaluate every rule now instead of at the next cycle (admin)")
    public AlertEvaluator.Cycle evaluate() {
        return evaluator.evaluate();
    }

    // ---- rules

    @GET
    @Path("/rules")
    @Operation(summary = "Every rule, defaults included")
    public List<AlertRule> rules() {
        return store.rules();
    }

    @GET
    @Path("/rules/{id}")
    @Operation(summary = "One rule")
    public AlertRule rule(@PathParam("id") String id) {
        return store.rule(id("id", id)).orElseThrow(() -> new ResourceNotFoundException("no rule " + id));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/rules")
    @Operation(summary = "Add a rule (admin); 400 with what is wrong, field by field")
    public Response addRule(RuleInput in) {
        check(in == null ? null : in.problems(), "a JSON body with the rule is required");
        return created(unique(() -> store.saveRule(null, in)));
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/rules/{id}")
    @Operation(summary = "Replace a rule (admin)")
    public AlertRule putRule(@PathParam("id") String id, RuleInput in) {
        long ruleId = id("id", id);
        rule(id);
        check(in == null ? null : in.problems(), "a JSON body with the rule is required");
        return unique(() -> store.saveRule(ruleId, in));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/rules/{id}")
    @Operation(summary = "Delete a rule (admin); its history stays")
    public Response deleteRule(@PathParam("id") String id) {
        return deleted(store.deleteRule(id("id", id)), "no rule " + id);
    }

    // ---- silences

    public record SilenceInput(Long ruleId, String task, Instant endsAt, Integer minutes, String comment) {
    }

    @GET
    @Path("/silences")
    @Operation(summary = "Silences that have not ended")
    public List<AlertStore.Silence> silences() {
        return store.silences();
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/silences")
    @Operation(summary = "Silence one rule, one task, or one rule for one task, until ends_at or for minutes (admin)")
    public Response silence(SilenceInput in) {
        if (in == null) {
            throw new InvalidParameterException(
                    "a JSON body with rule_id and/or task, and ends_at or minutes, is required");
        }
        if (in.ruleId() == null && (in.task() == null || in.task().isBlank())) {
            throw new InvalidParameterException("a silence names a rule_id, a task, or both");
        }
        if (in.ruleId() != null && store.rule(in.ruleId()).isEmpty()) {
            throw new InvalidParameterException("no rule " + in.ruleId());
        }
        Instant now = clock.instant();
        Instant ends;
        if (in.endsAt() != null) {
            ends = in.endsAt();
        } else if (in.minutes() != null && in.minutes() > 0 && in.minutes() <= 60 * 24 * 90) {
            ends = now.plus(Duration.ofMinutes(in.minutes()));
        } else {
            throw new InvalidParameterException("give ends_at, or minutes between 1 and 129600");
        }
        if (!ends.isAfter(now)) {
            throw new InvalidParameterException("ends_at must lie in the future, got " + ends);
        }
        String comment = in.comment() == null ? "" : in.comment().trim();
        AlertStore.Silence s = store.addSilence(in.ruleId(), in.task() == null || in.task().isBlank() ? null
                : in.task().trim(), ends, identity.getPrincipal().getName(), comment);
        return created(s);
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/silences/{id}")
    @Operation(summary = "End a silence now (admin)")
    public Response endSilence(@PathParam("id") String id) {
        return deleted(store.endSilence(id("id", id)), "no active silence " + id);
    }

    // ---- channels and deliveries

    @GET
    @Path("/channels")
    @Operation(summary = "Notification channels (secrets are never returned, only whether one is set; the URL"
            + " in full to admin only, to other roles its scheme and host, e.g. https://hooks.slack.com/...)")
    public List<AlertStore.Channel> channels() {
        List<AlertStore.Channel> channels = store.channels();
        return identity.hasRole(Roles.ADMIN) ? channels : channels.stream().map(AlertStore.Channel::masked).toList();
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/channels")
    @Operation(summary = "Add a channel: webhook (HMAC-signed), slack, pagerduty (secret = routing key),"
            + " alertmanager (admin)")
    public Response addChannel(ChannelInput in) {
        check(in == null ? null : in.problems(false, targets), "a JSON body with the channel is required");
        return created(unique(() -> store.saveChannel(null, in)));
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/channels/{id}")
    @Operation(summary = "Replace a channel; without a secret the stored one stays (admin)")
    public AlertStore.Channel putChannel(@PathParam("id") String id, ChannelInput in) {
        long channelId = id("id", id);
        if (store.channels().stream().noneMatch(c -> c.id() == channelId)) {
            throw new ResourceNotFoundException("no channel " + id);
        }
        check(in == null ? null : in.problems(true, targets), "a JSON body with the channel is required");
        return unique(() -> store.saveChannel(channelId, in));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/channels/{id}")
    @Operation(summary = "Delete a channel and its undelivered notifications (admin)")
    public Response deleteChannel(@PathParam("id") String id) {
        return deleted(store.deleteChannel(id("id", id)), "no channel " + id);
    }

    @GET
    @Path("/notifications")
    @Operation(summary = "The newest notifications with their delivery status: pending (with attempts and the"
            + " last error; to other roles than admin only its first words, e.g. HTTP 500), delivered, expired")
    public List<AlertStore.Delivery> notifications(@QueryParam("limit") String limit) {
        List<AlertStore.Delivery> deliveries = store.deliveries(Params.limit(limit, 100, 1000));
        return identity.hasRole(Roles.ADMIN) ? deliveries : deliveries.stream().map(AlertStore.Delivery::summarised).toList();
    }

    // ---- helpers

    /** 201 with what was stored. */
    private static Response created(Object stored) {
        return Response.status(Response.Status.CREATED).entity(stored).build();
    }

    /** 204 when there was one to delete, else 404 saying what is missing. */
    private static Response deleted(boolean found, String missing) {
        if (!found) {
            throw new ResourceNotFoundException(missing);
        }
        return Response.noContent().build();
    }

    private static long id(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name + " must be an integer id, got '" + value + "'");
        }
    }

    private static void check(Map<String, String> problems, String missing) {
        if (problems == null) {
            throw new InvalidParameterException(missing);
        }
        if (!problems.isEmpty()) {
            throw new InvalidParameterException(problems.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
    }

    /** A name already taken is the caller's mistake: a 400 that says so, not a 500. */
    private static <T> T unique(Supplier<T> save) {
        try {
            return save.get();
        } catch (StorageException e) {
            if (e.uniqueViolation()) {
                throw new InvalidParameterException("name: another one already has this name");
            }
            throw e;
        }
    }
}
