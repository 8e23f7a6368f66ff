package io.tailaudit.server.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
 * <p>The reference is held as postings (term to the reference inputs that hold it, in order), so an input
 * costs the postings of its own terms, rarest first: once no reference input not met yet could beat the best
 * share, the longer (more common) lists are only searched for the inputs that still could. The result is
 * exact: every reference input is accounted for.
 */
public final class ScopeReference {

    /** The cut, calibrated on the labelled set (ScopeDriftCalibrationTest prints its precision and recall). */
    public static final double NOVEL_BELOW = 0.55;
    /** Characters of an input that are read: its start says what is asked. */
    static final int MAX_CHARS = 4_000;

    private final ScopeAnalyzer analyzer = new ScopeAnalyzer();
    private final Map<String, int[]> postings;
    private final int size;
    private final long bytes;

    private ScopeReference(List<String> texts) {
        Map<String, List<Integer>> building = new HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            for (String t : analyzer.terms(head(texts.get(i)))) {
                building.computeIfAbsent(t, x -> new ArrayList<>()).add(i);
            }
        }
        postings = new HashMap<>(building.size() * 2);
        long b = 64;
        for (Map.Entry<String, List<Integer>> e : building.entrySet()) {
            postings.put(e.getKey(), e.getValue().stream().mapToInt(Integer::intValue).toArray());
            b += 48 + 40 + 2L * e.getKey().length() + 16 + 4L * e.getValue().size();
        }
        bytes = b;
        size = texts.size();
    }

    /** About how many bytes of heap it holds. */
    long bytes() {
        return bytes;
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
        int n = terms.size();
        if (n == 0) {
            return 1;
        }
        // a term no reference input holds only lowers the share; the others, rarest first
        int[][] lists = new int[n][];
        int m = 0;
        for (String t : terms) {
            int[] refs = postings.get(t);
            if (refs != null) {
                lists[m++] = refs;
            }
        }
        Arrays.sort(lists, 0, m, Comparator.comparingInt(a -> a.length));
        int[] shared = new int[size];
        int best = 0;
        int i = 0;
        // count every reference input while one not seen yet could still beat the best: m - i lists remain
        for (; i < m && m - i > best; i++) {
            for (int r : lists[i]) {
                if (++shared[r] > best) {
                    best = shared[r];
                }
            }
        }
        if (i < m) {
            // then only reference inputs already seen can: check those in the remaining (longest) lists
            int[] candidates = new int[size];
            int c = 0;
            for (int r = 0; r < size; r++) {
                if (shared[r] > 0 && shared[r] + (m - i) > best) {
                    candidates[c++] = r;
                }
            }
            for (; i < m && c > 0; i++) {
                int[] list = lists[i];
                int after = m - i - 1;
                int kept = 0;
                for (int k = 0; k < c; k++) {
                    int r = candidates[k];
                    if (Arrays.binarySearch(list, r) >= 0 && ++shared[r] > best) {
                        best = shared[r];
                    }
                    if (shared[r] + after > best) {
                        candidates[kept++] = r;
                    }
                }
                c = kept;
            }
        }
        return best / (double) n;
    }

    private static String head(String text) {
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }
}
