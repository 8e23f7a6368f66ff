package io.tailaudit.server.ingest;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redacts the obvious secrets and personal data from prompt and output text before it is stored or
 * indexed, then truncates it. Patterns are deliberately conservative: e-mail addresses, payment card
 * numbers, phone numbers, API keys and bearer tokens.
 */
final class TextRedactor {

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"), "[REDACTED:email]"),
            new Rule(Pattern.compile("\\b(?:sk|pk|rk|api|key)[-_][A-Za-z0-9_-]{16,}\\b"), "[REDACTED:api_key]"),
            new Rule(Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{16,}=*"), "[REDACTED:token]"),
            new Rule(Pattern.compile("\\b(?:\\d[ -]?){13,19}\\b"), "[REDACTED:card]"),
            new Rule(Pattern.compile("\\+?\\d{1,3}[ .-]?\\(?\\d{2,4}\\)?[ .-]\\d{3,4}[ .-]\\d{3,4}\\b"), "[REDACTED:phone]"));

    private final int maxChars;

    TextRedactor(int maxChars) {
        this.maxChars = maxChars;
    }

    /** Returns null for null; otherwise the redacted text, cut to {@code maxChars} with a marker. */
    String apply(String text) {
        if (text == null) {
            return null;
        }
        String t = text.length() > maxChars ? text.substring(0, maxChars) : text;
        for (Rule rule : RULES) {
            Matcher m = rule.pattern().matcher(t);
            if (m.find()) {
                t = m.replaceAll(rule.replacement());
            }
        }
        return text.length() > maxChars ? t + " [TRUNCATED " + text.length() + " chars]" : t;
    }
}
