package io.tailaudit.server.ingest;

/**
 * Where a detector's match may start, found without its regex: the next occurrence of one of its
 * literals (case-sensitive, or in the ASCII lower-case copy), or the next start of a run of digits. The
 * regex is then only tried there ({@code lookingAt}), instead of {@code find()} trying every position.
 * Positions only move forward and each literal's next occurrence is remembered until passed, so walking a
 * text costs one scan per literal, whatever the number of candidates.
 */
abstract class Anchors {

    /** The first position at or after {@code from} where a match may start; -1 when there is none. */
    abstract int next(int from);

    static Anchors literals(String haystack, String... literals) {
        return new Literals(haystack, literals);
    }

    /** A digit whose previous character is not a digit, or a {@code '('} before one. */
    static Anchors digitRunStarts(String text) {
        return new Anchors() {
            @Override
            int next(int from) {
                for (int i = Math.max(from, 0); i < text.length(); i++) {
                    char c = text.charAt(i);
                    boolean digit = c >= '0' && c <= '9';
                    boolean previousDigit = i > 0 && text.charAt(i - 1) >= '0' && text.charAt(i - 1) <= '9';
                    if (digit && !previousDigit || c == '(' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1))) {
                        return i;
                    }
                }
                return -1;
            }
        };
    }

    private static final class Literals extends Anchors {
        private static final int NONE = Integer.MAX_VALUE;
        private final String haystack;
        private final String[] literals;
        private final int[] next;

        Literals(String haystack, String[] literals) {
            this.haystack = haystack;
            this.literals = literals;
            this.next = new int[literals.length];
            java.util.Arrays.fill(next, -1);
        }

        @Override
        int next(int from) {
            int best = NONE;
            for (int i = 0; i < literals.length; i++) {
                if (next[i] != NONE && next[i] < from) {
                    int at = haystack.indexOf(literals[i], from);
                    next[i] = at < 0 ? NONE : at;
                }
                best = Math.min(best, next[i]);
            }
            return best == NONE ? -1 : best;
        }
    }
}
