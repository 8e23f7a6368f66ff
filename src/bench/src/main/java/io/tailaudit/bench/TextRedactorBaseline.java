package io.tailaudit.bench;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The redactor ingest ran before issue 14, copied verbatim as the benchmark's baseline: it cuts first, then
 * runs five regexes (the e-mail one quadratic on a long token without '@'). Not used anywhere else.
 */
final class TextRedactorBaseline {

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"), "[REDACTED:email]"),
            new Rule(Pattern.compile("\\b(?:sk|pk|rk|api|key)[-_][A-Za-z0-9_-]{16,}\\b"), "[REDACTED:api_key]"),
            new Rule(Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{16,}=*"), "[REDACTED:token]"),
            new Rule(Pattern.compile("\\b(?:\\d[ -]?){13,19}\\b"), "[REDACTED:card]"),
            new Rule(Pattern.compile("\\+?\\d{1,3}[ .-]?\\(?\\d{2,4}\\)?[ .-]\\d{3,4}[ .-]\\d{3,4}\\b"), "[REDACTED:phone]"));

    private final int maxChars;

    TextRedactorBaseline(int maxChars) {
        this.maxChars = maxChars;
    }

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
