package io.tailaudit.server.tail;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the evidence argues for one task deployment, and why: every verdict carries sentences answering
 * the seed's three questions (scope, tail, cost) with numbers, and links to the traces behind them.
 *
 * @param cohort               for HYBRID, the cohort to route to the cloud (e.g. "context > 8k tokens")
 * @param sampleSizeToDecide   for INSUFFICIENT_DATA, the traces in the window that would decide it
 * @param alert                the tail is visible and nowhere better to go (a cloud deployment), or a canary
 *                             contradicts the move the rules argue for: page someone
 * @param basis                what drives a move: the tail (MOVE_TO_CLOUD on the tail, HYBRID) or cost
 *                             (MOVE_TO_LOCAL, MOVE_TO_CLOUD on cost); NONE for KEEP and INSUFFICIENT_DATA, except
 *                             a KEEP that a contradicting canary turned a move into, which keeps its basis
 * @param confirmation         what the canary on the move's destination side says about it (DESIGN "Canary
 *                             comparison"); NONE when no move is argued for
 */
public record Verdict(Kind kind, String headline, Optional<String> cohort, OptionalLong sampleSizeToDecide,
                      boolean alert, List<String> evidence, Map<String, String> links, Basis basis,
                      Confirmation confirmation) {

    /** What drives a move. */
    public enum Basis { TAIL, COST, NONE }

    /**
     * The destination canary's word on a move: CONFIRMED, NOT_SUPPORTED (the move stands, unconfirmed),
     * CONTRADICTED (the move became KEEP with an alert), NOT_COMPUTABLE (a canary with fewer than 30 traces,
     * or the busiest deployment has fewer), NO_CANARY (nothing measured on the destination side), NONE (no
     * move argued for).
     */
    public enum Confirmation {
        CONFIRMED, NOT_SUPPORTED, CONTRADICTED, NOT_COMPUTABLE, NO_CANARY, NONE;

        @com.fasterxml.jackson.annotation.JsonValue
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Kind {
        MOVE_TO_CLOUD, MOVE_TO_LOCAL, HYBRID, KEEP, INSUFFICIENT_DATA;

        /** Flagged verdicts (a move) come first in lists, then KEEP, then INSUFFICIENT_DATA. */
        public int rank() {
            return switch (this) {
                case MOVE_TO_CLOUD, MOVE_TO_LOCAL, HYBRID -> 0;
                case KEEP -> 1;
                case INSUFFICIENT_DATA -> 2;
            };
        }
    }

    public Verdict {
        evidence = List.copyOf(evidence);
        links = Map.copyOf(links);
    }

    /** A verdict the canaries have not been read for yet. */
    Verdict(Kind kind, String headline, Optional<String> cohort, OptionalLong sampleSizeToDecide, boolean alert,
            List<String> evidence, Map<String, String> links, Basis basis) {
        this(kind, headline, cohort, sampleSizeToDecide, alert, evidence, links, basis, Confirmation.NONE);
    }

    /** Whether the verdict argues for moving traffic (the kinds a canary can confirm). */
    public boolean move() {
        return kind == Kind.MOVE_TO_CLOUD || kind == Kind.MOVE_TO_LOCAL || kind == Kind.HYBRID;
    }

    /** Whether the move goes to the cloud (MOVE_TO_CLOUD, HYBRID); else to local. Only for a move. */
    public boolean towardsCloud() {
        return kind == Kind.MOVE_TO_CLOUD || kind == Kind.HYBRID;
    }

    /** See {@link Kind#rank()}. */
    public int rank() {
        return kind.rank();
    }
}
