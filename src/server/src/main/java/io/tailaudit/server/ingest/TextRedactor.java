package io.tailaudit.server.ingest;

import java.util.regex.Matcher;

/**
 * Redacts secrets and personal data from producer text before it is stored, indexed or shown: prompt and
 * output (then cut to {@code maxChars}), and every free-text field, tag and rejection detail (not cut).
 * What is found is listed in {@link Detectors} and in the README's "Redaction"; each finding becomes
 * {@code [REDACTED:<kind>]}, so the same input always gives the same output and redacted values still group.
 *
 * <p>Redaction comes before the cut, so a secret that straddles the limit is removed whole, never left
 * with its start showing. A long text is not redacted in full: only its first {@code maxChars} plus
 * {@link Detectors#MAX_GAP} characters, extended to the next whitespace, quote, comma or semicolon so that
 * no token is split, are read; no detector needs more context than that. The cost is linear in what is read (see
 * {@link Detectors}). Thread-safe.
 */
final class TextRedactor {

    private static final String BEGIN = "-----BEGIN";
    private static final String END = "-----END";
    private static final String PRIVATE_KEY = "[REDACTED:private_key]";
    private static final String EMAIL = "[REDACTED:email]";
    private static final String MARKER_START = "[REDACTED:";
    /** RFC 5321 limits: 64 characters before the '@', 255 after. */
    private static final int MAX_LOCAL = 64;
    private static final int MAX_DOMAIN = 255;

    private final int maxChars;

