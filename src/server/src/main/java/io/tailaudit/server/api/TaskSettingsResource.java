package io.tailaudit.server.api;

import io.tailaudit.server.security.Roles;
import io.tailaudit.server.tail.TaskSettings;
import io.tailaudit.server.settings.TaskSettingsService;
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

@Path("/api/v1/tasks/{task}/settings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "task settings", description = "Per-task quality floor, latency budget, tail and verdict thresholds")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class TaskSettingsResource {

    private final TaskSettingsService settings;

    TaskSettingsResource(TaskSettingsService settings) {
        this.settings = settings;
    }

    @GET
    @Operation(summary = "The task's effective settings: its overrides over its category's defaults")
    public TaskSettings get(@PathParam("task") String task) {
        return settings.find(task).orElseThrow(() -> new ResourceNotFoundException("no task '" + task + "'"));
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change some settings; omitted fields stay, fields listed in reset return to the default")
    public TaskSettings put(@PathParam("task") String task, TaskSettings.Change change) {
        if (change == null) {
            throw new InvalidParameterException("a JSON body with the settings to change is required");
        }
        return settings.change(task, change);
    }
}
