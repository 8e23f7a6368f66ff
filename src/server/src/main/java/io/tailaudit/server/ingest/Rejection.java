package io.tailaudit.server.ingest;

/**
 * Why a record cannot be stored. {@code reason} is a stable machine-readable code (the DLQ's reason
 * header, the metric's label), {@code path} the JSON path of the first violation when there is one.
 */
record Rejection(String reason, String path, String detail) implements ParsedEvent {

    static final String MALFORMED_JSON = "malformed_json";
    static final String MISSING_REQUIRED_FIELD = "missing_required_field";
    static final String INVALID_ENUM_VALUE = "invalid_enum_value";
    static final String OUT_OF_RANGE = "out_of_range";
    static final String WRONG_TYPE = "wrong_type";
    static final String INVALID_FORMAT = "invalid_format";
    static final String UNSUPPORTED_SCHEMA = "unsupported_schema";
    static final String SCHEMA_VIOLATION = "schema_violation";
    static final String OCCURRED_AT_OUT_OF_RANGE = "occurred_at_out_of_range";
    static final String DUPLICATE_TRACE_ID_CONFLICT = "duplicate_trace_id_conflict";
    static final String STORAGE_REJECTED = "storage_rejected";

    Rejection {
        path = path == null ? "" : path;
        detail = detail == null ? "" : detail;
    }
}
