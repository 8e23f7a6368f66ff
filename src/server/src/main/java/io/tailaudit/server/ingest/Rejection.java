package io.tailaudit.server.ingest;

/**
 * Why a record cannot be stored. {@code reason} is a stable machine-readable code (the DLQ's reason
 * header, the metric's label), {@code path} the JSON path of the first violation when there is one.
 * Both path and detail are cut to a bounded length: a path can name a hostile tag key of any size, and
 * they travel as DLQ headers and dead_letter columns.
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

    static final int MAX_PATH_CHARS = 512;
    static final int MAX_DETAIL_CHARS = 1024;

    Rejection {
        // PostgreSQL text cannot hold NUL, and a path can quote a tag key that has one
        path = cut(path == null ? "" : path.replace("\u0000", ""), MAX_PATH_CHARS);
        detail = cut(detail == null ? "" : detail.replace("\u0000", ""), MAX_DETAIL_CHARS);
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        // never split a surrogate pair: the header and the column must stay valid UTF-8
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 2 : max - 1;
        return s.substring(0, end) + "\u2026";
    }
}
