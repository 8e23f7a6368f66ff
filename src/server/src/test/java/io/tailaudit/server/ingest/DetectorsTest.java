package io.tailaudit.server.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The linear-time design of {@link Detectors} as checked properties of the patterns themselves, since a
 * test cannot time them: each pattern starts at a literal or behind a negative look-behind, and no
 * quantifier that may repeat without bound can give characters back.
 */
class DetectorsTest {

    @Test
    void every_pattern_starts_behind_a_negative_look_behind() {
        for (Detectors.Rule rule : Detectors.RULES) {
            String p = rule.pattern().pattern().replaceFirst("^\\(\\?i\\)", "");

            assertThat(p).as(rule.name()).startsWith("(?<!");
        }
    }

    @Test
    void every_unbounded_quantifier_is_possessive() {
        for (Detectors.Rule rule : Detectors.RULES) {
            assertThat(unboundedGreedyQuantifiers(rule.pattern().pattern())).as(rule.name() + ": " + rule.pattern())
                    .isEmpty();
        }
    }

    @Test
    void the_quantifier_check_finds_a_backtracking_pattern() {
        assertThat(unboundedGreedyQuantifiers("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")).hasSize(3);
        assertThat(unboundedGreedyQuantifiers("(?:a|b)*+x\\+[+*]{1,3}y{2,}+")).isEmpty();
    }

    @Test
    void a_detector_ruled_out_by_the_text_shape_or_its_anchors_never_had_a_match_there() {
        // random texts over the characters the detectors care about, and the corpus itself
        String alphabet = "0123456789 .-()+/=_:'\"AKIAaeyJbBearerasicxoxhf_skpkAIzaghpsecretoken@";
        java.util.Random random = new java.util.Random(14);
        List<String> texts = new ArrayList<>();
        TextRedactorTest.positives().forEach(a -> texts.add((String) a.get()[1]));
        TextRedactorTest.negatives().forEach(texts::add);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(80); j >= 0; j--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(sb.toString());
        }
        for (String text : texts) {
            TextShape shape = TextShape.of(text);
            for (Detectors.Rule rule : Detectors.RULES) {
                java.util.regex.Matcher m = rule.matcher(text);
                while (m.find()) {
                    assertThat(rule.mayMatch().test(shape)).as(rule.name() + " on " + text).isTrue();
                    Anchors anchors = rule.anchors().apply(shape);
                    if (anchors != null) {
                        assertThat(anchors.next(m.start())).as(rule.name() + " anchored on " + text).isEqualTo(m.start());
                    }
                }
            }
        }
    }

    /** Offsets of {@code *}, {@code +} and {@code {n,}} outside character classes not followed by '+'. */
    static List<Integer> unboundedGreedyQuantifiers(String regex) {
        List<Integer> found = new ArrayList<>();
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(' && i + 1 < regex.length() && regex.charAt(i + 1) == '?') {
                i++;
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                int end = c == '{' ? regex.indexOf('}', i) : i;
                boolean unbounded = c == '*' || c == '+' || c == '{' && regex.charAt(end - 1) == ',';
                boolean possessive = end + 1 < regex.length() && regex.charAt(end + 1) == '+';
                if (unbounded && !possessive) {
                    found.add(i);
                }
                i = possessive || end + 1 < regex.length() && regex.charAt(end + 1) == '?' ? end + 1 : end;
            }
        }
        return found;
    }
}
