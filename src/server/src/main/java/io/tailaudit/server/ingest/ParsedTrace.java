package io.tailaudit.server.ingest;

import io.tailaudit.server.trace.TraceRow;

/** A record that parsed as a valid trace. */
record ParsedTrace(TraceRow row) implements ParsedEvent {
}
