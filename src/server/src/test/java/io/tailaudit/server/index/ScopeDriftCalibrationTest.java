package io.tailaudit.server.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drift measure on the labelled set (test resources drift/labelled-set.json, written by its generator
 * beside it): five task shapes (invoice extraction, ticket triage, clause classification, query autocomplete,
 * a help-center FAQ), each with 150 reference inputs and 110 labelled cases: 60 in scope (new instances of
 * the templates, paraphrases of the instruction, near misses) and 50 novel (a new intent in the task's own
 * vocabulary, off-domain questions, code, other languages, open-ended writing). The cut must keep
 * precision at or above 0.9 and recall at or above 0.8 over the whole set.
 */
class ScopeDriftCalibrationTest {

    private record Scored(String task, String kind, boolean novel, double similarity) {
    }

    private static final List<Scored> SCORED = new ArrayList<>();
    /** Every reference and case text, with the brute-force similarity (every term against every input). */
    private static final List<double[]> PRUNED_AND_BRUTE = new ArrayList<>();

    @BeforeAll
    static void score() throws IOException {
        JsonNode set;
        try (InputStream in = ScopeDriftCalibrationTest.class.getResourceAsStream("/drift/labelled-set.json")) {
            set = new ObjectMapper().readTree(in);
        }
        for (JsonNode shape : set.get("shapes")) {
            List<String> reference = new ArrayList<>();
            shape.get("reference").forEach(r -> reference.add(r.asText()));
            ScopeReference ref = ScopeReference.of(reference);
            List<java.util.Set<String>> refTerms = reference.stream().map(ANALYZER::terms).toList();
            for (JsonNode c : shape.get("cases")) {
                double similarity = ref.similarity(c.get("text").asText());
                SCORED.add(new Scored(shape.get("task").asText(), c.get("kind").asText(), c.get("novel").asBoolean(),
                        similarity));
                PRUNED_AND_BRUTE.add(new double[] {similarity, brute(refTerms, c.get("text").asText())});
            }
            // the other shapes' cases against this reference: mostly far from it, some sharing words
            for (JsonNode other : set.get("shapes")) {
                for (JsonNode c : other.get("cases")) {
                    PRUNED_AND_BRUTE.add(new double[] {ref.similarity(c.get("text").asText()),
                            brute(refTerms, c.get("text").asText())});
                }
            }
        }
    }

    @Test
    void the_cut_finds_novel_inputs_with_precision_090_and_recall_080() {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (Scored s : SCORED) {
            boolean flagged = s.similarity() < ScopeReference.NOVEL_BELOW;
            if (flagged && s.novel()) {
                tp++;
            } else if (flagged) {
                fp++;
            } else if (s.novel()) {
                fn++;
            }
        }
        double precision = tp / (double) (tp + fp);
        double recall = tp / (double) (tp + fn);
        System.out.printf(Locale.ROOT, "scope drift calibration: %d cases, cut %.2f, precision %.3f (%d of %d flagged),"
                + " recall %.3f (%d of %d novel)%n", SCORED.size(), ScopeReference.NOVEL_BELOW, precision, tp, tp + fp,
                recall, tp, tp + fn);
        Map<String, double[]> byKind = new TreeMap<>();
        for (Scored s : SCORED) {
            double[] a = byKind.computeIfAbsent(s.kind(), k -> new double[3]);
            a[0] += s.similarity();
            a[1] += s.similarity() < ScopeReference.NOVEL_BELOW ? 1 : 0;
            a[2]++;
        }
        byKind.forEach((kind, a) -> System.out.printf(Locale.ROOT, "  %-11s mean similarity %.2f, flagged novel %.0f of"
                + " %.0f%n", kind, a[0] / a[2], a[1], a[2]));
        assertThat(SCORED).hasSize(550);
        assertThat(precision).isGreaterThanOrEqualTo(0.9);
        assertThat(recall).isGreaterThanOrEqualTo(0.8);
    }

    private static final ScopeAnalyzer ANALYZER = new ScopeAnalyzer();

    /** The measure as defined: the largest share of the input's distinct terms held by one reference input. */
    private static double brute(List<java.util.Set<String>> reference, String input) {
        java.util.Set<String> terms = ANALYZER.terms(input);
        if (terms.isEmpty()) {
            return 1;
        }
        int best = 0;
        for (java.util.Set<String> r : reference) {
            int shared = 0;
            for (String t : terms) {
                shared += r.contains(t) ? 1 : 0;
            }
            best = Math.max(best, shared);
        }
        return best / (double) terms.size();
    }

    @Test
    void the_pruned_search_gives_exactly_the_similarity_of_comparing_every_reference_input() {
        assertThat(PRUNED_AND_BRUTE).hasSize(550 + 5 * 550);
        for (double[] p : PRUNED_AND_BRUTE) {
            assertThat(p[0]).isEqualTo(p[1]);
        }
    }

    @Test
    void every_novel_kind_is_mostly_found_and_every_in_scope_kind_mostly_kept() {
        Map<String, int[]> byKind = new TreeMap<>();
        for (Scored s : SCORED) {
            int[] a = byKind.computeIfAbsent(s.kind(), k -> new int[2]);
            a[0] += (s.similarity() < ScopeReference.NOVEL_BELOW) == s.novel() ? 1 : 0;
            a[1]++;
        }
        byKind.forEach((kind, a) -> assertThat(a[0] / (double) a[1]).as(kind).isGreaterThanOrEqualTo(0.8));
    }

    @Test
    void an_input_identical_to_a_reference_input_is_in_scope_and_one_without_terms_is_not_novel() {
        ScopeReference ref = ScopeReference.of(List.of("Extract the invoice number and total due as JSON: INV 1234",
                "Classify this ticket as billing or technical"));
        assertThat(ref.similarity("Extract the invoice number and total due as JSON: INV 99")).isEqualTo(1.0);
        assertThat(ref.novel("Write a poem about the sea")).isTrue();
        assertThat(ref.novel("   ")).isFalse();
    }
}
