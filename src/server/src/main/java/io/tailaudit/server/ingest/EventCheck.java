package io.tailaudit.server.ingest;

import io.tailaudit.server.trace.PartitionManager;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.Optional;

/**
 * The contract check ingest applies to every record, for events built inside the server (the OTLP receiver)
 * that should be refused before they reach the topic rather than dead-lettered after it: same schema, same
 * bounds, same time window.
 */
@ApplicationScoped
public class EventCheck {

    /** Why an event breaks the contract: the dead-letter reason, the JSON path and the detail. */
    public record Violation(String reason, String path, String detail) {
        @Override
        public String toString() {
            return reason + " at " + path + ": " + detail;
        }
    }

    private final EventParser parser;

    EventCheck(IngestConfig config, PartitionManager partitions, Clock clock) {
        this.parser = new EventParser(new TextRedactor(config.maxTextChars()), clock, partitions.retention(),
                config.futureTolerance());
    }

    /** Empty when ingest would store {@code event}. */
    public Optional<Violation> violation(byte[] event) {
        return parser.parse(event) instanceof Rejection r
                ? Optional.of(new Violation(r.reason(), r.path(), r.detail())) : Optional.empty();
    }
}
