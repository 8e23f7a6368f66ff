package io.tailaudit.server.trace;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one parser of time parameters, for the API and the console alike: an RFC 3339 date-time
 * ({@code 2026-11-24T10:00:00Z}, any offset), or a date-time without offset as a browser's datetime-local
 * field sends it ({@code 2026-11-24T10:00}), read as UTC; years 1 to 9999, where PostgreSQL and
 * {@code java.sql.Timestamp} agree, so an out-of-range time is a clear refusal rather than an overflow.
 */
public final class TimeParameter {

    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private TimeParameter() {
    }

    /** Empty for null or blank; {@link IllegalArgumentException} naming {@code name} for anything else unreadable. */
    public static Optional<Instant> parse(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        Instant t;
        try {
            t = OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException withOffset) {
            try {
                t = LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + " must be an RFC 3339 date-time such as 2026-11-24T10:00:00Z"
                        + " (or 2026-11-24T10:00, read as UTC), got '" + value + "'");
            }
        }
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new IllegalArgumentException(name + " must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z,"
                    + " got '" + value + "'");
        }
        return Optional.of(t);
    }
}
