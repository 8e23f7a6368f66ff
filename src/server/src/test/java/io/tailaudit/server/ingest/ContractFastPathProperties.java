package io.tailaudit.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds {@link ContractFastPath} to the contract's JSON Schema as networknt's validator reads it: events are
 * generated field by field around every bound of the schema (each side of each minimum, maximum and length, every
 * wrong type, null, NUL and white space, integers written as 5.0, code points outside the BMP, date-times valid and
 * broken in each part), and ingest with the fast path must answer exactly what ingest without it answers, row for
 * row and reason for reason.
 */
class ContractFastPathProperties {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final EventParser FAST = new EventParser(new TextRedactor(10_000), CLOCK, Duration.ofDays(90),
            Duration.ofHours(24), true);
    private static final EventParser SCHEMA_ONLY = new EventParser(new TextRedactor(10_000), CLOCK,
            Duration.ofDays(90), Duration.ofHours(24), false);
    /** Stands for "the field is not in the object". */
    private static final String ABSENT = "\u0000absent";

    @Property(tries = 5000)
    void ingest_answers_the_same_with_and_without_the_fast_path(@ForAll("events") String event) throws Exception {
        byte[] value = event.getBytes(StandardCharsets.UTF_8);
        JsonNode node = JSON.readTree(value);
        boolean proved = ContractFastPath.proveValid(node) != null;

        ParsedEvent fast = FAST.parse(value);
        ParsedEvent slow = SCHEMA_ONLY.parse(value);

        if (proved) {
            assertThat(EventParser.schemaErrors(node)).as("proved valid: %s", event).isEmpty();
        }
        assertThat(fast).as("%s", event).isEqualTo(slow);
        Statistics.label("fast path").collect(proved ? "proved" : "left to the schema");
        Statistics.label("answer").collect(slow instanceof Rejection r ? r.reason() + " " + r.path() : "stored");
        Statistics.label("fast path").coverage(c -> {
            c.check("proved").percentage(p -> p >= 5);
            c.check("left to the schema").percentage(p -> p >= 5);
        });
    }

    @Property(tries = 3000)
    void a_date_time_it_reads_is_one_the_schema_and_java_time_read_alike(@ForAll("dateTimes") String s)
            throws Exception {
        Instant fast = ContractFastPath.parseInstant(s);
        Statistics.label("occurred_at").collect(fast == null ? "left to the schema" : "read");
        if (fast == null) {
            return;
        }
        assertThat(fast).as(s).isEqualTo(OffsetDateTime.parse(s).toInstant());
        JsonNode event = JSON.readTree(trace(Map.of("occurred_at", quote(s))));
        assertThat(EventParser.schemaErrors(event)).as(s).isEmpty();
    }

    @Property(tries = 300)
    void every_sdk_shaped_trace_is_proved(@ForAll("sdkTraces") String event) throws Exception {
        assertThat(ContractFastPath.proveValid(JSON.readTree(event))).as(event).isNotNull();
    }

