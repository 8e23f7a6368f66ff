package io.tailaudit.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.tailaudit.sdk.ContractSchema;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;

/**
 * A fast path in front of the contract's JSON Schema. It answers only "proved valid" (with the event's
 * {@code occurred_at}) or "not proved": it checks each field the contract names in a form at least as strict as
 * the schema's, and says "not proved" wherever it is unsure, so that the schema validator decides those and gives
 * the exact reason. It never rejects, so it can never reject what the schema accepts; and every check is a
 * subset of the schema's, so it can never accept what the schema rejects ({@code ContractFastPathProperties}
 * generates events around every bound and holds it to that against the real validator).
 *
 * <p>Where it is stricter than the schema (it then leaves the event to the schema): integers written as
 * {@code 5.0}; strings whose UTF-16 length passes a bound their code-point length may not; a non-blank string
 * whose only visible characters are outside ASCII; {@code occurred_at} other than
 * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)} in upper case, of a year from 1000, second 60, an offset of
 * 18 hours or more, or {@code -00:00}; numbers Jackson read as {@code BigInteger} or {@code BigDecimal}.
 *
 * <p>It was written against one schema document: if the class path's schema is any other (its SHA-256 differs),
 * the fast path turns itself off and every event goes to the schema validator.
 */
final class ContractFastPath {

    private static final Logger LOG = Logger.getLogger(ContractFastPath.class);

    /** SHA-256 of the schema document this class checks for; {@code ContractFastPathTest} says when to renew it. */
    static final String SCHEMA_SHA256 = "8b9947993cbf34b6f961eef440347a8ef2c5f5d3112add52923f165aa4c0feba";

    static final boolean ENABLED = schemaIsTheOneCheckedFor();

    private static final int MAX_STRING = 256;
    private static final int MAX_PRODUCER_ID = 64;
    private static final long MAX_SEQ = 9_007_199_254_740_991L;
    private static final int MAX_TAGS = 32;
    private static final Set<String> CATEGORIES = Set.of("autocomplete", "classification", "keyboard",
            "extraction", "long_context_qa", "agentic", "chat", "codebase_reasoning", "other");
    private static final Set<String> KINDS = Set.of("local", "cloud");
    private static final Set<String> STATUSES = Set.of("ok", "error", "timeout", "refused", "invalid_output");
    private static final Set<String> FEEDBACK = Set.of("positive", "negative");

    private ContractFastPath() {
    }

    /** The event's {@code occurred_at} if {@code root} is proved valid; null if not proved (the schema decides). */
    static Instant proveValid(JsonNode root) {
        if (!ENABLED || root == null || !root.isObject() || !isText(root.get("schema"), ContractSchema.SCHEMA_ID)) {
            return null;
        }
        JsonNode kind = root.get("kind");
        Instant occurredAt = occurredAt(root.get("occurred_at"));
        if (occurredAt == null || !nonBlank(root.get("trace_id")) || !nonBlank(root.get("task"))
                || !producer(root.get("producer"))) {
            return null;
        }
        boolean valid;
        if (kind == null || isText(kind, "trace")) {
            valid = trace(root);
        } else if (isText(kind, "feedback")) {
            valid = feedback(root);
        } else {
            valid = false;
        }
        return valid ? occurredAt : null;
    }

    private static boolean trace(JsonNode n) {
        return oneOf(n.get("category"), CATEGORIES)
                && optionalString(n.get("service"))
                && deployment(n.get("deployment"))
                && number(n.get("latency_ms"), ContractSchema.MAX_MILLISECONDS)
                && absentOr(n.get("ttft_ms"), v -> number(v, ContractSchema.MAX_MILLISECONDS))
                && absentOr(n.get("cost_usd"), v -> number(v, ContractSchema.MAX_COST_USD))
                && absentOr(n.get("usage"), ContractFastPath::usage)
                && absentOr(n.get("outcome"), ContractFastPath::outcome)
                && optionalString(n.get("session_id"))
                && optionalString(n.get("parent_trace_id"))
                && absentOr(n.get("step"), v -> integer(v, ContractSchema.MAX_STEP))
                && absentOr(n.get("input"), JsonNode::isTextual)
                && absentOr(n.get("output"), JsonNode::isTextual)
                && absentOr(n.get("tags"), ContractFastPath::tags);
    }

    private static boolean feedback(JsonNode n) {
        JsonNode rating = n.get("feedback");
        JsonNode escalated = n.get("escalated");
        JsonNode quality = n.get("quality");
        JsonNode label = n.get("label");
        return (rating != null || escalated != null || quality != null || label != null)
                && absentOr(rating, v -> oneOf(v, FEEDBACK))
                && absentOr(escalated, JsonNode::isBoolean)
                && absentOr(quality, v -> number(v, 1))
                && optionalString(label);
    }

    private static boolean deployment(JsonNode d) {
        return d != null && d.isObject()
                && oneOf(d.get("kind"), KINDS)
                && nonBlank(d.get("model"))
                && optionalString(d.get("provider"))
                && optionalString(d.get("model_version"))
                && optionalString(d.get("quantization"))
                && optionalString(d.get("region"));
    }

