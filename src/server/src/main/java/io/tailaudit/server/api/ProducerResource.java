package io.tailaudit.server.api;

import io.tailaudit.server.ingest.Producers;
import io.tailaudit.server.security.Roles;
import io.tailaudit.server.tail.Windows;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;

@Path("/api/v1/producers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "producers", description = "The reconciliation ledger: what each SDK client numbered, stored, dead-lettered and lost")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class ProducerResource {

    private final Producers producers;
    private final Clock clock;

    ProducerResource(Producers producers, Clock clock) {
        this.producers = producers;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Every producer seen in the window: expected, stored and dead-lettered events and the gaps",
            description = "expected is the producer's highest sequence number + 1 (its numbers start at 0 and count"
                    + " every record() call, dropped ones too); a gap is a range of numbers never stored nor"
                    + " dead-lettered, overdue once it has stayed open the grace period (tailaudit.ingest.ledger-grace)"
                    + " after it was first seen")
    public Producers.Ledger list(@Parameter(description = "1h, 24h, 7d (default) or 30d: producers last seen within it")
                                 @QueryParam("window") String window) {
        String w = Params.oneOf("window", window, Windows.LENGTHS.keySet()).orElse(Windows.DEFAULT);
        return producers.since(clock.instant().minus(Windows.LENGTHS.get(w)));
    }
}
