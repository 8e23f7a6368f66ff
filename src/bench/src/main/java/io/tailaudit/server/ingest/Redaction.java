package io.tailaudit.server.ingest;

import java.util.function.UnaryOperator;

/**
 * The bench's door to the package-private {@link TextRedactor}: the same class ingest runs, not a copy.
 * It lives in the server's package so the server need not make the redactor public for a benchmark.
 */
public final class Redaction {

    private Redaction() {
    }

    /** Redact then cut to {@code maxChars}, as ingest does to prompt and output text. */
    public static UnaryOperator<String> forText(int maxChars) {
        return new TextRedactor(maxChars)::apply;
    }
}