    private static boolean usage(JsonNode u) {
        return u.isObject()
                && absentOr(u.get("input_tokens"), v -> integer(v, ContractSchema.MAX_TOKENS))
                && absentOr(u.get("output_tokens"), v -> integer(v, ContractSchema.MAX_TOKENS))
                && absentOr(u.get("context_tokens"), v -> integer(v, ContractSchema.MAX_TOKENS));
    }

    private static boolean outcome(JsonNode o) {
        return o.isObject()
                && absentOr(o.get("status"), v -> oneOf(v, STATUSES))
                && optionalString(o.get("error_type"))
                && absentOr(o.get("quality"), v -> number(v, 1))
                && absentOr(o.get("feedback"), v -> oneOf(v, FEEDBACK))
                && absentOr(o.get("escalated"), JsonNode::isBoolean)
                && absentOr(o.get("fallback"), JsonNode::isBoolean)
                && absentOr(o.get("retries"), v -> integer(v, ContractSchema.MAX_RETRIES))
                && absentOr(o.get("schema_valid"), JsonNode::isBoolean);
    }

    private static boolean tags(JsonNode t) {
        if (!t.isObject() || t.size() > MAX_TAGS) {
            return false;
        }
        for (Iterator<JsonNode> it = t.elements(); it.hasNext(); ) {
            JsonNode v = it.next();
            if (!v.isTextual() || v.textValue().length() > MAX_STRING) {
                return false;
            }
        }
        return true;
    }

    private static boolean producer(JsonNode p) {
        if (p == null) {
            return true;
        }
        if (!p.isObject() || !integer(p.get("seq"), MAX_SEQ)) {
            return false;
        }
        JsonNode id = p.get("id");
        if (id == null || !id.isTextual()) {
            return false;
        }
        String s = id.textValue();
        if (s.isEmpty() || s.length() > MAX_PRODUCER_ID) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private interface Check {
        boolean test(JsonNode v);
    }

    private static boolean absentOr(JsonNode v, Check check) {
        return v == null || check.test(v);
    }

    private static boolean isText(JsonNode v, String expected) {
        return v != null && v.isTextual() && v.textValue().equals(expected);
    }

    private static boolean oneOf(JsonNode v, Set<String> values) {
        return v != null && v.isTextual() && values.contains(v.textValue());
    }

    private static boolean optionalString(JsonNode v) {
        return v == null || (v.isTextual() && v.textValue().length() <= MAX_STRING);
    }

    /** The schema's nonBlank: 1 to 256 characters, one of them neither white space nor NUL (here: visible ASCII). */
    private static boolean nonBlank(JsonNode v) {
        if (v == null || !v.isTextual()) {
            return false;
        }
        String s = v.textValue();
        if (s.isEmpty() || s.length() > MAX_STRING) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > ' ' && c < 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** A JSON number Jackson holds as a double, int or long, finite and within [0, max]. */
    private static boolean number(JsonNode v, double max) {
        if (v == null || !(v.isDouble() || v.isInt() || v.isLong())) {
            return false;
        }
        double d = v.doubleValue();
        return d >= 0 && d <= max;         // false for NaN; Infinity exceeds every max
    }

    /** A JSON integer (no fraction, no exponent) within [0, max]. */
    private static boolean integer(JsonNode v, long max) {
        if (v == null || !(v.isInt() || v.isLong())) {
            return false;
        }
        long l = v.longValue();
        return l >= 0 && l <= max;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)}, a real date and time of a year from 1000: the instant, or
     * null for anything else (the schema's date-time format and {@code OffsetDateTime} then decide).
     */
    static Instant occurredAt(JsonNode v) {
        return v != null && v.isTextual() ? parseInstant(v.textValue()) : null;
    }

    static Instant parseInstant(String s) {
        int n = s.length();
        if (n < 20 || n > 35 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            int count = i - start;
            if (count < 1 || count > 9) {
                return null;
            }
            nanos = digits(s, start, count);
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            // -00:00 is RFC 3339's "offset unknown", which the schema's date-time reader refuses
            if (oh < 0 || oh > 17 || om < 0 || om > 59 || (s.charAt(i) == '-' && oh == 0 && om == 0)) {
                return null;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        long epochSecond = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second
                - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The decimal value of {@code count} ASCII digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (as {@code LocalDate.toEpochDay}, without the object). */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367L * month - 362) / 12 + day - 1;
        if (month > 2) {
            boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            total -= leap ? 1 : 2;
        }
        return total - 719_528L;          // days from 0000-01-01 to 1970-01-01
    }

    private static boolean schemaIsTheOneCheckedFor() {
        String actual = sha256OfSchema();
        if (!SCHEMA_SHA256.equals(actual)) {
            LOG.warnf("the contract schema on the class path (SHA-256 %s) is not the one the ingest fast path "
                    + "was written for: every event is checked by the schema validator alone", actual);
            return false;
        }
        return true;
    }

    static String sha256OfSchema() {
        try (InputStream in = ContractSchema.open()) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
