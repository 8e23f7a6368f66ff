package io.tailaudit.server.index;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's reference inputs and how far an input lies from them. The measure, calibrated on the labelled
 * set in the tests (README "Scope drift"): the input's similarity is the largest share of its distinct
 * terms (Lucene's English analysis, every number one term) that a single reference input contains, over
 * every reference input; novel when that share is below {@link #NOVEL_BELOW}: most of what the input says
 * appears in no single reference input. A new instance of a template, a paraphrase of its instruction or a
 * near miss shares most of its terms with some reference input; a new kind of request in the same
 * vocabulary shares a third, other domains, code and other languages almost none.
 *
 * <p>The reference is held as postings (term to the reference inputs that hold it), so an input costs the
 * postings of its own terms: every reference input is compared, none is skipped, and a refresh of every task
 * stays within seconds.
 */
public final class ScopeReference {

    /** The cut, calibrated on the labelled set (ScopeDriftCalibrationTest prints its precision and recall). */
    public static final double NOVEL_BELOW = 0.55;
    /** Characters of an input that are read: its start says what is asked. */
    static final int MAX_CHARS = 4_000;

    private final ScopeAnalyzer analyzer = new ScopeAnalyzer();
    private final Map<String, int[]> postings;
    private final int size;

    private ScopeReference(List<String> texts) {
        Map<String, List<Integer>> building = new HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            for (String t : analyzer.terms(head(texts.get(i)))) {
                building.computeIfAbsent(t, x -> new ArrayList<>()).add(i);
            }
        }
        postings = new HashMap<>(building.size() * 2);
        building.forEach((t, ids) -> postings.put(t, ids.stream().mapToInt(Integer::intValue).toArray()));
        size = texts.size();
    }

    /** The reference of these (redacted) input texts. */
    public static ScopeReference of(List<String> texts) {
        return new ScopeReference(texts);
    }

    public int size() {
        return size;
    }

    /** Whether the input is novel against the reference. */
    public boolean novel(String input) {
        return similarity(input) < NOVEL_BELOW;
    }

    /**
     * 0 to 1: the largest share of the input's distinct terms that one reference input holds; 1 for an input
     * without terms (nothing in it is new).
     */
    public double similarity(String input) {
        Set<String> terms = analyzer.terms(head(input));
        if (terms.isEmpty()) {
            return 1;
        }
        int[] shared = new int[size];
        int best = 0;
        for (String t : terms) {
            int[] refs = postings.get(t);
            if (refs != null) {
                for (int r : refs) {
                    if (++shared[r] > best) {
                        best = shared[r];
                    }
                }
            }
        }
        return best / (double) terms.size();
    }

    private static String head(String text) {
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }
}