    @Provide
    Arbitrary<String> events() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, traces()),
                net.jqwik.api.Tuple.of(1, feedbacks()));
    }

    @Provide
    Arbitrary<String> sdkTraces() {
        Map<String, Arbitrary<String>> f = new LinkedHashMap<>();
        f.put("schema", Arbitraries.just(quote("tailaudit.trace/v1")));
        f.put("kind", Arbitraries.just(quote("trace")));
        f.put("trace_id", Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(64)
                .filter(s -> s.chars().anyMatch(c -> c != '-') || !s.isEmpty()).map(ContractFastPathProperties::quote));
        f.put("occurred_at", Arbitraries.longs().between(0, 80L * 86_400 * 1_000_000_000L)
                .map(ns -> quote(NOW.minusNanos(ns).toString())));
        f.put("task", Arbitraries.of("summarize", "t-1", "a b").map(ContractFastPathProperties::quote));
        f.put("category", Arbitraries.of("chat", "agentic", "other").map(ContractFastPathProperties::quote));
        f.put("deployment", Arbitraries.just("{\"kind\":\"local\",\"provider\":\"ollama\",\"model\":\"qwen\"}"));
        f.put("latency_ms", Arbitraries.doubles().between(0, 86_400_000).map(d -> Double.toString(d)));
        f.put("usage", Arbitraries.integers().between(0, 100_000_000).map(t -> "{\"input_tokens\":" + t + "}"));
        f.put("outcome", Arbitraries.doubles().between(0, 1).map(q -> "{\"status\":\"ok\",\"quality\":" + q + "}"));
        f.put("tags", Arbitraries.just("{\"team\":\"search\"}"));
        f.put("producer", Arbitraries.longs().between(0, 9_007_199_254_740_991L)
                .map(seq -> "{\"id\":\"3f2a-9:x.y_z\",\"seq\":" + seq + "}"));
        return object(f);
    }

    private Arbitrary<String> traces() {
        Map<String, Arbitrary<String>> f = new LinkedHashMap<>();
        f.put("schema", schemaId());
        f.put("kind", usually(Arbitraries.of(ABSENT, quote("trace")), Arbitraries.of(quote("feedback"),
                quote("other"), "null", "5")));
        common(f);
        f.put("category", usually(Arbitraries.of("chat", "agentic", "codebase_reasoning", "other")
                .map(ContractFastPathProperties::quote), Arbitraries.of(quote("poetry"), quote("Chat"), quote(""),
                "null", "3", ABSENT)));
        f.put("service", optionalString());
        f.put("deployment", usually(deployment(), Arbitraries.of("\"local\"", "null", "[]", "{}", ABSENT)));
        f.put("latency_ms", usually(milliseconds(), Arbitraries.of(ABSENT)));
        f.put("ttft_ms", optional(milliseconds()));
        f.put("cost_usd", optional(bounded(1_000_000)));
        f.put("usage", optional(usage()));
        f.put("outcome", optional(outcome()));
        f.put("session_id", optionalString());
        f.put("parent_trace_id", optionalString());
        f.put("step", optional(integer(10_000)));
        f.put("input", optional(text()));
        f.put("output", optional(text()));
        f.put("tags", optional(tags()));
        f.put("extension", Arbitraries.of(ABSENT, "{\"a\":[1,{\"b\":null}]}", "null"));
        return object(f);
    }

    private Arbitrary<String> feedbacks() {
        Map<String, Arbitrary<String>> f = new LinkedHashMap<>();
        f.put("schema", schemaId());
        f.put("kind", usually(Arbitraries.just(quote("feedback")), Arbitraries.of(ABSENT, quote("Feedback"))));
        common(f);
        f.put("feedback", optional(rating()));
        f.put("escalated", optional(bool()));
        f.put("quality", optional(bounded(1)));
        f.put("label", optionalString());
        return object(f);
    }

    /** The fields a trace and a feedback event share. */
    private void common(Map<String, Arbitrary<String>> f) {
        f.put("trace_id", usually(nonBlank(), Arbitraries.of(ABSENT)));
        f.put("occurred_at", usually(recent(), Arbitraries.oneOf(dateTimes().map(ContractFastPathProperties::quote),
                Arbitraries.of(ABSENT, "null", "1764633600"))));
        f.put("task", usually(nonBlank(), Arbitraries.of(ABSENT)));
        f.put("producer", optional(producer()));
    }

    @Provide
    Arbitrary<String> dateTimes() {
        Arbitrary<String> year = Arbitraries.oneOf(Arbitraries.of("0000", "0999", "1000", "1600", "1900", "1969",
                "2000", "2024", "2025", "2100", "9999", "20260", "202"), Arbitraries.integers().between(1000, 9999)
                .map(y -> Integer.toString(y)));
        Arbitrary<String> month = Arbitraries.of("00", "01", "02", "04", "09", "11", "12", "13", "1", "x1");
        Arbitrary<String> day = Arbitraries.of("00", "01", "28", "29", "30", "31", "32", "9");
        Arbitrary<String> time = Combinators.combine(Arbitraries.of("00", "09", "23", "24", "7"),
                Arbitraries.of("00", "59", "60"), Arbitraries.of("00", "30", "59", "60", "61", ""))
                .as((h, m, s) -> h + ":" + m + (s.isEmpty() ? "" : ":" + s));
        Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.of("", ".", ".5", ".000000000", ".999999999",
                ".1234567891", ".123456789012"), Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(10)
                .map(d -> "." + d));
        Arbitrary<String> zone = Arbitraries.of("Z", "z", "+00:00", "-00:00", "+05:30", "-03:30", "+14:00",
                "-12:00", "+17:59", "+18:00", "-18:00", "+23:59", "+24:00", "+0530", "+05", "", "UTC", "+05:60");
        Arbitrary<String> separator = Arbitraries.of("T", "T", "T", "t", " ", "_");
        Arbitrary<String> composed = Combinators.combine(year, month, day, separator, time, fraction, zone)
                .as((y, mo, d, sep, t, fr, z) -> y + "-" + mo + "-" + d + sep + t + fr + z);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, composed),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(-30_000_000_000L, 250_000_000_000L)
                        .map(s -> Instant.ofEpochSecond(s, s % 7 == 0 ? 0 : Math.floorMod(s * 7919, 1_000_000_000))
                                .toString())),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars("0123456789-:T.Z+ ").ofMinLength(18)
                        .ofMaxLength(36)));
    }

    private static Arbitrary<String> recent() {
        return Arbitraries.longs().between(-86_400L * 2 * 1_000_000_000L, 86_400L * 95 * 1_000_000_000L)
                .map(ns -> quote(NOW.minusNanos(ns).toString()));
    }

    private static Arbitrary<String> schemaId() {
        return usually(Arbitraries.just(quote("tailaudit.trace/v1")),
                Arbitraries.of(quote("tailaudit.trace/v2"), quote(""), "null", "1", ABSENT));
    }

    private static Arbitrary<String> deployment() {
        Map<String, Arbitrary<String>> f = new LinkedHashMap<>();
        f.put("kind", usually(Arbitraries.of("local", "cloud").map(ContractFastPathProperties::quote),
                Arbitraries.of(quote("Local"), quote("edge"), "null", ABSENT)));
        f.put("provider", optionalString());
        f.put("model", usually(nonBlank(), Arbitraries.of(ABSENT)));
        f.put("model_version", optionalString());
        f.put("quantization", optionalString());
        f.put("region", optionalString());
        return object(f);
    }

    private static Arbitrary<String> usage() {
        Map<String, Arbitrary<String>> f = new LinkedHashMap<>();
        f.put("input_tokens", optional(integer(100_000_000)));
        f.put("output_tokens", optional(integer(100_000_000)));
        f.put("context_tokens", optional(integer(100_000_000)));
        return usually(object(f), Arbitraries.of("[]", "null", "5"));
    }

    private static Arbitrary<String> outcome() {
        Map<String, Arbitrary<String>> f = new LinkedHashMap<>();
        f.put("status", optional(usually(Arbitraries.of("ok", "error", "timeout", "refused", "invalid_output")
                .map(ContractFastPathProperties::quote), Arbitraries.of(quote("OK"), quote("failed"), "null", "0"))));
        f.put("error_type", optionalString());
        f.put("quality", optional(bounded(1)));
        f.put("feedback", optional(rating()));
        f.put("escalated", optional(bool()));
        f.put("fallback", optional(bool()));
        f.put("retries", optional(integer(1_000)));
        f.put("schema_valid", optional(bool()));
        return usually(object(f), Arbitraries.of("[]", "null", "\"ok\""));
    }

    private static Arbitrary<String> producer() {
        Arbitrary<String> id = usually(Arbitraries.strings().alpha().numeric().withChars('.', '_', ':', '-')
                .ofMinLength(1).ofMaxLength(64).map(ContractFastPathProperties::quote), Arbitraries.of(quote(""),
                quote("a b"), quote("a\n"), quote("a".repeat(65)), quote("\u00e9"), "null", "7", ABSENT));
        Arbitrary<String> seq = usually(Arbitraries.of("0", "1", "9007199254740991", "4294967296"),
                Arbitraries.of("9007199254740992", "-1", "1.0", "1e3", "\"1\"", "null", ABSENT));
        return usually(Combinators.combine(id, seq).as((i, s) -> {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("id", i);
            f.put("seq", s);
            return render(f);
        }), Arbitraries.of("null", "\"p\"", "[]", "{}"));
    }

    private static Arbitrary<String> tags() {
        Arbitrary<String> value = usually(Arbitraries.strings().ofMaxLength(40).map(ContractFastPathProperties::quote),
                Arbitraries.of(quote("v".repeat(256)), quote("v".repeat(257)), quote("\ud83d\ude00".repeat(200)),
                        "5", "null", "{\"a\":1}", "[\"x\"]", "true"));
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, 34), value).as((n, v) -> {
                    StringBuilder sb = new StringBuilder("{");
                    for (int i = 0; i < n; i++) {
                        sb.append(i == 0 ? "" : ",").append(quote("t" + i)).append(':').append(i == n / 2 ? v : "\"x\"");
                    }
                    return sb.append('}').toString();
                }),
                Arbitraries.of("[]", "null", "\"tags\""));
    }

    private static Arbitrary<String> nonBlank() {
        return usually(Arbitraries.strings().alpha().numeric().withChars('-', ' ', '\u00e9').ofMinLength(1)
                        .ofMaxLength(80).filter(s -> !s.isBlank()).map(ContractFastPathProperties::quote),
                Arbitraries.of(quote(""), quote(" "), quote("\t\n"), quote("\u0000"), quote("\u0000x"),
                        quote("\u00a0"), quote("\u2003"), quote("\u00e9"), quote("x\n"), quote("a".repeat(256)),
                        quote("a".repeat(257)), quote("\ud83d\ude00".repeat(128)), quote("\ud83d\ude00".repeat(129)),
                        quote(" ".repeat(255) + "a"), "5", "null", "true", "{}", "[]"));
    }

    private static Arbitrary<String> optionalString() {
        return optional(usually(Arbitraries.strings().ofMaxLength(60).map(ContractFastPathProperties::quote),
                Arbitraries.of(quote(""), quote("s".repeat(256)), quote("s".repeat(257)),
                        quote("\ud83d\ude00".repeat(128)), quote("\ud83d\ude00".repeat(200)), quote("\u0000"),
                        "null", "1", "{}", "[\"s\"]", "false")));
    }

    private static Arbitrary<String> text() {
        return usually(Arbitraries.strings().ofMaxLength(300).map(ContractFastPathProperties::quote),
                Arbitraries.of(quote("x".repeat(20_000)), "null", "12", "[\"a\"]", "{\"role\":\"user\"}"));
    }

    private static Arbitrary<String> milliseconds() {
        return bounded(86_400_000);
    }

    /** A number meant to lie in [0, max], and its neighbours on each side, in every form JSON writes it. */
    private static Arbitrary<String> bounded(double max) {
        String m = max == Math.rint(max) ? Long.toString((long) max) : Double.toString(max);
        return usually(Arbitraries.oneOf(Arbitraries.doubles().between(0, max).map(d -> Double.toString(d)),
                        Arbitraries.longs().between(0, (long) max).map(l -> Long.toString(l))),
                Arbitraries.of("0", "-0", "-0.0", "0.0", "0e0", m, m + ".0", Double.toString(max),
                        Double.toString(Math.nextUp(max)), Long.toString((long) max + 1), "-1", "-0.5", "-5e-324",
                        "5e-324", "1e-400", "1e400", "-1e400", "1e308", "1E2", "99999999999999999999",
                        "0.10000000000000000000000000001", "\"5\"", "null", "true", "[1]", "{}"));
    }

    /** An integer meant to lie in [0, max], its neighbours, and integral values written otherwise. */
    private static Arbitrary<String> integer(long max) {
        return usually(Arbitraries.longs().between(0, max).map(l -> Long.toString(l)),
                Arbitraries.of("0", "-0", Long.toString(max), Long.toString(max + 1), max + ".0", "1.0", "1.5",
                        "1e2", "-1", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808",
                        "99999999999999999999999", "1e400", "\"5\"", "null", "true"));
    }

    private static Arbitrary<String> rating() {
        return usually(Arbitraries.of("positive", "negative").map(ContractFastPathProperties::quote),
                Arbitraries.of(quote("Positive"), quote("neutral"), "null", "1"));
    }

    private static Arbitrary<String> bool() {
        return usually(Arbitraries.of("true", "false"), Arbitraries.of("\"true\"", "1", "0", "null"));
    }

    /** Mostly {@code good}, about one time in sixteen {@code bad} (so that a good share of events is valid throughout). */
    private static Arbitrary<String> usually(Arbitrary<String> good, Arbitrary<String> bad) {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(15, good), net.jqwik.api.Tuple.of(1, bad));
    }

    private static Arbitrary<String> optional(Arbitrary<String> value) {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Arbitraries.just(ABSENT)),
                net.jqwik.api.Tuple.of(2, value));
    }

    private static Arbitrary<String> object(Map<String, Arbitrary<String>> fields) {
        List<String> names = new ArrayList<>(fields.keySet());
        return Combinators.combine(new ArrayList<>(fields.values())).as(values -> {
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                f.put(names.get(i), values.get(i));
            }
            return render(f);
        });
    }

    private static String render(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((name, value) -> {
            if (!ABSENT.equals(value)) {
                sb.append(sb.length() == 1 ? "" : ",").append(quote(name)).append(':').append(value);
            }
        });
        return sb.append('}').toString();
    }

    /** A valid trace with {@code overrides} in place of its fields. */
    private static String trace(Map<String, String> overrides) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("schema", quote("tailaudit.trace/v1"));
        f.put("trace_id", quote("t-1"));
        f.put("occurred_at", quote(NOW.toString()));
        f.put("task", quote("task"));
        f.put("category", quote("chat"));
        f.put("deployment", "{\"kind\":\"local\",\"model\":\"m\"}");
        f.put("latency_ms", "1");
        f.putAll(overrides);
        return render(f);
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
