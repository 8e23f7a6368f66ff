package io.tailaudit.server.api;

import io.quarkus.security.identity.SecurityIdentity;
import io.tailaudit.server.index.IndexConfig;
import io.tailaudit.server.index.ScopeDriftJob;
import io.tailaudit.server.index.ScopeDrifts;
import io.tailaudit.server.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;

@Path("/api/v1/tasks/{task}/scope-reference")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
public class ScopeReferenceResource {

    private final ScopeDrifts drifts;
    private final ScopeDriftJob job;
    private final IndexConfig config;
    private final SecurityIdentity identity;

    ScopeReferenceResource(ScopeDrifts drifts, ScopeDriftJob job, IndexConfig config, SecurityIdentity identity) {
        this.drifts = drifts;
        this.job = job;
        this.config = config;
        this.identity = identity;
    }

    /** The window to pin (RFC 3339, read by the API's one time parser): its inputs become the task's reference. */
    public record Pin(String from, String to) {
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
    @Operation(summary = "The task's scope reference: its period, who pinned it (none: the first week) and its size")
    public ScopeDrifts.Reference get(@PathParam("task") String task) {
        return drifts.reference(task).orElseThrow(() -> new ResourceNotFoundException("task '" + task
                + "' has no scope reference yet: it gets one when its first week of traffic is over, or when one is"
                + " pinned"));
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Pin the task's scope reference to the inputs of [from, to) (admin); drift is measured"
            + " again against it at once")
    public ScopeDrifts.Reference pin(@PathParam("task") String task, Pin pin) {
        if (pin == null || pin.from() == null || pin.to() == null) {
            throw new InvalidParameterException("a JSON body with from and to (RFC 3339) is required");
        }
        Instant from = Params.time("from", pin.from()).orElseThrow(() ->
                new InvalidParameterException("from is required"));
        Instant to = Params.time("to", pin.to()).orElseThrow(() -> new InvalidParameterException("to is required"));
        if (!to.isAfter(from)) {
            throw new InvalidParameterException("to must lie after from");
        }
        if (Duration.between(from, to).compareTo(Duration.ofDays(90)) > 0) {
            throw new InvalidParameterException("a reference spans at most 90 days");
        }
        if (!config.enabled()) {
            throw new IndexUnavailableException("this replica has no index role (tailaudit.index.enabled=false);"
                    + " pin the reference on a replica with it");
        }
        ScopeDrifts.Reference r = job.pin(task, from, to, identity.getPrincipal().getName());
        if (r.texts() == 0) {
            throw new InvalidParameterException("task '" + task + "' has no input text between " + from + " and " + to);
        }
        job.refresh(task);
        return r;
    }
}
