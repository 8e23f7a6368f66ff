package io.tailaudit.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A request body Jackson could not read, said in the API's words: which field (as the JSON names it),
 * what it must be and what it got. Jackson's own messages name Java types and are not shown.
 */
final class JsonProblems {

    // Jackson names the token it met in its message ("from Array value (token `JsonToken.START_ARRAY`)")
    private static final Pattern TOKEN = Pattern.compile("JsonToken\\.([A-Z_]+)");

    private JsonProblems() {
    }

    static String detail(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !(e instanceof StreamReadException)) {
            return mapping(m);
        }
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            return "the body is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
        }
        return "the body is not valid JSON";
    }

    private static String mapping(JsonMappingException e) {
        String field = path(e);
        String prefix = field.isEmpty() ? "the body" : field;
        if (e instanceof UnrecognizedPropertyException) {
            return prefix + ": unknown field";
        }
        if (e instanceof ValueInstantiationException v && v.getCause() instanceof IllegalArgumentException cause
                && cause.getMessage() != null) {
            return prefix + ": " + cause.getMessage();
        }
        if (e instanceof MismatchedInputException m) {
            String expected = expected(m.getTargetType());
            String got = e instanceof InvalidFormatException f ? value(f.getValue()) : token(m);
            return prefix + ": must be " + expected + (got.isEmpty() ? "" : ", got " + got);
        }
        return prefix + ": invalid value";
    }

    /** The field as the JSON names it: {@code labels.team}, {@code items[2].name}; empty for the body itself. */
    static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an RFC 3339 date-time such as 2026-11-24T10:00:00Z";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        return "an object";
    }

    /** What the body held where the field is: "a string", "a list"; empty when Jackson does not say. */
    private static String token(MismatchedInputException e) {
        Matcher m = TOKEN.matcher(String.valueOf(e.getOriginalMessage()));
        JsonToken t = null;
        if (m.find()) {
            try {
                t = JsonToken.valueOf(m.group(1));
            } catch (IllegalArgumentException unknown) {
                return "";
            }
        } else if (e.getProcessor() instanceof JsonParser p) {
            t = p.currentToken();
        }
        if (t == null) {
            return "";
        }
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY, END_ARRAY -> "a list";
            case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
            default -> "";
        };
    }

    private static String value(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v.toString();
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
}
