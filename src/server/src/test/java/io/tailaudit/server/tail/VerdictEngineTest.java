package io.tailaudit.server.tail;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictEngineTest {

    private static final CostModel COST = new CostModel(2.50, 10.00, 1.20, 1, 2_500, 400);

    private static TaskSettings settings(String category, boolean constrained, double budgetMs) {
        return new TaskSettings("t", category, category, 0.5, budgetMs, false, constrained, 0.05, Set.of());
    }

    /** A slice of {@code size} traces of which {@code visible} are visible failures. */
    private static QualityHistogram.WorstSlice slice(double size, double visible) {
        return new QualityHistogram.WorstSlice(size, visible, 0.1, 0.2);
    }

    private static DeploymentEvidence evidence(boolean local, double tokensPerDay, QualityHistogram.WorstSlice tail) {
        return new DeploymentEvidence("t", local, "m", (long) (tail.size() * 20), tokensPerDay, 0.8, tail,
                Optional.empty(), Optional.empty(), OptionalDouble.empty());
    }

    @Test
    void a_local_chat_whose_worst_five_percent_fail_visibly_moves_to_the_cloud() {
        // 200 of 200 in the slice fail: Wilson low bound ~98%, far above 5%
        Verdict v = VerdictEngine.decide(evidence(true, 3_000_000, slice(200, 200)), settings("chat", false, 5_000), COST, "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(v.evidence()).hasSize(3);
        assertThat(v.evidence().get(1)).startsWith("Tail: the worst 5% (200 of 4,000 traces) are 100.0% visible failures");
        assertThat(v.links()).containsKey("worst_traces");
    }

    @Test
    void long_context_failing_only_above_8k_is_hybrid() {
        DeploymentEvidence e = new DeploymentEvidence("contract-qa", true, "llama", 30_000, 4_000_000, 0.95,
                slice(1_500, 1_500), Optional.of(slice(1_000, 0)), Optional.of(slice(500, 500)), OptionalDouble.empty());

        Verdict v = VerdictEngine.decide(e, settings("long_context_qa", false, 10_000), COST, "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.HYBRID);
        assertThat(v.cohort()).contains(VerdictEngine.LONG_CONTEXT_COHORT);
        assertThat(v.evidence()).hasSize(4);
    }

    @Test
    void a_healthy_local_task_under_500k_tokens_a_day_moves_to_the_cloud_on_cost() {
        Verdict v = VerdictEngine.decide(evidence(true, 120_000, slice(200, 0)), settings("classification", true, 2_000), COST, "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(v.headline()).contains("on cost");
    }

    @Test
    void a_healthy_local_autocomplete_stays_local_because_of_its_latency_budget() {
        Verdict v = VerdictEngine.decide(evidence(true, 120_000, slice(400, 0)), settings("autocomplete", true, 100), COST, "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
    }

    @Test
    void a_constrained_cloud_task_above_the_break_even_moves_to_local() {
        Verdict v = VerdictEngine.decide(evidence(false, 8_000_000, slice(800, 0)), settings("extraction", true, 10_000), COST, "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_LOCAL);
        assertThat(v.headline()).contains("8.0M tokens/day").contains("3.4M break-even");
    }

    @Test
    void a_constrained_cloud_task_with_drifting_inputs_stays_in_the_cloud() {
        DeploymentEvidence e = new DeploymentEvidence("t", false, "m", 16_000, 8_000_000, 0.8, slice(800, 0),
                Optional.empty(), Optional.empty(), OptionalDouble.of(0.35));

        assertThat(VerdictEngine.decide(e, settings("extraction", true, 10_000), COST, "gpt-4o").kind())
                .isEqualTo(Verdict.Kind.KEEP);
    }

    @Test
    void a_cloud_task_with_a_visible_tail_is_kept_and_alerts() {
        Verdict v = VerdictEngine.decide(evidence(false, 1_000_000, slice(300, 120)), settings("chat", false, 5_000), COST, "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(v.alert()).isTrue();
    }

    @Test
    void an_interval_containing_the_threshold_is_insufficient_data_with_the_deciding_sample() {
        // 3 of 50 = 6%: Wilson [2.1%, 16.2%] contains 5%
        Verdict v = VerdictEngine.decide(evidence(true, 1_000_000, slice(50, 3)), settings("chat", false, 5_000), COST, "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.INSUFFICIENT_DATA);
        long slice = Proportions.sampleSizeToDecide(0.06, 0.05).orElseThrow();
        assertThat(v.sampleSizeToDecide()).hasValue((long) Math.ceil(slice / 0.05));
        assertThat(v.rank()).isEqualTo(2);
    }
}
