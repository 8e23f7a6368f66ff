package io.tailaudit.server.ingest;

import io.tailaudit.server.trace.FeedbackRow;
import io.tailaudit.server.trace.TraceRow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** What the parser keeps of a producer's free text and of a rejected payload: redacted, never raw. */
class EventParserRedactionTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final EventParser PARSER = new EventParser(new TextRedactor(16_384), Clock.fixed(NOW, ZoneOffset.UTC),
            Duration.ofDays(30), Duration.ofHours(1));

    private static ParsedEvent parse(String json) {
        return PARSER.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String trace(String extra) {
        return """
                {"schema":"tailaudit.trace/v1","trace_id":"t-1","occurred_at":"2026-11-24T10:15:02Z","task":"redact",
                 "category":"chat","deployment":{"kind":"cloud","model":"m"},"latency_ms":5%s}""".formatted(extra);
    }

    @Test
    void a_tag_value_holding_an_email_address_is_stored_redacted() {
        TraceRow row = ((ParsedTrace) parse(trace(",\"tags\":{\"user_email\":\"a@b.com\",\"tenant\":\"acme\"}"))).row();

        assertThat(row.tags()).containsEntry("user_email", "[REDACTED:email]").containsEntry("tenant", "acme");
    }

    @Test
    void a_tag_key_holding_an_email_address_is_stored_redacted() {
        TraceRow row = ((ParsedTrace) parse(trace(",\"tags\":{\"a@b.com\":\"vip\"}"))).row();

        assertThat(row.tags()).containsOnlyKeys("[REDACTED:email]");
    }

    @Test
    void two_tag_keys_that_redact_alike_keep_both_values() {
        TraceRow row = ((ParsedTrace) parse(trace(",\"tags\":{\"alice@x.com\":\"a\",\"bob@y.com\":\"b\"}"))).row();
        assertThat(row.tags()).hasSize(2).containsValues("a", "b").containsKey("[REDACTED:email]")
                .containsKey("[REDACTED:email]#2");
    }

    @Test
    void session_service_and_error_type_are_redacted_free_text() {
        TraceRow row = ((ParsedTrace) parse(trace(",\"session_id\":\"bob@x.com\",\"service\":\"svc +14155550100\","
                + "\"outcome\":{\"status\":\"error\",\"error_type\":\"auth failed for api_key=3f9a0c4e5b6d\"}"))).row();

        assertThat(row.sessionId()).isEqualTo("[REDACTED:email]");
        assertThat(row.service()).isEqualTo("svc [REDACTED:phone]");
        assertThat(row.errorType()).isEqualTo("auth failed for api_key=[REDACTED:secret]");
    }

    @Test
    void a_feedback_label_is_redacted() {
        FeedbackRow row = ((ParsedFeedback) parse("""
                {"schema":"tailaudit.trace/v1","kind":"feedback","trace_id":"t-1","task":"redact",
                 "occurred_at":"2026-11-24T10:20:40Z","label":"customer 123-45-6789 complained"}""")).row();

        assertThat(row.label()).isEqualTo("customer [REDACTED:ssn] complained");
    }

    @Test
    void a_malformed_record_keeps_no_quoted_token_of_its_payload_in_the_detail() {
        Rejection r = (Rejection) parse("{\"schema\": hunter2CorrectHorseBatteryStaple, \"trace_id\": \"t\"}");

        assertThat(r.reason()).isEqualTo(Rejection.MALFORMED_JSON);
        assertThat(r.detail()).doesNotContain("hunter2").doesNotContain("Staple")
                .startsWith("Unrecognized token: was expecting").contains("(line 1, column ");
    }

    @Test
    void a_malformed_record_whose_token_holds_quotes_leaks_none_of_it() {
        Rejection r = (Rejection) parse("{\"schema\": it's'my'secret'hunter2}");

        assertThat(r.detail()).doesNotContain("secret").doesNotContain("hunter2");
    }

    @Test
    void a_schema_violation_under_a_tag_named_after_an_email_address_names_no_address() {
        Rejection r = (Rejection) parse(trace(",\"tags\":{\"bob@example.com\":42}"));

        assertThat(r.reason()).isEqualTo(Rejection.WRONG_TYPE);
        assertThat(r.path()).doesNotContain("bob@example.com").contains("[REDACTED:email]");
        assertThat(r.detail()).doesNotContain("bob@example.com");
    }

    @Test
    void a_detail_is_bounded_whoever_builds_it() {
        Rejection r = new Rejection(Rejection.STORAGE_REJECTED, "$", "x".repeat(5_000));

        assertThat(r.detail()).hasSize(Rejection.MAX_DETAIL_CHARS);
    }
}
