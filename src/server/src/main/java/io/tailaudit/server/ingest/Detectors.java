package io.tailaudit.server.ingest;

import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secrets and personal data {@link TextRedactor} finds, in the order it looks for them (credentials
 * with a recognisable shape first, so that a later, looser detector sees their marker, not their text).
 *
 * <p>Cost is linear in the text by construction, whatever it holds:
 * <ul>
 *   <li>every pattern starts with a literal or with a negative look-behind on its own character class, so
 *       inside a run of such characters each position is rejected after one comparison and only the run's
 *       first position is tried;</li>
 *   <li>a run is consumed with possessive quantifiers ({@code ++}, {@code {n,}+}), which never give back,
 *       and every gap that may hold spaces or separators is bounded ({@code {0,8}}), so one attempt costs at
 *       most its run plus a constant;</li>
 *   <li>the few greedy quantifiers that may backtrack are bounded and over classes disjoint from what
 *       follows them (digits then separators), so they retry at most their bound;</li>
 *   <li>e-mail addresses and private key blocks are found by hand-written scans ({@link TextRedactor}):
 *       the e-mail scan only starts at an {@code '@'} and never reads past the previous or next one.</li>
 * </ul>
 * No pattern needs more than {@link #MAX_GAP} characters of whitespace-separated context, which is what
 * lets {@link TextRedactor} redact a bounded window of a long text before it cuts it.
 */
final class Detectors {

    /** The most characters, whitespace included, any whitespace-spanning match covers outside a token. */
    static final int MAX_GAP = 128;

    /** A regex detector: the text of {@code group} is replaced by {@code [REDACTED:name]} when accepted. */
    record Rule(String name, Pattern pattern, int group, Predicate<TextShape> mayMatch,
                Function<TextShape, Anchors> anchors, Predicate<String> accept) {

        String marker() {
            return "[REDACTED:" + name + "]";
        }

        Matcher matcher(String text) {
            return pattern.matcher(text);
        }
    }

    private static final Predicate<String> ANY = s -> true;
    private static final String[] AWS_PREFIXES = {"A3T", "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA",
        "ANVA", "APKA", "AROA", "ASCA"};
    private static final String[] GITHUB_PREFIXES = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"};
    /** In lower case: the api_key detector is case-insensitive. */
    private static final String[] KEY_PREFIXES = {"sk-", "sk_", "pk-", "pk_", "rk-", "rk_", "api-", "api_", "key-", "key_"};
    /** In lower case: each keyword the secret detector's pattern starts with. */
    private static final String[] SECRET_KEYWORDS = {"api", "secret", "token", "passw", "pwd", "credential", "access",
        "private", "client"};

    static final List<Rule> RULES = List.of(
            // a header's value whatever its scheme: Basic, Bearer, Digest, a bare token
            new Rule("authorization", Pattern.compile("(?i)(?<![A-Za-z0-9_])authorization[\"']?[ \\t]{0,8}+"
                    + "[:=][ \\t]{0,8}+[\"']?(?:(?:basic|bearer|token|digest|negotiate|ntlm|apikey)[ \\t]{1,8}+)?"
                    + "(?!\\[REDACTED)([^\\s\"',;]{4,}+)"), 1, s -> s.containsIgnoreCase("authorization"),
                    s -> Anchors.literals(s.lower, "authorization"), ANY),
            new Rule("jwt", Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}+\\.[A-Za-z0-9_-]{4,}+\\.[A-Za-z0-9_-]*+"),
                    0, s -> s.contains("eyJ"), s -> Anchors.literals(s.text, "eyJ"), ANY),
            new Rule("token", Pattern.compile("(?i)(?<![A-Za-z0-9])bearer[ \\t]{1,8}+([A-Za-z0-9._~+/=-]{12,}+)"),
                    1, s -> s.containsIgnoreCase("bearer"), s -> Anchors.literals(s.lower, "bearer"), Detectors::hasDigit),
            new Rule("basic_auth", Pattern.compile("(?i)(?<![A-Za-z0-9])basic[ \\t]{1,8}+([A-Za-z0-9+/]{8,}+={0,2})"),
                    1, s -> s.containsIgnoreCase("basic"), s -> Anchors.literals(s.lower, "basic"),
                    Detectors::isBasicCredentials),
            new Rule("aws_access_key", Pattern.compile("(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA"
                    + "|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])"), 0, s -> s.containsAny(AWS_PREFIXES),
                    s -> Anchors.literals(s.text, AWS_PREFIXES), ANY),
            new Rule("github_token", Pattern.compile("(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}+|github_pat_[A-Za-z0-9_]{30,}+)"),
                    0, s -> s.containsAny(GITHUB_PREFIXES), s -> Anchors.literals(s.text, GITHUB_PREFIXES), ANY),
            new Rule("google_api_key", Pattern.compile("(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
                    0, s -> s.contains("AIza"), s -> Anchors.literals(s.text, "AIza"), ANY),
            new Rule("huggingface_token", Pattern.compile("(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}+"), 0, s -> s.contains("hf_"), s -> Anchors.literals(s.text, "hf_"),
                    ANY),
            new Rule("slack_token", Pattern.compile("(?<![A-Za-z0-9_-])(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}+"),
                    0, s -> s.containsAny("xox", "xapp-"), s -> Anchors.literals(s.text, "xox", "xapp-"), ANY),
            // sk-..., SK-..., sk_live_..., pk_..., rk_..., api-..., key_...: some segment random enough
            new Rule("api_key", Pattern.compile("(?i)(?<![A-Za-z0-9_-])(?:sk|pk|rk|api|key)[-_][A-Za-z0-9_-]{16,}+"),
                    0, s -> s.containsAnyIgnoreCase(KEY_PREFIXES), s -> Anchors.literals(s.lower, KEY_PREFIXES),
                    Detectors::hasRandomSegment),
            // api_key=..., "password": "...", aws_secret_access_key = ...: the value only
            new Rule("secret", Pattern.compile("(?i)(?<![A-Za-z0-9])(?:api[_-]?key|apikey|secret|token|password|passwd|pwd"
                    + "|credentials?|access[_-]?key|private[_-]?key|client[_-]?secret)(?:[_-][A-Za-z0-9]{1,16}){0,3}"
                    + "[\"']?[ \\t]{0,8}+[:=][ \\t]{0,8}+[\"']?(?!\\[REDACTED)([^\\s\"',;&<>]{6,}+)"),
                    1, s -> (s.contains(":") || s.contains("=")) && s.containsAnyIgnoreCase(SECRET_KEYWORDS),
                    s -> Anchors.literals(s.lower, SECRET_KEYWORDS), Detectors::isSecretValue),
            new Rule("aws_secret_key", Pattern.compile("(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
                    0, s -> s.base64Run40, s -> null, Detectors::hasUpperLowerAndDigit),
            new Rule("ssn", Pattern.compile("(?<![0-9A-Za-z-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}"
                    + "(?![0-9A-Za-z-])"), 0, s -> s.maxDigitRun >= 9 && s.contains("-"),
                    s -> Anchors.digitRunStarts(s.text), ANY),
            // E.164 and international: '+', country code, 7 to 15 digits in all, spaces, dots, dashes, brackets
            new Rule("phone", Pattern.compile("(?<![0-9A-Za-z+])\\+[1-9](?:[ .()-]{0,2}\\d){6,14}(?!\\d)"), 0,
                    s -> s.maxDigitRun >= 7 && s.contains("+"), s -> Anchors.literals(s.text, "+"), ANY),
            // North American without a country code, a separator before the last four digits
            new Rule("phone", Pattern.compile("(?<![0-9A-Za-z.])(?:\\([2-9]\\d{2}\\)|[2-9]\\d{2})[ .-]?[2-9]\\d{2}[ .-]\\d{4}"
                    + "(?![0-9])"), 0, s -> s.maxDigitRun >= 10,
                    s -> Anchors.digitRunStarts(s.text), ANY),
            // 13 to 19 digits, single spaces, dots or dashes between them, letters may touch: checked below
            new Rule("card", Pattern.compile("(?<![0-9][ .-]?)\\d(?:[ .-]?\\d){12,18}(?![ .-]?\\d)"), 0, s -> s.maxDigitRun >= 13,
                    s -> Anchors.digitRunStarts(s.text), Detectors::isCardNumber));

    private Detectors() {
    }

    static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A run of 16 or more letters and digits with a digit in it: {@code key_value_store} is not a key. */
    static boolean hasRandomSegment(String s) {
        int run = 0;
        boolean digit = false;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '-';
            if (c == '-' || c == '_') {
                if (run >= 16 && digit) {
                    return true;
                }
                run = 0;
                digit = false;
            } else {
                run++;
                digit |= isDigit(c);
            }
        }
        return false;
    }

    /** {@code token_count: 123} is a count, not a secret: short all-digit values stay. */
    static boolean isSecretValue(String s) {
        if (s.length() >= 10) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Basic credentials are base64 of {@code user:password}; {@code basic understanding} is not base64. */
    static boolean isBasicCredentials(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        if (end % 4 == 1) {
            return false;
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(s.substring(0, end) + "==".substring(0, (4 - end % 4) % 4));
            for (byte b : decoded) {
                if (b == ':') {
                    return true;
                }
            }
            return false;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** An AWS secret key is 40 random base64 characters: a git SHA or a word run lacks a case or digits. */
    static boolean hasUpperLowerAndDigit(String s) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            digit |= isDigit(c);
        }
        return upper && lower && digit;
    }

    /**
     * A payment card: 13 to 19 digits, an issuer's first digit (2 Mastercard 2-series, 3 Amex, Diners, JCB,
     * 4 Visa, 5 Mastercard, 6 Discover, UnionPay, Maestro) and a valid Luhn check digit. An order number,
     * a compact timestamp ({@code 20261124101502}) or an IP address fails one of them.
     */
    static boolean isCardNumber(String s) {
        int[] digits = new int[19];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isDigit(c)) {
                if (n == digits.length) {
                    return false;
                }
                digits[n++] = c - '0';
            }
        }
        if (n < 13 || digits[0] < 2 || digits[0] > 6) {
            return false;
        }
        if (digits[0] == 2) {
            int prefix = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3];
            if (prefix < 2221 || prefix > 2720) {
                return false;
            }
        }
        int sum = 0;
        for (int i = 0; i < n; i++) {
            int d = digits[n - 1 - i];
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return sum % 10 == 0;
    }
}
