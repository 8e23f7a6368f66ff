package io.tailaudit.server.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

/**
 * Generates raw records for ingest, valid and invalid, each with what ingest must make of it: stored, or
 * dead-lettered with a given reason. Valid records vary every field within the contract's bounds (NUL
 * characters in text, unknown properties nested deep, long text that is truncated); invalid ones carry
 * one hostile value each (1e400, -1e400, token counts past the int range, "NaN", nesting past Jackson's
 * limit, over-long strings, wrong types, an unknown schema, bytes that are not UTF-8).
 */
public final class HostileEvents {

    /** One record to send: its key and value, and the reason it must be dead-lettered for (null: stored). */
    public record Case(String label, String key, byte[] value, String reason) {

        public boolean valid() {
            return reason == null;
        }

        @Override
        public String toString() {
            return label + (valid() ? " (valid)" : " (" + reason + ")") + " key=" + key + " bytes=" + value.length;
        }
    }

    private static final String HEAD = "\"schema\":\"tailaudit.trace/v1\",\"kind\":\"trace\",\"trace_id\":\"%s\","
            + "\"occurred_at\":\"%s\",\"task\":\"%s\",\"category\":\"chat\",";

    private final String task;
    private final Instant now;

    /** Events of {@code task} (so a test can count its own), occurred shortly before {@code now}. */
    public HostileEvents(String task, Instant now) {
        this.task = task;
        this.now = now;
    }

