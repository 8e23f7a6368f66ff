package io.tailaudit.server.ingest;

/**
 * What one pass over a text tells the detectors about it, so that a detector that cannot match is not
 * run: a lower-case copy for case-insensitive keywords, the most digits in one run of digits joined by at
 * most two of {@code " .-()"} (a card needs 13, a North American phone 10, an SSN 9), and whether there is
 * a run of exactly 40 base64 characters (an AWS secret key). Each check only rules a detector out; it
 * never decides that something is a secret.
 */
final class TextShape {

    final String text;
    final String lower;
    final int maxDigitRun;
    final boolean base64Run40;

    private TextShape(String text) {
        this.text = text;
        this.lower = asciiLower(text);
        int best = 0;
        int digits = 0;
        int gap = 0;
        int b64 = 0;
        boolean run40 = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits = gap > 2 ? 1 : digits + 1;
                gap = 0;
                best = Math.max(best, digits);
            } else if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') {
                gap++;
            } else {
                digits = 0;
                gap = 0;
            }
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
                b64++;
            } else {
                run40 |= b64 == 40;
                b64 = 0;
            }
        }
        this.maxDigitRun = best;
        this.base64Run40 = run40 || b64 == 40;
    }

    /** Lower-cases A-Z only, so every index in the copy is the same index in the text. */
    private static String asciiLower(String text) {
        char[] chars = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (chars == null) {
                    chars = text.toCharArray();
                }
                chars[i] = (char) (c + 32);
            }
        }
        return chars == null ? text : new String(chars);
    }

    static TextShape of(String text) {
        return new TextShape(text);
    }

    boolean contains(String literal) {
        return text.contains(literal);
    }

    /** {@code keyword} in lower case, found whatever the text's case. */
    boolean containsIgnoreCase(String keyword) {
        return lower.contains(keyword);
    }

    boolean containsAny(String... literals) {
        for (String l : literals) {
            if (text.contains(l)) {
                return true;
            }
        }
        return false;
    }

    boolean containsAnyIgnoreCase(String... keywords) {
        for (String k : keywords) {
            if (lower.contains(k)) {
                return true;
            }
        }
        return false;
    }
}
