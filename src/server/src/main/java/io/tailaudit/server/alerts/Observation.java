package io.tailaudit.server.alerts;

/**
 * One subject's reading of one rule in a cycle: the value with its interval where it has one, whether the
 * condition holds, whether it clears (past the rule's hysteresis), the summary and link an alert carries,
 * and for verdict rules the verdict read.
 */
record Observation(String subject, String category, Double value, Double low, Double high, Double threshold,
                   boolean holds, boolean clears, String summary, String link, String verdict) {

    /** A subject with a state but no reading this cycle (no traffic in the window): it stops holding. */
    static Observation gone(String subject, String lastSummary, String link) {
        return new Observation(subject, null, null, null, null, null, false, true,
                lastSummary + " (no traces in the window any more)", link, null);
    }
}
