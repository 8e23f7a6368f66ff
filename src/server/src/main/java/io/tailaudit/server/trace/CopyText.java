package io.tailaudit.server.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.util.Map;

/** Appends values in PostgreSQL's COPY text format: tab-separated, {@code \N} for null, escaped. */
final class CopyText {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringBuilder sb;
    private boolean first = true;

    CopyText(StringBuilder sb) {
        this.sb = sb;
    }

    CopyText add(Object value) {
        if (!first) {
            sb.append('\t');
        }
        first = false;
        if (value == null) {
            sb.append("\\N");
        } else if (value instanceof Boolean b) {
            sb.append(b ? 't' : 'f');
        } else if (value instanceof Number || value instanceof java.time.Instant) {
            sb.append(value);
        } else {
            escape(value.toString());
        }
        return this;
    }

    CopyText addJson(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return add(null);
        }
        try {
            return add(JSON.writeValueAsString(map));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    void endRow() {
        sb.append('\n');
        first = true;
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
    }
}
