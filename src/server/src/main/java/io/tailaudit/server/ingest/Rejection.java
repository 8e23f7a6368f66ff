package io.tailaudit.server.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.util.regex.Pattern;

/**
 * Why a record cannot be stored. {@code reason} is a stable machine-readable code (the DLQ's reason
 * header, the metric's label), {@code path} the JSON path of the first violation when there is one.
 *
 * <p>{@code path} and {@code detail} are shown to every role and published as DLQ headers, yet are built
 * from parser messages that may quote the payload: a JSON path names the producer's own keys (tag names),
 * a Jackson message quotes the offending token. So both are redacted here, by construction, whoever builds
 * the rejection, and bounded in length; {@link #malformedJson} drops the quoted token altogether.
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

    static final int MAX_PATH_CHARS = 256;
    static final int MAX_DETAIL_CHARS = 512;

    /** A quoted run of two or more characters that is not one of JSON's literals: payload, not grammar. */
    private static final Pattern QUOTED = Pattern.compile("'(?!(?:null|true|false)')[^'\\n]{2,}+'");

    Rejection {
        path = path == null ? "" : TextRedactor.cut(TextRedactor.redact(path.replace("\u0000", "")), MAX_PATH_CHARS);
        detail = detail == null ? "" : TextRedactor.cut(TextRedactor.redact(detail.replace("\u0000", "")),
                MAX_DETAIL_CHARS);
    }

    /**
     * Jackson's message without the payload it quotes ({@code Unrecognized token 'the user's SSN...'}, a
     * source excerpt), with the line and column instead.
     */
    static Rejection malformedJson(JsonProcessingException e) {
        String detail = withoutQuotedInput(e.getOriginalMessage());
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            detail = detail + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        }
        return new Rejection(MALFORMED_JSON, "$", detail);
    }

    static String withoutQuotedInput(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        String m = message;
        // the token may itself hold quotes, so cut to the last "': was expecting", not to the next quote
        if (m.startsWith("Unrecognized token '")) {
            int close = m.lastIndexOf("': was expecting");
            m = close < 0 ? "Unrecognized token" : "Unrecognized token" + m.substring(close + 1);
        }
        int source = m.indexOf("[Source: ");
        if (source >= 0) {
            int close = m.indexOf(']', source);
            m = m.substring(0, source) + (close < 0 ? "" : m.substring(close + 1));
        }
        return QUOTED.matcher(m).replaceAll("'…'");
    }
}
