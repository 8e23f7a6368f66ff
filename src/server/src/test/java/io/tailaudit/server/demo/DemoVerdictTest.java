package io.tailaudit.server.demo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Seven days of the demo's traffic (the generator the embedded platform runs, at its catalog's volumes)
 * through Kafka and ingest, read from the task endpoints on that 7-day window: each seeded case comes out with
 * the verdict it was designed to show, for the seed article's reasons. The week is ingested once, by the first
 * test that needs it, under task ids of its own.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class DemoVerdictTest {

    private static final Logger LOG = Logger.getLogger(DemoVerdictTest.class);
    private static final double T = 0.05;

    /** The seeded cases no test below looks at more closely, and the verdict each was designed for. */
    private static final Map<String, String> OTHERS = new LinkedHashMap<>();

    static {
        OTHERS.put("sql-agent", "MOVE_TO_CLOUD");               // local agent whose errors compound
        OTHERS.put("ide-autocomplete", "KEEP");                 // local, absorbable tail, 100 ms budget
        OTHERS.put("smart-reply", "KEEP");                      // likewise
        OTHERS.put("receipt-extraction", "KEEP");               // fine-tuned local extraction above break-even
        OTHERS.put("product-tagging", "MOVE_TO_CLOUD");         // local, fine tail, under 500k tokens/day
        OTHERS.put("support-agent", "KEEP");                    // cloud agent, open scope
        OTHERS.put("repo-explainer", "KEEP");                   // cloud codebase reasoning, open scope
        OTHERS.put("email-summarizer", "KEEP");                 // cloud, "other" is open by default
    }

    private static Week week;

    @Test
    void local_chat_failing_about_one_in_ten_moves_to_the_cloud_on_its_tail() {
        Week w = week();
        String chat = w.row("customer-support-chat");
        assertThat(w.list().getString(chat + "verdict.kind")).as(w.describe("customer-support-chat"))
                .isEqualTo("MOVE_TO_CLOUD");
        assertThat(w.list().getString(chat + "verdict.basis")).isEqualTo("TAIL");
        assertThat(w.list().getDouble(chat + "visible_failure_rate.rate")).isBetween(0.08, 0.12);
        assertThat(w.list().getDouble(chat + "visible_failure_rate.low")).isGreaterThan(T);
    }

    @Test
    void smaller_cloud_canary_of_the_chat_task_confirms_its_move_to_the_cloud() {
        Week w = week();
        JsonPath detail = w.detail("customer-support-chat");
        assertThat(detail.getString("verdict.confirmation")).as(detail.getString("verdict.evidence"))
                .isEqualTo("confirmed");
        String canary = "comparisons.find { it.deployment.kind == 'cloud' }.";
        LOG.infof("demo week %s", detail.getString(canary + "sentence"));
        assertThat(detail.getString(canary + "deployment.model")).isEqualTo("gpt-4o");
        assertThat(detail.getBoolean(canary + "speaks_for_side")).isTrue();
        assertThat(detail.getString(canary + "support")).isEqualTo("confirmed");
        assertThat(detail.getDouble(canary + "high")).as(detail.getString(canary + "sentence")).isLessThan(0);
        assertThat(detail.getDouble(canary + "canary.denominator"))
                .isLessThan(detail.getDouble(canary + "busiest.denominator"));
    }

    @Test
    void fine_tuned_local_classifier_failing_a_few_percent_is_kept() {
        Week w = week();
        String triage = w.row("ticket-triage");
        assertThat(w.list().getString(triage + "verdict.kind")).as(w.describe("ticket-triage")).isEqualTo("KEEP");
        assertThat(w.list().getString(triage + "deployment.kind")).isEqualTo("local");
        assertThat(w.list().getDouble(triage + "visible_failure_rate.rate")).isBetween(0.01, T);
        assertThat(w.list().getDouble(triage + "visible_failure_rate.high")).isLessThan(T);
    }

    @Test
    void long_context_task_is_hybrid_routing_its_over_8k_cohort_to_the_cloud() {
        Week w = week();
        String qa = w.row("contract-qa");
        assertThat(w.list().getString(qa + "verdict.kind")).as(w.describe("contract-qa")).isEqualTo("HYBRID");
        assertThat(w.list().getString(qa + "verdict.cohort")).isEqualTo("context > 8k tokens");
        JsonPath detail = w.detail("contract-qa");
        LOG.infof("demo week %s", detail.getString("verdict.evidence.find { it.startsWith('Cohorts') }"));
        String split = "deployments.find { it.busiest }.context_split.";
        assertThat(detail.getDouble(split + "up_to8k_visible_failure_rate.rate")).isBetween(0.01, T);
        assertThat(detail.getDouble(split + "up_to8k_visible_failure_rate.high")).isLessThan(T);
        assertThat(detail.getDouble(split + "over8k_visible_failure_rate.rate")).isGreaterThan(1.0 / 3);
    }

    @Test
    void high_volume_extraction_on_gpt_4o_moves_to_local_well_above_its_break_even() {
        Week w = week();
        String invoices = w.row("invoice-extraction");
        assertThat(w.list().getString(invoices + "verdict.kind")).as(w.describe("invoice-extraction"))
                .isEqualTo("MOVE_TO_LOCAL");
        assertThat(w.list().getString(invoices + "deployment.model")).isEqualTo("gpt-4o");
        assertThat(w.list().getDouble(invoices + "tokens_per_day"))
                .isGreaterThan(1.5 * w.list().getDouble(invoices + "break_even_tokens_per_day"));
    }

    @Test
    void high_volume_classifier_on_gpt_4o_mini_stays_in_the_cloud_far_below_its_own_break_even() {
        Week w = week();
        String legal = w.row("legal-doc-classifier");
        assertThat(w.list().getString(legal + "verdict.kind")).as(w.describe("legal-doc-classifier")).isEqualTo("KEEP");
        assertThat(w.list().getString(legal + "deployment.model")).isEqualTo("gpt-4o-mini");
        double tokensPerDay = w.list().getDouble(legal + "tokens_per_day");
        assertThat(tokensPerDay).as("above the seed's 2-5M band").isGreaterThan(5_000_000);
        assertThat(w.list().getDouble(legal + "break_even_tokens_per_day")).isGreaterThan(10 * tokensPerDay);
    }

    @Test
    void small_task_is_insufficient_data_with_the_traces_that_would_decide_it() {
        Week w = week();
        String faq = w.row("faq-bot");
        assertThat(w.list().getString(faq + "verdict.kind")).as(w.describe("faq-bot")).isEqualTo("INSUFFICIENT_DATA");
        assertThat(w.list().getLong(faq + "verdict.sample_size_to_decide"))
                .isGreaterThan(w.list().getLong(faq + "traces"));
    }

    @jakarta.inject.Inject
    io.tailaudit.server.index.ScopeDriftJob drift;

    @Test
    void extraction_whose_scope_drifts_moves_to_local_until_its_drift_is_measured_then_stays_in_the_cloud() {
        Week w = week();
        String task = "vendor-onboarding" + w.suffix();
        // on volume alone (no drift measured: its reference period is not over) a constrained task moves local
        assertThat(w.list().getString(w.row("vendor-onboarding") + "verdict.kind")).as(w.describe("vendor-onboarding"))
                .isEqualTo("MOVE_TO_LOCAL");
        // the demo pins its reference to its first three days, as an engineer would, and measures
        given().contentType("application/json").body(Map.of("from", w.from().toString(), "to",
                w.from().plus(DemoCatalog.PINNED_REFERENCE).toString())).put("/api/v1/tasks/{task}/scope-reference", task)
                .then().statusCode(200);
        await().atMost(ofSeconds(60)).pollInterval(ofSeconds(1)).until(() -> {
            drift.refresh(task);
            return given().queryParam("window", "7d").get("/api/v1/tasks/{task}", task).jsonPath()
                    .getBoolean("scope_drift.measured");
        });
        JsonPath d = given().queryParam("window", "7d").get("/api/v1/tasks/{task}", task).then().statusCode(200)
                .extract().jsonPath().using(new io.restassured.path.json.config.JsonPathConfig(
                        io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));
        LOG.infof("demo week vendor-onboarding: drift %.3f [%.3f, %.3f] of %.0f sampled, verdict %s: %s",
                d.getDouble("scope_drift.share"), d.getDouble("scope_drift.low"), d.getDouble("scope_drift.high"),
                d.getDouble("scope_drift.sampled"), d.getString("verdict.kind"), d.getString("verdict.headline"));
        assertThat(d.getDouble("scope_drift.sampled")).isEqualTo(1000);
        assertThat(d.getDouble("scope_drift.low")).isGreaterThan(0.2);
        assertThat(d.getString("scope_drift.scope")).isEqualTo("open");
        assertThat(d.getString("verdict.kind")).isEqualTo("KEEP");
        assertThat(d.getString("verdict.headline")).contains("the scope is open");
    }

    @Test
    void every_other_seeded_case_gets_its_designed_verdict() {
        Week w = week();
        OTHERS.forEach((task, verdict) ->
                assertThat(w.list().getString(w.row(task) + "verdict.kind")).as(w.describe(task)).isEqualTo(verdict));
    }

    private static synchronized Week week() {
        if (week == null) {
            week = ingestWeek();
        }
        return week;
    }

    /** The demo's last seven days (to the hour) under task ids of their own, ingested and read from the list. */
    private static Week ingestWeek() {
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 6);
        Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant from = to.minus(7, ChronoUnit.DAYS);
        DemoGenerator generator = new DemoGenerator(new Random(7), 1.0, to.minus(DemoCatalog.DRIFT_AGO));
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        long traces = 0;
        long feedback = 0;
        for (DemoTask t : DemoCatalog.TASKS) {
            for (Object e : generator.between(t.named(t.task() + suffix), from, to)) {
                if (e instanceof Trace trace) {
                    records.add(new AbstractMap.SimpleEntry<>(trace.traceId(), EventWriter.write(trace)));
                    traces++;
                } else {
                    Feedback f = (Feedback) e;
                    records.add(new AbstractMap.SimpleEntry<>(f.traceId(), EventWriter.write(f)));
                    feedback++;
                }
            }
        }
        Kafka.sendAll(Kafka.TOPIC, records);
        long expectedTraces = traces;
        long expectedFeedback = feedback;     // at most one feedback event per trace
        await().atMost(ofSeconds(240)).pollInterval(ofSeconds(2)).until(() ->
                Db.count("SELECT count(*) FROM trace WHERE task LIKE ?", "%" + suffix) == expectedTraces
                        && Db.count("SELECT count(*) FROM trace WHERE task LIKE ? AND feedback IS NOT NULL",
                        "%" + suffix) == expectedFeedback);
        JsonPath list = given().queryParam("from", from.toString()).queryParam("to", to.toString())
                .get("/api/v1/tasks").then().statusCode(200).extract().jsonPath();
        Week w = new Week(suffix, from, to, list);
        DemoCatalog.TASKS.stream().map(DemoTask::task).distinct().forEach(t -> LOG.infof("demo week %s", w.describe(t)));
        return w;
    }

    /** The ingested week: the task list over it, and each task's detail on request. */
    private record Week(String suffix, Instant from, Instant to, JsonPath list) {

        /** The GPath prefix of a seeded task's row in the list. */
        String row(String task) {
            return "tasks.find { it.task == '" + task + suffix + "' }.";
        }

        JsonPath detail(String task) {
            return given().queryParam("from", from.toString()).queryParam("to", to.toString())
                    .get("/api/v1/tasks/{task}", task + suffix).then().statusCode(200).extract().jsonPath();
        }

        /** The figures a verdict stands on, for failure messages and the log. */
        String describe(String task) {
            String r = row(task);
            Object breakEven = list.get(r + "break_even_tokens_per_day");
            return String.format(Locale.ROOT, "task=%s deployment=%s/%s verdict=%s confirmation=%s traces=%d"
                            + " visible=%.2f%% ci=[%.2f%%, %.2f%%] tokens_per_day=%.0f break_even=%s",
                    task, list.getString(r + "deployment.kind"), list.getString(r + "deployment.model"),
                    list.getString(r + "verdict.kind"), list.getString(r + "verdict.confirmation"),
                    list.getLong(r + "traces"), 100 * list.getDouble(r + "visible_failure_rate.rate"),
                    100 * list.getDouble(r + "visible_failure_rate.low"),
                    100 * list.getDouble(r + "visible_failure_rate.high"), list.getDouble(r + "tokens_per_day"),
                    breakEven == null ? "none" : String.format(Locale.ROOT, "%.0f", ((Number) breakEven).doubleValue()));
        }
    }
}
