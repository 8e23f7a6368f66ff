package io.tailaudit.server.tail;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The named windows every page, endpoint and alert rule offers, shortest first, and their lengths. */
public final class Windows {

    /** 1h, 24h, 7d, 30d, ending now. */
    public static final Map<String, Duration> LENGTHS;
    /** Their names, shortest first. */
    public static final List<String> NAMES;
    /** The window pages and endpoints read when none is asked for. */
    public static final String DEFAULT = "7d";

    static {
        Map<String, Duration> m = new LinkedHashMap<>();
        m.put("1h", Duration.ofHours(1));
        m.put("24h", Duration.ofHours(24));
        m.put("7d", Duration.ofDays(7));
        m.put("30d", Duration.ofDays(30));
        LENGTHS = java.util.Collections.unmodifiableMap(m);
        NAMES = List.copyOf(m.keySet());
    }

    private Windows() {
    }

    /** Where every named window ends at {@code now}: the end of the hour in progress, so that hour counts. */
    public static java.time.Instant end(java.time.Instant now) {
        return now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(1, java.time.temporal.ChronoUnit.HOURS);
    }
}