    TextRedactor(int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1, got " + maxChars);
        }
        this.maxChars = maxChars;
    }

    /** Returns null for null; otherwise the redacted text, cut to {@code maxChars} with a marker. */
    String apply(String text) {
        if (text == null) {
            return null;
        }
        String kept = prefix(text, maxChars);
        return text.length() <= maxChars ? kept : kept + " [TRUNCATED " + text.length() + " chars]";
    }

    /**
     * The first {@code chars} characters of the redacted text, without a marker (a DLQ payload preview):
     * only the window that can affect them is redacted.
     */
    String prefix(String text, int chars) {
        if (text.length() <= chars) {
            return redact(text);
        }
        return cut(redact(text.substring(0, windowEnd(text, chars + Detectors.MAX_GAP))), chars);
    }

    /** The whole text redacted, not cut; null for null. For short fields: tags, ids, details. */
    static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String t = privateKeys(text);
        t = emails(t);
        // one pass tells which detectors can match; taken again only after a redaction changed the text
        TextShape shape = TextShape.of(t);
        for (Detectors.Rule rule : Detectors.RULES) {
            if (shape.text != t) {
                shape = TextShape.of(t);
            }
            if (rule.mayMatch().test(shape)) {
                t = apply(rule, shape);
            }
        }
        return t;
    }

    /**
     * The first character at or after {@code from} that no token detector reads (whitespace, a quote, a
     * comma, a semicolon), so the window never ends inside a token.
     */
    private static int windowEnd(String text, int from) {
        int i = Math.min(from, text.length());
        while (i < text.length() && !endsToken(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean endsToken(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == ',' || c == ';';
    }

    /** The first {@code maxChars} characters, moved back so no marker or surrogate pair is split. */
    static String cut(String redacted, int maxChars) {
        if (redacted.length() <= maxChars) {
            return redacted;
        }
        int end = maxChars;
        if (Character.isHighSurrogate(redacted.charAt(end - 1))) {
            end--;
        }
        int marker = redacted.lastIndexOf(MARKER_START, end - 1);
        if (marker >= 0 && redacted.indexOf(']', marker) >= end) {
            end = marker;
        }
        return redacted.substring(0, end);
    }

    /**
     * The rule's regex tried only where its anchors say a match may start ({@code lookingAt} with
     * transparent bounds, so its look-behind still sees the character before), or everywhere with
     * {@code find()} for a rule without anchors.
     */
    private static String apply(Detectors.Rule rule, TextShape shape) {
        String t = shape.text;
        Anchors anchors = rule.anchors().apply(shape);
        Matcher m = rule.matcher(t).useTransparentBounds(true).useAnchoringBounds(false);
        StringBuilder out = null;
        int last = 0;
        int from = 0;
        while (from <= t.length()) {
            int at;
            if (anchors == null) {
                if (!m.find(from)) {
                    break;
                }
                at = m.start();
            } else {
                at = anchors.next(from);
                if (at < 0) {
                    break;
                }
                m.region(at, t.length());
                if (!m.lookingAt()) {
                    from = at + 1;
                    continue;
                }
            }
            from = Math.max(m.end(), at + 1);
            int start = m.start(rule.group());
            int end = m.end(rule.group());
            if (!rule.accept().test(t.substring(start, end))) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(t.length());
            }
            out.append(t, last, start).append(rule.marker());
            last = end;
        }
        return out == null ? t : out.append(t, last, t.length()).toString();
    }

    /**
     * {@code -----BEGIN ... PRIVATE KEY-----} through its {@code -----END ...-----} line; a block whose end
     * is missing (a cut text) is redacted to the end. Each search starts where the last one stopped.
     */
    private static String privateKeys(String t) {
        int begin = t.indexOf(BEGIN);
        if (begin < 0) {
            return t;
        }
        StringBuilder out = new StringBuilder(t.length());
        int last = 0;
        while (begin >= 0) {
            int headerEnd = t.indexOf("-----", begin + BEGIN.length());
            // a header is a line of its own: "-----BEGIN RSA PRIVATE KEY-----", "... PGP PRIVATE KEY BLOCK-----"
            if (headerEnd < 0 || headerEnd - begin > 64 || !isPrivateKeyHeader(t, begin + BEGIN.length(), headerEnd)) {
                begin = t.indexOf(BEGIN, begin + BEGIN.length());
                continue;
            }
            int end = t.indexOf(END, headerEnd + 5);
            int stop;
            if (end < 0) {
                stop = t.length();
            } else {
                int close = t.indexOf("-----", end + END.length());
                stop = close < 0 || close - end > 64 ? t.length() : close + 5;
            }
            out.append(t, last, begin).append(PRIVATE_KEY);
            last = stop;
            begin = stop >= t.length() ? -1 : t.indexOf(BEGIN, stop);
        }
        return out.append(t, last, t.length()).toString();
    }

    private static boolean isPrivateKeyHeader(String t, int from, int to) {
        String header = t.substring(from, to);
        return header.endsWith("PRIVATE KEY") || header.endsWith("PRIVATE KEY BLOCK");
    }

    /**
     * Addresses are found from their {@code '@'}: the local part is read backwards (at most 64 characters,
     * never past the previous match), the domain forwards (at most 255). Non-ASCII letters and digits count
     * on both sides ({@code jörg@例え.jp}); the domain needs a dot and a top-level label of two or more
     * letters (or an {@code xn--} label). Text without '@' costs one indexOf.
     */
    private static String emails(String t) {
        int at = t.indexOf('@');
        if (at < 0) {
            return t;
        }
        StringBuilder out = null;
        int last = 0;
        while (at >= 0) {
            int start = at;
            while (start > last && at - start < MAX_LOCAL && isLocal(t.charAt(start - 1))) {
                start--;
            }
            while (start < at && t.charAt(start) == '.') {
                start++;
            }
            int end = at + 1;
            while (end < t.length() && end - at <= MAX_DOMAIN && isDomain(t.charAt(end))) {
                end++;
            }
            while (end > at + 1 && (t.charAt(end - 1) == '.' || t.charAt(end - 1) == '-')) {
                end--;
            }
            if (start < at && isDomainName(t, at + 1, end)) {
                if (out == null) {
                    out = new StringBuilder(t.length());
                }
                out.append(t, last, start).append(EMAIL);
                last = end;
            }
            at = t.indexOf('@', Math.max(at + 1, last));
        }
        return out == null ? t : out.append(t, last, t.length()).toString();
    }

    private static boolean isLocal(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
                || c > 127 && Character.isLetterOrDigit(c);
    }

    private static boolean isDomain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
                || c > 127 && Character.isLetterOrDigit(c);
    }

    /** {@code example.com}, {@code mail.例え.jp}, not {@code localhost}, {@code 2x}, {@code a..b}. */
    private static boolean isDomainName(String t, int from, int to) {
        // never lastIndexOf: without a dot in the domain it would read back to the text's start, per '@'
        int dot = to - 1;
        while (dot > from && t.charAt(dot) != '.') {
            dot--;
        }
        if (dot <= from || dot >= to - 2 || t.charAt(dot - 1) == '.' || t.charAt(from) == '.') {
            return false;
        }
        if (t.startsWith("xn--", dot + 1)) {
            return true;
        }
        for (int i = dot + 1; i < to; i++) {
            if (!Character.isLetter(t.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
