package io.tailaudit.server.api;

import io.tailaudit.server.trace.TimeParameter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Parsing of query parameters into typed values, each failure naming the parameter and the value. */
final class Params {

    private Params() {
    }

    static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }


    static Optional<Instant> time(String name, String value) {
        try {
            return TimeParameter.parse(name, value);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(e.getMessage());
        }
    }

    /** An optional integer id (keyset paging: {@code before}), naming the parameter when it is not one. */
    static Optional<Long> id(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name + " must be an integer id, got '" + value + "'");
        }
    }

    static int limit(String value, int fallback, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < 1 || v > max) {
                throw new InvalidParameterException("limit must be between 1 and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidParameterException("limit must be an integer, got '" + value + "'");
        }
    }

    static Optional<String> oneOf(String name, String value, java.util.Set<String> allowed) {
        Optional<String> v = text(value);
        if (v.isPresent() && !allowed.contains(v.get())) {
            throw new InvalidParameterException(name + " must be one of " + new java.util.TreeSet<>(allowed) + ", got '"
                    + v.get() + "'");
        }
        return v;
    }
}
