package io.tailaudit.server.ingest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** What the parser makes of hostile numbers and strings, one rule per test. */
class EventParserTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final EventParser PARSER = new EventParser(new TextRedactor(10_000),
            Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(90), Duration.ofHours(24));
    private static final String HEAD = "{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"t-1\","
            + "\"occurred_at\":\"2026-11-24T09:00:00Z\",\"task\":\"x\",\"category\":\"chat\","
            + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},";

    private static ParsedEvent parse(String body) {
        return PARSER.parse((HEAD + body + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static Rejection rejected(String body) {
        ParsedEvent e = parse(body);
        assertThat(e).as("parsed %s", body).isInstanceOf(Rejection.class);
        return (Rejection) e;
    }

    @Test
    void a_latency_of_1e400_is_out_of_range() {
        assertThat(rejected("\"latency_ms\":1e400")).extracting(Rejection::reason, Rejection::path)
                .containsExactly("out_of_range", "$.latency_ms");
    }

    @Test
    void a_latency_of_minus_1e400_is_out_of_range() {
        assertThat(rejected("\"latency_ms\":-1e400").reason()).isEqualTo("out_of_range");
    }

    @Test
    void a_latency_longer_than_a_day_is_out_of_range() {
        assertThat(rejected("\"latency_ms\":86400000.5").reason()).isEqualTo("out_of_range");
    }

    @Test
    void a_latency_of_exactly_a_day_is_accepted() {
        assertThat(parse("\"latency_ms\":86400000")).isInstanceOf(ParsedTrace.class);
    }

    @Test
    void a_time_to_first_token_of_1e400_is_out_of_range() {
        assertThat(rejected("\"latency_ms\":1,\"ttft_ms\":1e400")).extracting(Rejection::reason, Rejection::path)
                .containsExactly("out_of_range", "$.ttft_ms");
    }

    @Test
    void a_cost_of_1e400_is_out_of_range() {
        assertThat(rejected("\"latency_ms\":1,\"cost_usd\":1e400")).extracting(Rejection::reason, Rejection::path)
                .containsExactly("out_of_range", "$.cost_usd");
    }

    @Test
    void a_token_count_past_the_int_range_is_out_of_range_not_wrapped() {
        assertThat(rejected("\"latency_ms\":1,\"usage\":{\"input_tokens\":4294967296}"))
                .extracting(Rejection::reason, Rejection::path).containsExactly("out_of_range", "$.usage.input_tokens");
    }

    @Test
    void a_token_count_of_1e400_is_out_of_range_not_of_the_wrong_type() {
        assertThat(rejected("\"latency_ms\":1,\"usage\":{\"output_tokens\":1e400}").reason()).isEqualTo("out_of_range");
    }

    @Test
    void a_token_count_written_as_a_whole_float_is_accepted() {
        assertThat(parse("\"latency_ms\":1,\"usage\":{\"input_tokens\":5.0}"))
                .isInstanceOfSatisfying(ParsedTrace.class, t -> assertThat(t.row().inputTokens()).isEqualTo(5));
    }

    @Test
    void nan_as_a_string_is_of_the_wrong_type() {
        assertThat(rejected("\"latency_ms\":\"NaN\"").reason()).isEqualTo("wrong_type");
    }

    @Test
    void a_bare_nan_is_malformed_json() {
        assertThat(rejected("\"latency_ms\":NaN").reason()).isEqualTo("malformed_json");
    }

    @Test
    void nesting_past_a_thousand_levels_is_malformed_json() {
        assertThat(rejected("\"latency_ms\":1,\"x\":" + "[".repeat(1001) + "]".repeat(1001)).reason())
                .isEqualTo("malformed_json");
    }

    @Test
    void a_model_name_of_only_nul_characters_is_rejected_as_blank() {
        String json = HEAD.replace("\"model\":\"m\"", "\"model\":\"\\u0000\\u0000\"") + "\"latency_ms\":1}";
        ParsedEvent e = PARSER.parse(json.getBytes(StandardCharsets.UTF_8));

        assertThat(e).isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.reason()).isEqualTo("invalid_format"));
    }

    @Test
    void a_rejection_names_a_huge_tag_key_in_a_bounded_path() {
        String key = "k".repeat(20_000);   // Jackson refuses names past 50,000 characters
        Rejection r = rejected("\"latency_ms\":1,\"tags\":{\"" + key + "\":1}");

        assertThat(r.reason()).isEqualTo("wrong_type");
        assertThat(r.path()).hasSizeLessThanOrEqualTo(Rejection.MAX_PATH_CHARS).startsWith("$.tags.kkk");
        assertThat(r.detail()).hasSizeLessThanOrEqualTo(Rejection.MAX_DETAIL_CHARS);
    }
}
