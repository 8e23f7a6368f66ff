package io.tailaudit.server.trace;

/** No trace with this id is stored (never sent, rejected, or past the retention). */
public final class TraceNotFoundException extends RuntimeException {

    public TraceNotFoundException(String traceId) {
        super("no trace with trace_id '" + traceId + "'");
    }
}
