package io.tailaudit.server.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.tailaudit.server.ingest.DeadLetterRepository;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** The console's overview: traces per task over the last 7 days and the dead-letter counts. */
@Path("/")
public class ConsoleResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance index(List<TaskVolume> tasks, long total, Map<String, Long> deadLetters,
                                             long deadLetterTotal, LocalDate from, LocalDate to);
    }

    private final TaskVolumes volumes;
    private final DeadLetterRepository deadLetters;
    private final Clock clock;

    ConsoleResource(TaskVolumes volumes, DeadLetterRepository deadLetters, Clock clock) {
        this.volumes = volumes;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public TemplateInstance index() throws SQLException {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate from = today.minusDays(6);
        List<TaskVolume> tasks = volumes.between(from, today);
        long total = tasks.stream().mapToLong(TaskVolume::traces).sum();
        Map<String, Long> dlq = deadLetters.countsByReason();
        long dlqTotal = dlq.values().stream().mapToLong(Long::longValue).sum();
        return Templates.index(tasks, total, dlq, dlqTotal, from, today);
    }
}
