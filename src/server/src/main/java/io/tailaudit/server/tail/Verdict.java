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
 * @param alert                the tail is visible and nowhere better to go (a cloud deployment): page someone
 */
public record Verdict(Kind kind, String headline, Optional<String> cohort, OptionalLong sampleSizeToDecide,
                      boolean alert, List<String> evidence, Map<String, String> links) {

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

    /** See {@link Kind#rank()}. */
    public int rank() {
        return kind.rank();
    }
}
