package io.tailaudit.server.trace;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/** The position after which the next page starts: an opaque, URL-safe token for clients. */
public record TraceCursor(Instant occurredAt, String traceId) {

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((occurredAt + "|" + traceId).getBytes(StandardCharsets.UTF_8));
    }

    /** Throws {@link IllegalArgumentException} when the token was not made by {@link #encode()}. */
    public static TraceCursor decode(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int bar = s.indexOf('|');
            if (bar < 0) {
                throw new IllegalArgumentException("cursor is not valid: " + token);
            }
            return new TraceCursor(Instant.parse(s.substring(0, bar)), s.substring(bar + 1));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("cursor is not valid: " + token);
        }
    }
}
