package io.tailaudit.server.ingest;

import io.tailaudit.server.trace.ContentHash;
import io.tailaudit.server.trace.FeedbackRow;
import io.tailaudit.server.trace.TraceRow;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.tailaudit.sdk.ContractSchema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Reads one record: parse once with Jackson, validate the parsed tree against the contract's JSON Schema
 * (compiled once, from the SDK's resource), check what the schema cannot say (every stored number finite
 * and of its column's width), then map the tree to a row. An event {@link ContractFastPath} proves valid skips
 * the schema validator; every other one meets it. Never throws: whatever a record holds, the
 * answer is a row or a {@link Rejection}. Thread-safe.
 */
final class EventParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = compileSchema();
    // the contract uses no unevaluated* keywords, so annotations would be collected for nobody
    private static final Consumer<ExecutionContext> NO_ANNOTATIONS =
            ctx -> ctx.getExecutionConfig().setAnnotationCollectionEnabled(false);

    private static final int REMEMBERED = 4096;
    private static final int REMEMBERED_CHARS = 256;

    private final boolean fastPath;
    private final Map<String, String> redactions = new ConcurrentHashMap<>();
    private final TextRedactor redactor;
    private final Clock clock;
    private final Duration retention;
    private final Duration futureTolerance;

    EventParser(TextRedactor redactor, Clock clock, Duration retention, Duration futureTolerance) {
        this(redactor, clock, retention, futureTolerance, true);
    }

    /** With {@code fastPath} false every event meets the schema validator (to hold the fast path to it). */
    EventParser(TextRedactor redactor, Clock clock, Duration retention, Duration futureTolerance, boolean fastPath) {
        this.fastPath = fastPath;
        this.redactor = redactor;
        this.clock = clock;
        this.retention = retention;
        this.futureTolerance = futureTolerance;
    }

    private static JsonSchema compileSchema() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_PATH)
                .formatAssertionsEnabled(true)
                .build();
        try (InputStream in = ContractSchema.open()) {
            JsonSchema schema = factory.getSchema(in, config);
            schema.initializeValidators();
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Numbers stored as double precision: JSON allows 1e400, which Jackson reads as Infinity. */
    private static final List<JsonPointer> DOUBLES = pointers("/latency_ms", "/ttft_ms", "/cost_usd",
            "/outcome/quality", "/quality");
    /** Numbers stored as integer: {@code asInt()} would wrap 3000000000 to a negative count. */
    private static final List<JsonPointer> INTEGERS = pointers("/usage/input_tokens", "/usage/output_tokens",
            "/usage/context_tokens", "/outcome/retries", "/step");

    /** What a record parsed to, and its producer stamp when it is JSON with a well-formed one. */
    record Parsed(ParsedEvent event, ProducerStamp stamp) {
    }

    ParsedEvent parse(byte[] value) {
        return parseStamped(value).event();
    }

    Parsed parseStamped(byte[] value) {
        ProducerStamp[] stamp = new ProducerStamp[1];
        ParsedEvent event;
        try {
            event = parseOrReject(value, stamp);
        } catch (RuntimeException | StackOverflowError e) {
            // a record must never stop ingest, not even through a bug here: it goes to the DLQ instead
            event = new Rejection(Rejection.SCHEMA_VIOLATION, "$", "the record could not be validated: "
                    + e.getClass().getSimpleName());
        }
        return new Parsed(event, stamp[0]);
    }

    private ParsedEvent parseOrReject(byte[] value, ProducerStamp[] stamp) {
        if (value == null || value.length == 0) {
            return new Rejection(Rejection.MALFORMED_JSON, "$", "empty record value");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return Rejection.malformedJson(e);
        } catch (IOException e) {
            return new Rejection(Rejection.MALFORMED_JSON, "$", e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            return new Rejection(Rejection.MALFORMED_JSON, "$", "no JSON value");
        }
        stamp[0] = ProducerStamp.of(node.get("producer"));      // before validation: a rejected event counts too
        Instant occurredAt = fastPath ? ContractFastPath.proveValid(node) : null;
        if (occurredAt == null) {           // not proved valid by the fast path: the schema decides, and says why
            Set<ValidationMessage> errors = schemaErrors(node);
            if (!errors.isEmpty()) {
                return reject(errors.iterator().next());
            }
            Rejection outOfRange = firstOutOfRange(node);
            if (outOfRange != null) {
                return outOfRange;
            }
            try {
                occurredAt = OffsetDateTime.parse(node.get("occurred_at").asText()).toInstant();
            } catch (DateTimeParseException e) {
                return new Rejection(Rejection.INVALID_FORMAT, "$.occurred_at", "not an RFC 3339 date-time");
            }
        }
        Instant now = clock.instant();
        if (occurredAt.isBefore(now.minus(retention))) {
            return new Rejection(Rejection.OCCURRED_AT_OUT_OF_RANGE, "$.occurred_at",
                    "older than the retention of " + retention.toDays() + " days");
        }
        if (occurredAt.isAfter(now.plus(futureTolerance))) {
            return new Rejection(Rejection.OCCURRED_AT_OUT_OF_RANGE, "$.occurred_at",
                    "more than " + futureTolerance.toHours() + " hours in the future");
        }
        return "feedback".equals(text(node, "kind")) ? new ParsedFeedback(feedback(node, occurredAt))
                : new ParsedTrace(trace(node, occurredAt));
    }

    /** The schema validator's findings on {@code node}, none when it is valid. */
    static Set<ValidationMessage> schemaErrors(JsonNode node) {
        return SCHEMA.validate(node, NO_ANNOTATIONS);
    }

    private static Rejection reject(ValidationMessage m) {
        String path = m.getInstanceLocation() == null ? "$" : m.getInstanceLocation().toString();
        String type = m.getType() == null ? "" : m.getType();
        String reason = switch (type) {
            case "required", "anyOf" -> Rejection.MISSING_REQUIRED_FIELD;
            case "enum" -> Rejection.INVALID_ENUM_VALUE;
            case "const" -> path.equals("$.schema") ? Rejection.UNSUPPORTED_SCHEMA : Rejection.INVALID_ENUM_VALUE;
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                 "maxProperties" -> Rejection.OUT_OF_RANGE;
            // 1e400 where an integer belongs is not of the wrong type, it is too large
            case "type" -> isNonFinite(m.getInstanceNode()) ? Rejection.OUT_OF_RANGE : Rejection.WRONG_TYPE;
            case "format", "pattern" -> Rejection.INVALID_FORMAT;
            default -> Rejection.SCHEMA_VIOLATION;
        };
        if ("required".equals(type) && m.getProperty() != null) {
            path = path + "." + m.getProperty();
        }
        return new Rejection(reason, path, m.getMessage());
    }

    /**
     * The schema's maxima already exclude Infinity; this holds even if a bound is loosened, and it stops a
     * fraction or an out-of-int value from reaching an integer column.
     */
    private static Rejection firstOutOfRange(JsonNode root) {
        for (JsonPointer p : DOUBLES) {
            JsonNode v = root.at(p);
            if (v.isNumber() && !Double.isFinite(v.asDouble())) {
                return new Rejection(Rejection.OUT_OF_RANGE, path(p), "must be a finite number");
            }
        }
        for (JsonPointer p : INTEGERS) {
            JsonNode v = root.at(p);
            if (v.isNumber() && !(v.canConvertToExactIntegral() && v.canConvertToInt())) {
                return new Rejection(Rejection.OUT_OF_RANGE, path(p), "must be an integer of at most "
                        + Integer.MAX_VALUE);
            }
        }
        return null;
    }

    private static boolean isNonFinite(JsonNode v) {
        return v != null && v.isNumber() && !Double.isFinite(v.asDouble());
    }

    private static List<JsonPointer> pointers(String... paths) {
        return Arrays.stream(paths).map(JsonPointer::compile).toList();
    }

    private static String path(JsonPointer p) {
        return "$" + p.toString().replace('/', '.');
    }

    private TraceRow trace(JsonNode n, Instant occurredAt) {
        JsonNode d = n.path("deployment");
        JsonNode u = n.path("usage");
        JsonNode o = n.path("outcome");
        String status = text(o, "status");
        TraceRow row = new TraceRow(text(n, "trace_id"), occurredAt, text(n, "task"), text(n, "category"),
                free(n, "service"), text(d, "kind"), text(d, "provider"), text(d, "model"), text(d, "model_version"),
                text(d, "quantization"), text(d, "region"), n.get("latency_ms").asDouble(), number(n, "ttft_ms"),
                integer(u, "input_tokens"), integer(u, "output_tokens"), integer(u, "context_tokens"),
                number(n, "cost_usd"), status == null ? "ok" : status, free(o, "error_type"), number(o, "quality"),
                text(o, "feedback"), bool(o, "escalated", false), bool(o, "fallback", false), integer(o, "retries"),
                bool(o, "schema_valid", true), free(n, "session_id"), text(n, "parent_trace_id"), integer(n, "step"),
                redactor.apply(text(n, "input")), redactor.apply(text(n, "output")), tags(n.path("tags")), 0L);
        return row.withContentHash();
    }

    private FeedbackRow feedback(JsonNode n, Instant occurredAt) {
        String traceId = text(n, "trace_id");
        String task = text(n, "task");
        String rating = text(n, "feedback");
        Boolean escalated = n.has("escalated") ? n.get("escalated").asBoolean() : null;
        Double quality = number(n, "quality");
        String label = free(n, "label");
        long hash = new ContentHash().add(traceId).add(task).add(occurredAt).add(rating).add(escalated)
                .add(quality).add(label).value();
        return new FeedbackRow(hash, traceId, task, occurredAt, rating, escalated, quality, label);
    }

    /** PostgreSQL text cannot hold NUL; JSON can. */
    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.asText();
        return s.indexOf('\u0000') >= 0 ? s.replace("\u0000", "") : s;
    }

    /** A free-text field a producer may fill with anything, an e-mail address included: redacted. */
    private String free(JsonNode n, String field) {
        return redactShort(text(n, field));
    }

    /**
     * {@link TextRedactor#redact}, remembered for short values: a service, a tag, an error type repeat from event
     * to event, and redacting them anew took a tenth of the consumer thread. The function is pure, so what is
     * remembered is what it would answer; the memory is bounded (at most {@value #REMEMBERED} values of at most
     * {@value #REMEMBERED_CHARS} characters, forgotten all at once when full).
     */
    private String redactShort(String s) {
        if (s == null || s.isEmpty() || s.length() > REMEMBERED_CHARS) {
            return TextRedactor.redact(s);
        }
        String redacted = redactions.get(s);
        if (redacted == null) {
            redacted = TextRedactor.redact(s);
            if (redactions.size() >= REMEMBERED) {
                redactions.clear();
            }
            redactions.put(s, redacted);
        }
        return redacted;
    }

    private static Double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asDouble();
    }

    private static Integer integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static boolean bool(JsonNode n, String field, boolean missing) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? missing : v.asBoolean();
    }

    private SortedMap<String, String> tags(JsonNode n) {
        SortedMap<String, String> tags = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // keys too: a producer may name a tag after the value it holds
            String key = redactShort(e.getKey().replace("\u0000", ""));
            String value = redactShort(e.getValue().asText().replace("\u0000", ""));
            // two keys that redact alike ("a@x.com", "b@y.com") keep both values: "[REDACTED:email]", "...#2"
            String unique = key;
            for (int i = 2; tags.containsKey(unique); i++) {
                unique = key + "#" + i;
            }
            tags.put(unique, value);
        }
        return tags;
    }
}