    /** Valid and invalid records, about half each. */
    public Arbitrary<Case> any() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, valid()),
                net.jqwik.api.Tuple.of(5, invalid()));
    }

    /** A trace within every bound of the contract. */
    public Arbitrary<Case> valid() {
        // as JSON text: 1e-400 underflows to 0, which is in range
        Arbitrary<String> latency = Arbitraries.oneOf(Arbitraries.doubles().between(0, 86_400_000).map(Object::toString),
                Arbitraries.of("0", "86400000", "86400000.0", "5e-324", "1e-400", "8.64E7"));
        Arbitrary<Integer> tokens = Arbitraries.oneOf(Arbitraries.integers().between(0, 100_000_000),
                Arbitraries.of(0, 100_000_000));
        Arbitrary<Double> cost = Arbitraries.oneOf(Arbitraries.doubles().between(0, 1_000_000),
                Arbitraries.of(0.0, 1_000_000.0));
        Arbitrary<String> text = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.strings().withChars('a', '\u0000', '\u00e9', '\ud83d').ofMinLength(1).ofMaxLength(50),
                // longer than max-text-chars: stored truncated (built by repeat: jqwik makes long strings slowly;
                // words, because the redactor's e-mail pattern is quadratic in a run of letters)
                Arbitraries.integers().between(1_500, 40_000).map("lorem ip "::repeat));
        Arbitrary<Integer> depth = Arbitraries.integers().between(0, 200);
        return Combinators.combine(latency, tokens, cost, text, depth).as((l, tk, c, t, d) -> {
            String id = UUID.randomUUID().toString();
            String json = "{" + head(id, at(60)) + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},"
                    + "\"latency_ms\":" + l + ",\"ttft_ms\":" + l + ",\"cost_usd\":" + c
                    + ",\"usage\":{\"input_tokens\":" + tk + ",\"output_tokens\":" + tk / 3 + "},"
                    + "\"outcome\":{\"status\":\"ok\",\"quality\":0.5,\"retries\":1000},\"step\":10000,"
                    + "\"input\":" + quote(t) + ",\"output\":" + quote(t) + ",\"tags\":{\"t\":" + quote(cut(t, 256)) + "},"
                    + "\"extension\":" + "{\"a\":".repeat(d) + "1" + "}".repeat(d) + "}";
            return new Case("valid trace", id, utf8(json), null);
        });
    }

    /** A record with one hostile value, and the reason it must be rejected for. */
    public Arbitrary<Case> invalid() {
        return Arbitraries.oneOf(
                number("latency_ms", Arbitraries.of("1e400", "-1e400", "86400000.001", "1e308", "-0.5"), "out_of_range"),
                number("ttft_ms", Arbitraries.of("1e400", "-1e400", "1e10"), "out_of_range"),
                number("cost_usd", Arbitraries.of("1e400", "-1e400", "1000000.5"), "out_of_range"),
                tokens(Arbitraries.oneOf(Arbitraries.longs().between(100_000_001L, Long.MAX_VALUE).map(Object::toString),
                        Arbitraries.of("2147483648", "4294967296", "99999999999999999999999", "1e400", "-1"))),
                number("latency_ms", Arbitraries.of("\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"5\"", "true",
                        "[5]", "{}"), "wrong_type"),
                number("latency_ms", Arbitraries.of("NaN", "Infinity", "-Infinity", "0x10", "1" + "0".repeat(1200)),
                        "malformed_json"),
                rest("deeply nested", "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":1,"
                        + "\"extension\":" + "[".repeat(1001) + "]".repeat(1001), "malformed_json"),
                rest("nested tag", "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":1,"
                        + "\"tags\":{\"t\":{\"a\":{\"b\":1}}}", "wrong_type"),
                rest("deployment as string", "\"deployment\":\"local\",\"latency_ms\":1", "wrong_type"),
                rest("huge model name", "\"deployment\":{\"kind\":\"local\",\"model\":\"" + "m".repeat(100_000)
                        + "\"},\"latency_ms\":1", "out_of_range"),
                rest("NUL model name", "\"deployment\":{\"kind\":\"local\",\"model\":\"\\u0000\"},\"latency_ms\":1",
                        "invalid_format"),
                rest("unknown category", "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":1,"
                        + "\"category\":\"poetry\"", "invalid_enum_value"),
                rest("no latency", "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"}", "missing_required_field"),
                unknownSchema(),
                raw("truncated json", "{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":".getBytes(StandardCharsets.UTF_8),
                        "malformed_json"),
                raw("not utf-8", new byte[]{(byte) 0xff, (byte) 0xfe, '{', '}'}, "malformed_json"),
                raw("empty", new byte[0], "malformed_json"),
                raw("json array", utf8("[1,2,3]"), "wrong_type"),
                ancient());
    }

    /**
     * A rejected record of {@code bytes} bytes (a missing required field, padded with an unknown property):
     * too large for a dead-letter copy with headers to fit the DLQ topic unchanged.
     */
    public Case oversized(int bytes) {
        String key = "oversized-" + UUID.randomUUID();
        String head = "{" + head(key, at(60)) + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"padding\":\"";
        String tail = "\"}";
        int pad = bytes - utf8(head).length - utf8(tail).length;
        return new Case("oversized", key, utf8(head + "p".repeat(pad) + tail), "missing_required_field");
    }

    /** The same trace_id as {@code first} with other content: the first stands, this one is dead-lettered. */
    public Case conflicting(Case first) {
        String json = new String(first.value(), StandardCharsets.UTF_8).replace("\"step\":10000", "\"step\":9999");
        return new Case("conflicting duplicate", first.key(), utf8(json), "duplicate_trace_id_conflict");
    }

    /** A byte-identical redelivery of {@code first}: stored once, never dead-lettered. */
    public Case redelivery(Case first) {
        return new Case("redelivery", first.key(), first.value(), null);
    }

    private Arbitrary<Case> number(String field, Arbitrary<String> values, String reason) {
        return values.map(v -> {
            String id = "bad-" + UUID.randomUUID();
            String others = field.equals("latency_ms") ? "" : "\"latency_ms\":1,";
            String json = "{" + head(id, at(60)) + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"}," + others
                    + "\"" + field + "\":" + v + "}";
            return new Case(field + "=" + cut(v, 24), id, utf8(json), reason);
        });
    }

    private Arbitrary<Case> tokens(Arbitrary<String> values) {
        return Combinators.combine(values, Arbitraries.of("input_tokens", "output_tokens", "context_tokens")).as((v, f) -> {
            String id = "bad-" + UUID.randomUUID();
            String json = "{" + head(id, at(60)) + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":1,"
                    + "\"usage\":{\"" + f + "\":" + v + "}}";
            return new Case(f + "=" + cut(v, 24), id, utf8(json), "out_of_range");
        });
    }

    private Arbitrary<Case> rest(String label, String body, String reason) {
        return Arbitraries.just(label).map(l -> {
            String id = "bad-" + UUID.randomUUID();
            return new Case(l, id, utf8("{" + head(id, at(60)) + body + "}"), reason);
        });
    }

    private Arbitrary<Case> unknownSchema() {
        return Arbitraries.of("tailaudit.trace/v2", "tailaudit.trace/v9", "").map(v -> {
            String id = "bad-" + UUID.randomUUID();
            String json = "{" + head(id, at(60)).replace("tailaudit.trace/v1", v)
                    + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":1}";
            return new Case("schema=" + v, id, utf8(json), "unsupported_schema");
        });
    }

    private Arbitrary<Case> raw(String label, byte[] value, String reason) {
        return Arbitraries.just(label).map(l -> new Case(l, "bad-" + UUID.randomUUID(), value, reason));
    }

    private Arbitrary<Case> ancient() {
        return Arbitraries.integers().between(400, 4000).map(days -> {
            String id = "bad-" + UUID.randomUUID();
            String json = "{" + head(id, now.minus(days, ChronoUnit.DAYS).toString())
                    + "\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},\"latency_ms\":1}";
            return new Case("occurred " + days + " days ago", id, utf8(json), "occurred_at_out_of_range");
        });
    }

    private String head(String id, String occurredAt) {
        return HEAD.formatted(id, occurredAt, task);
    }

    private String at(long secondsAgo) {
        return now.minusSeconds(secondsAgo).toString();
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** A JSON string literal; lone surrogates are escaped, so the bytes are valid UTF-8 JSON either way. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20 || Character.isSurrogate(ch)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
