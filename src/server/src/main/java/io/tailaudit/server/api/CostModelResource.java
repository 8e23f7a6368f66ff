package io.tailaudit.server.api;

import io.tailaudit.server.security.Roles;
import io.tailaudit.server.tail.CostModel;
import io.tailaudit.server.cost.CostSettings;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/v1/cost-model")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "cost model", description = "Cloud price table and local GPU costs behind the cost comparison")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class CostModelResource {

    /** Mix of input tokens assumed where no task's own mix applies. */
    private static final String ANY_PROVIDER = "_";

    private final CostSettings settings;

    CostModelResource(CostSettings settings) {
        this.settings = settings;
    }

    /** The whole cost model and what it implies at an 80/20 input/output token mix. */
    public record View(List<CostSettings.Price> prices, CostSettings.Local local, double localMarginalPerMtok,
                       double localFixedPerDay, double referenceCloudPerMtok, Double breakEvenTokensPerDay) {
    }

    @GET
    @Operation(summary = "The price table, the local costs and the break-even they imply (80/20 token mix)")
    public View get() {
        CostModel m = settings.againstReference();
        var breakEven = m.breakEvenTokensPerDay(CostModel.DEFAULT_INPUT_SHARE);
        return new View(settings.prices(), settings.local(), m.localMarginalPerToken() * 1e6, m.localFixedPerDay(),
                m.cloudPerToken(CostModel.DEFAULT_INPUT_SHARE) * 1e6, breakEven.isPresent() ? breakEven.getAsDouble() : null);
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/prices/{provider}/{model}")
    @Operation(summary = "Set a model's price in $ per 1M tokens; provider '_' matches any provider")
    public CostSettings.Price putPrice(@PathParam("provider") String provider, @PathParam("model") String model,
                                       PriceBody body) {
        if (body == null) {
            throw new InvalidParameterException("a JSON body with input_per_mtok and output_per_mtok is required");
        }
        return settings.putPrice(new CostSettings.Price(provider(provider), model, body.inputPerMtok(), body.outputPerMtok()));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/prices/{provider}/{model}")
    @Operation(summary = "Remove a model's price")
    public void deletePrice(@PathParam("provider") String provider, @PathParam("model") String model) {
        if (!settings.deletePrice(provider(provider), model)) {
            throw new ResourceNotFoundException("no price for model '" + model + "' of provider '" + provider + "'");
        }
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/local")
    @Operation(summary = "Set the local GPU costs and the cloud model they are compared against")
    public CostSettings.Local putLocal(CostSettings.Local body) {
        if (body == null) {
            throw new InvalidParameterException("a JSON body with the local cost settings is required");
        }
        return settings.putLocal(body);
    }

    /** Price body: $ per 1M input and output tokens. */
    public record PriceBody(double inputPerMtok, double outputPerMtok) {
    }

    private static String provider(String p) {
        return ANY_PROVIDER.equals(p) ? "" : p;
    }

}
