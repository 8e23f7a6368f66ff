package io.tailaudit.server.trace;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeParameterTest {

    @Test
    void rfc_3339_with_any_offset_and_a_browsers_datetime_local_as_utc_read_alike() {
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        assertThat(TimeParameter.parse("from", "2026-11-24T10:00:00Z")).hasValue(t);
        assertThat(TimeParameter.parse("from", "2026-11-24T11:00:00+01:00")).hasValue(t);
        assertThat(TimeParameter.parse("from", "2026-11-24T10:00")).hasValue(t);
        assertThat(TimeParameter.parse("from", " 2026-11-24T10:00:00 ")).hasValue(t);
        assertThat(TimeParameter.parse("from", "  ")).isEmpty();
        assertThat(TimeParameter.parse("from", null)).isEmpty();
    }

    @Test
    void unreadable_or_out_of_range_times_are_refused_naming_the_parameter() {
        assertThatThrownBy(() -> TimeParameter.parse("to", "yesterday")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("to must be an RFC 3339 date-time");
        assertThatThrownBy(() -> TimeParameter.parse("to", "0000-12-31T23:00")).hasMessageStartingWith("to must lie between");
        assertThatThrownBy(() -> TimeParameter.parse("to", "+999999999-12-31T23:59:59Z"))
                .hasMessageStartingWith("to must lie between");
    }
}
