package io.tailaudit.server.tail;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictEngineTest {

    private static final CostModel COST = new CostModel(2.50, 10.00, 1.20, 1, 2_500, 400);

    private static TaskSettings settings(String category, boolean constrained, double budgetMs) {
        return new TaskSettings("t", category, category, 0.5, budgetMs, false, constrained, 0.05, true, Set.of());
    }

    /** A worst-5% slice of {@code size} traces of which {@code visible} are visible failures. */
    private static QualityHistogram.WorstSlice slice(double size, double visible) {
        return new QualityHistogram.WorstSlice(size, visible, 0.1, 0.2);
    }

    /** A deployment with {@code failures} visible failures in {@code traces}; its worst 5% hold as many as fit. */
    private static DeploymentEvidence evidence(boolean local, double tokensPerDay, long failures, long traces) {
        double k = 0.05 * traces;
        return new DeploymentEvidence("t", local, "m", traces, tokensPerDay, 0.8, new VisibleRate(failures, traces),
                slice(k, Math.min(k, failures)), Optional.empty(), Optional.empty(), ScopeDrift.notMeasured("not measured in this test"));
    }

    @Test
    void a_local_chat_failing_about_one_in_ten_moves_to_the_cloud() {
        // 400 of 4,000 = 10%: Wilson [9.1%, 11.0%], above 5%
        Verdict v = VerdictEngine.decide(evidence(true, 3_000_000, 400, 4_000), settings("chat", false, 5_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(v.headline()).contains("10.0% of requests fail visibly");
        assertThat(v.evidence()).hasSize(3);
        assertThat(v.evidence().get(1)).startsWith("Tail: 10.0% of requests fail visibly (400 of 4,000, 95% CI 9.1% to 11.0%)")
                .contains("the worst 5% (200 traces) are 100.0% visible failures");
        assertThat(v.links()).containsKey("worst_traces");
    }

    @Test
    void a_fine_tuned_local_classifier_with_two_percent_visible_failures_keeps_its_tail() {
        // the seed's "local wins (fine-tuned)": 600 of 30,000 = 2%, Wilson [1.85%, 2.16%], below 5%, although
        // 40% of its worst 5% (600 of 1,500) are visible failures
        DeploymentEvidence e = new DeploymentEvidence("triage", true, "m", 30_000, 9_000_000, 0.98,
                new VisibleRate(600, 30_000), slice(1_500, 600), Optional.empty(), Optional.empty(), ScopeDrift.notMeasured("not measured in this test"));

        Verdict v = VerdictEngine.decide(e, settings("classification", true, 2_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
    }

    @Test
    void long_context_failing_a_few_percent_below_8k_and_a_third_above_is_hybrid() {
        // <= 8k: 300 of 20,000 = 1.5% [1.34%, 1.68%]; > 8k: 3,500 of 10,000 = 35% [34.1%, 35.9%]; all: 12.7%
        DeploymentEvidence e = new DeploymentEvidence("contract-qa", true, "llama", 30_000, 4_000_000, 0.95,
                new VisibleRate(3_800, 30_000), slice(1_500, 1_500), Optional.of(new VisibleRate(300, 20_000)),
                Optional.of(new VisibleRate(3_500, 10_000)), ScopeDrift.notMeasured("not measured in this test"));

        Verdict v = VerdictEngine.decide(e, settings("long_context_qa", false, 10_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.HYBRID);
        assertThat(v.cohort()).contains(VerdictEngine.LONG_CONTEXT_COHORT);
        assertThat(v.evidence()).hasSize(4);
        assertThat(v.evidence().get(3)).contains("1.5% of requests fail visibly").contains("35.0%");
    }

    @Test
    void a_healthy_local_task_under_500k_tokens_a_day_moves_to_the_cloud_on_cost() {
        Verdict v = VerdictEngine.decide(evidence(true, 120_000, 0, 4_000), settings("classification", true, 2_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(v.headline()).contains("on cost");
    }

    @Test
    void a_healthy_local_autocomplete_stays_local_because_of_its_latency_budget() {
        Verdict v = VerdictEngine.decide(evidence(true, 120_000, 0, 8_000), settings("autocomplete", true, 100), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
    }

    @Test
    void a_constrained_cloud_extraction_with_one_and_a_half_percent_failures_above_the_break_even_moves_to_local() {
        // 240 of 16,000 = 1.5%, Wilson [1.32%, 1.70%], below 5%; 8M tokens/day against a 3.4M break-even
        Verdict v = VerdictEngine.decide(evidence(false, 8_000_000, 240, 16_000), settings("extraction", true, 10_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_LOCAL);
        assertThat(v.headline()).contains("8.0M tokens/day").contains("3.4M break-even");
    }

    private static DeploymentEvidence cloudExtraction(ScopeDrift drift) {
        return new DeploymentEvidence("t", false, "m", 16_000, 8_000_000, 0.8, new VisibleRate(0, 16_000),
                slice(800, 0), Optional.empty(), Optional.empty(), drift);
    }

    @Test
    void a_constrained_cloud_task_whose_drift_interval_lies_above_20_percent_is_open_and_stays_in_the_cloud() {
        // 350 novel of 1,000: Wilson [32.1%, 38.0%], wholly above 20%
        Verdict v = VerdictEngine.decide(cloudExtraction(new ScopeDrift(5_000, 1_000, 350, 500, Optional.empty())),
                settings("extraction", true, 10_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(v.headline()).contains("the scope is open");
        assertThat(v.evidence().get(0)).contains("Scope: open despite the extraction category")
                .contains("35.0% of 1,000 sampled (of 5,000) inputs are novel against 500 reference inputs");
    }

    @Test
    void a_drift_interval_that_contains_20_percent_leaves_the_scope_undecided_and_blocks_the_move() {
        // 20 novel of 100: Wilson [13.3%, 28.9%] contains 20%
        Verdict v = VerdictEngine.decide(cloudExtraction(new ScopeDrift(100, 100, 20, 200, Optional.empty())),
                settings("extraction", true, 10_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(v.headline()).contains("undecided");
        assertThat(v.evidence().get(0)).startsWith("Scope: undecided");
    }

    @Test
    void a_drift_interval_below_20_percent_keeps_the_constrained_scope_and_the_move() {
        // 30 novel of 1,000: Wilson [2.1%, 4.3%]
        Verdict v = VerdictEngine.decide(cloudExtraction(new ScopeDrift(1_000, 1_000, 30, 500, Optional.empty())),
                settings("extraction", true, 10_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_LOCAL);
        assertThat(v.evidence().get(0)).contains("3.0% of 1,000 inputs are novel").contains("below 20%");
    }

    @Test
    void an_unmeasured_drift_leaves_the_categorys_default_and_says_so() {
        Verdict v = VerdictEngine.decide(cloudExtraction(ScopeDrift.notMeasured("only 40 inputs with text")),
                settings("extraction", true, 10_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_LOCAL);
        assertThat(v.evidence().get(0)).contains("drift not measured: only 40 inputs with text")
                .contains("the category's default stands");
    }

    @Test
    void a_local_deployment_of_a_drifting_constrained_task_gets_a_scope_warning() {
        DeploymentEvidence e = new DeploymentEvidence("t", true, "llama", 16_000, 8_000_000, 0.8,
                new VisibleRate(0, 16_000), slice(800, 0), Optional.empty(), Optional.empty(),
                new ScopeDrift(1_000, 1_000, 400, 500, Optional.empty()));

        Verdict v = VerdictEngine.decide(e, settings("extraction", true, 10_000), Optional.of(COST), "gpt-4o");

        assertThat(v.evidence().get(0)).contains("warning: a local model specialised on the first inputs");
    }

    @Test
    void a_cloud_task_with_a_visible_tail_is_kept_and_alerts() {
        Verdict v = VerdictEngine.decide(evidence(false, 1_000_000, 600, 6_000), settings("chat", false, 5_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(v.alert()).isTrue();
    }

    @Test
    void a_few_dozen_traces_with_a_handful_of_failures_are_insufficient_data_counted_in_the_deployments_traces() {
        // 3 of 50 = 6%: Wilson [2.1%, 16.2%] contains 5%; its worst 5% would be 2.5 traces
        Verdict v = VerdictEngine.decide(evidence(true, 1_000_000, 3, 50), settings("chat", false, 5_000), Optional.of(COST), "gpt-4o");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.INSUFFICIENT_DATA);
        long traces = Proportions.sampleSizeToDecide(0.06, 0.05).orElseThrow();
        assertThat(v.sampleSizeToDecide()).hasValue(traces);
        // at 6% the interval leaves 5% behind after about 2,000 traces: the deployment's, not 20 times that
        assertThat(traces).isBetween(1_500L, 2_500L);
        assertThat(v.rank()).isEqualTo(2);
    }

    @Test
    void a_cloud_task_on_a_cheap_model_is_judged_at_its_own_price_and_stays_in_the_cloud() {
        // gpt-4o-mini at 0.15/0.60 $ per 1M: 0.24 $/M at an 80% input share against a GPU marginal 0.13 $/M
        // and 13.15 $/day fixed: break-even ~123M tokens/day, far above 7.7M (at gpt-4o's price it is 3.4M)
        CostModel mini = new CostModel(0.15, 0.60, 1.20, 1, 2_500, 400);
        Verdict v = VerdictEngine.decide(evidence(false, 7_700_000, 50, 16_000), settings("extraction", true, 10_000),
                Optional.of(mini), "gpt-4o-mini");

        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(v.headline()).contains("below the break-even");
        assertThat(v.evidence().get(2)).contains("on gpt-4o-mini").contains("break-even 123");
    }

    @Test
    void an_unpriced_model_draws_no_cost_verdict_and_says_so() {
        Verdict cloud = VerdictEngine.decide(evidence(false, 8_000_000, 0, 16_000), settings("extraction", true, 10_000),
                Optional.empty(), "my-private-model");
        Verdict local = VerdictEngine.decide(evidence(true, 120_000, 0, 4_000), settings("classification", true, 2_000),
                Optional.empty(), "my-private-model");

        assertThat(cloud.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(local.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(cloud.evidence().get(2)).startsWith("Cost: unpriced: my-private-model has no price");
    }

    // ---- canary comparison (DESIGN "Canary comparison")

    private static CanaryComparison canary(boolean local, long failures, long traces, long busiestFailures,
                                           long busiestTraces, boolean busiestLocal) {
        return CanaryComparison.of(local, local ? "llama" : "gpt-4o", busiestLocal, CanaryComparison.ALL_TRAFFIC,
                new VisibleRate(failures, traces), new VisibleRate(busiestFailures, busiestTraces));
    }

    @Test
    void a_cloud_canary_that_fails_far_less_confirms_the_move_of_a_chat_failing_one_in_ten() {
        // local 452 of 4,000 (11.3%); cloud canary 21 of 1,000 (2.1%): difference -9.2 pp, Newcombe [-10.4, -7.8]
        TaskSettings s = settings("chat", false, 5_000);
        Verdict rules = VerdictEngine.decide(evidence(true, 3_000_000, 452, 4_000), s, Optional.of(COST), "gpt-4o");
        assertThat(rules.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(rules.basis()).isEqualTo(Verdict.Basis.TAIL);
        CanaryComparison c = canary(false, 21, 1_000, 452, 4_000, true);
        assertThat(c.outcome()).isEqualTo(CanaryComparison.Outcome.BETTER);
        Verdict v = VerdictEngine.confirm(rules, Optional.of(c), s);
        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(v.confirmation()).isEqualTo(Verdict.Confirmation.CONFIRMED);
        assertThat(v.evidence()).last().asString().matches("Canary: the cloud canary gpt-4o fails visibly 2\\.1% vs 11\\.3%"
                + " locally, difference -9\\.2 pp, 95% CI -10\\.\\d to -7\\.\\d pp, p < 0\\.001: confirmed\\.");
    }

    @Test
    void a_cloud_canary_failing_worse_contradicts_a_tail_move_which_becomes_keep_with_an_alert() {
        TaskSettings s = settings("chat", false, 5_000);
        Verdict rules = VerdictEngine.decide(evidence(true, 3_000_000, 400, 4_000), s, Optional.of(COST), "gpt-4o");
        // 10.0% locally; the canary 30 of 200 = 15%: Newcombe [+0.6, +10.7] pp, wholly above 0
        CanaryComparison c = canary(false, 30, 200, 400, 4_000, true);
        assertThat(c.outcome()).isEqualTo(CanaryComparison.Outcome.WORSE);
        Verdict v = VerdictEngine.confirm(rules, Optional.of(c), s);
        assertThat(v.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(v.alert()).isTrue();
        assertThat(v.confirmation()).isEqualTo(Verdict.Confirmation.CONTRADICTED);
        assertThat(v.basis()).isEqualTo(Verdict.Basis.TAIL);
        assertThat(v.headline()).contains("cloud canary gpt-4o", "contradicts the move to the cloud");
        assertThat(v.evidence()).anySatisfy(x -> assertThat(x).startsWith("The rules alone said: Move to the cloud"));
    }

    @Test
    void a_canary_without_a_significant_difference_leaves_a_tail_move_standing_unconfirmed() {
        TaskSettings s = settings("chat", false, 5_000);
        Verdict rules = VerdictEngine.decide(evidence(true, 3_000_000, 400, 4_000), s, Optional.of(COST), "gpt-4o");
        // 9 of 100 = 9% against 10%: the interval contains 0
        Verdict v = VerdictEngine.confirm(rules, Optional.of(canary(false, 9, 100, 400, 4_000, true)), s);
        assertThat(v.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(v.confirmation()).isEqualTo(Verdict.Confirmation.NOT_SUPPORTED);
        assertThat(v.evidence()).last().asString().endsWith(": not supported.");
    }

    @Test
    void a_canary_under_30_traces_is_not_computable_and_no_canary_says_what_would_measure_it() {
        TaskSettings s = settings("chat", false, 5_000);
        Verdict rules = VerdictEngine.decide(evidence(true, 3_000_000, 400, 4_000), s, Optional.of(COST), "gpt-4o");
        Verdict small = VerdictEngine.confirm(rules, Optional.of(canary(false, 0, 29, 400, 4_000, true)), s);
        assertThat(small.kind()).isEqualTo(Verdict.Kind.MOVE_TO_CLOUD);
        assertThat(small.confirmation()).isEqualTo(Verdict.Confirmation.NOT_COMPUTABLE);
        Verdict none = VerdictEngine.confirm(rules, Optional.empty(), s);
        assertThat(none.confirmation()).isEqualTo(Verdict.Confirmation.NO_CANARY);
        assertThat(none.evidence()).last().asString().contains("about 292 traces");
    }

    @Test
    void a_cost_move_needs_its_canary_only_no_worse_than_half_the_threshold() {
        TaskSettings s = settings("extraction", true, 10_000);
        Verdict rules = VerdictEngine.decide(evidence(false, 8_000_000, 240, 16_000), s, Optional.of(COST), "gpt-4o");
        assertThat(rules.kind()).isEqualTo(Verdict.Kind.MOVE_TO_LOCAL);
        assertThat(rules.basis()).isEqualTo(Verdict.Basis.COST);
        // the cloud fails 1.5%. A local canary at 2.0% of 1,000: [-0.2, +1.6] pp, no significant difference,
        // and the upper bound is under the +2.5 pp margin: confirmed, where a tail move would be not supported
        CanaryComparison close = canary(true, 20, 1_000, 240, 16_000, false);
        assertThat(close.difference().orElseThrow().interval().high()).isLessThan(0.025);
        assertThat(VerdictEngine.confirm(rules, Optional.of(close), s).confirmation())
                .isEqualTo(Verdict.Confirmation.CONFIRMED);
        assertThat(close.support(Verdict.Basis.TAIL, 0.05)).isEqualTo(Verdict.Confirmation.NOT_SUPPORTED);
        // at 6% of 1,000, [+3.2, +6.2] pp: the lower bound is above the margin: contradicted, kept in the cloud
        CanaryComparison bad = canary(true, 60, 1_000, 240, 16_000, false);
        assertThat(bad.difference().orElseThrow().interval().low()).isGreaterThan(0.025);
        Verdict kept = VerdictEngine.confirm(rules, Optional.of(bad), s);
        assertThat(kept.kind()).isEqualTo(Verdict.Kind.KEEP);
        assertThat(kept.alert()).isTrue();
        assertThat(kept.headline()).startsWith("Keep it in the cloud: the local canary llama contradicts");
        // at 3% of 1,000 the interval [+0.6, +2.8] pp straddles the margin: not supported, the move stands
        CanaryComparison straddles = canary(true, 30, 1_000, 240, 16_000, false);
        assertThat(straddles.difference().orElseThrow().interval().contains(0.025)).isTrue();
        assertThat(VerdictEngine.confirm(rules, Optional.of(straddles), s).kind()).isEqualTo(Verdict.Kind.MOVE_TO_LOCAL);
    }

    @Test
    void verdicts_that_move_nothing_are_left_as_they_are() {
        TaskSettings s = settings("chat", false, 5_000);
        Verdict keep = VerdictEngine.decide(evidence(false, 1_000_000, 600, 6_000), s, Optional.of(COST), "gpt-4o");
        assertThat(VerdictEngine.confirm(keep, Optional.of(canary(true, 0, 1_000, 600, 6_000, false)), s)).isSameAs(keep);
        assertThat(keep.confirmation()).isEqualTo(Verdict.Confirmation.NONE);
    }
}
