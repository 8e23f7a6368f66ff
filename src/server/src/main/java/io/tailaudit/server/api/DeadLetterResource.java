package io.tailaudit.server.api;

import io.tailaudit.server.ingest.DeadLetter;
import io.tailaudit.server.ingest.DeadLetterRepository;
import io.tailaudit.server.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;

@Path("/api/v1/dlq")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "dead letters", description = "Records rejected by ingest, with the reason")
@RolesAllowed({Roles.VIEWER, Roles.TEXT_READER, Roles.ADMIN})
public class DeadLetterResource {

    private final DeadLetterRepository deadLetters;

    DeadLetterResource(DeadLetterRepository deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GET
    @Operation(summary = "Recent rejected records, newest first, with counts per reason",
            description = "Pass next_before from a page as before to get the next one. Payloads are not included.")
    public DeadLetterPage list(@Parameter(description = "Only this reason, e.g. missing_required_field")
                               @QueryParam("reason") String reason,
                               @Parameter(description = "Only ids below this one (keyset pagination)")
                               @QueryParam("before") String before,
                               @Parameter(description = "Page size, 1 to 500, default 50") @QueryParam("limit") String limit) {
        int size = Params.limit(limit, 50, 500);
        // a String, parsed here: a Long parameter that does not convert would be a bare 404
        List<DeadLetter> rows = deadLetters.recent(Params.text(reason), Params.id("before", before), size);
        List<Entry> items = rows.stream().map(Entry::of).toList();
        Long next = rows.size() == size ? rows.get(rows.size() - 1).id : null;
        return new DeadLetterPage(deadLetters.countsByReason(), items, next);
    }

    public record DeadLetterPage(Map<String, Long> countsByReason, List<Entry> items, Long nextBefore) {
    }

    public record Entry(long id, Instant receivedAt, String reason, String jsonPath, String detail, String sourceTopic,
                        int sourcePartition, long sourceOffset, String recordKey, int payloadBytes) {
        static Entry of(DeadLetter d) {
            return new Entry(d.id, d.receivedAt, d.reason, d.jsonPath, d.detail, d.sourceTopic, d.sourcePartition,
                    d.sourceOffset, d.recordKey, d.payloadBytes);
        }
    }
}
