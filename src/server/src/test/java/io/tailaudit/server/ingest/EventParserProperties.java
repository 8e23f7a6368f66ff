package io.tailaudit.server.ingest;

import io.tailaudit.server.trace.TraceRow;
import io.tailaudit.server.testing.HostileEvents;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jqwik properties of the parser alone (no broker, no database): whatever the bytes, it answers with a row
 * or a rejection, never an exception, and the answer is the one the generator expects.
 */
class EventParserProperties {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final EventParser PARSER = new EventParser(new TextRedactor(10_000),
            Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(90), Duration.ofHours(24));

    @Provide
    Arbitrary<HostileEvents.Case> events() {
        return new HostileEvents("parser-properties", NOW).any();
    }

    @Property(tries = 500)
    void every_record_is_stored_or_rejected_for_the_expected_reason(@ForAll("events") HostileEvents.Case c) {
        ParsedEvent e = PARSER.parse(c.value());

        if (c.valid()) {
            assertThat(e).as("%s", c).isInstanceOf(ParsedTrace.class);
        } else {
            assertThat(e).as("%s", c).isInstanceOfSatisfying(Rejection.class,
                    r -> assertThat(r.reason()).as("%s: %s", c, r).isEqualTo(c.reason()));
        }
    }

    @Property(tries = 200)
    void a_stored_trace_holds_no_nul_and_no_text_past_the_limit(@ForAll("events") HostileEvents.Case c) {
        if (PARSER.parse(c.value()) instanceof ParsedTrace(TraceRow t)) {
            assertThat(t.inputText()).as("%s", c).doesNotContain("\u0000").hasSizeLessThanOrEqualTo(10_000 + 64);
            assertThat(t.tags().values()).as("%s", c).noneMatch(v -> v.contains("\u0000"));
            assertThat(t.latencyMs()).as("%s", c).isFinite();
        }
    }
}
