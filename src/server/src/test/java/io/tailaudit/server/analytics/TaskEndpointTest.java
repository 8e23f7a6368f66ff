package io.tailaudit.server.analytics;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Rating;
import io.tailaudit.sdk.Status;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.Usage;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Forty chat traces on one local deployment, in one hour two hours ago, every figure of the task endpoint
 * computed by hand (quality floor 0.5, latency budget 5 s, tail threshold 5%, 1 input : 9 output... see
 * below):
 *
 * <pre>
 *  n  outcome                 qe    bin  context  latency  tenant  failure?
 * 31  ok, quality 0.9         0.90   90  1,000    1,000    beta    no
 *  4  ok, quality 0.6         0.60   60  3,000    2,000    beta    no
 *  2  ok, quality 0.4         0.40   40  10,000   6,000    acme    yes (under the floor)
 *  1  error                   0       0  10,000   8,000    acme    yes
 *  1  escalated, quality 0.8  0.25   25  5,000    1,000    beta    yes
 *  1  schema-invalid, 0.9     0.25   25  1,000    1,000    beta    yes
 * </pre>
 *
 * Every trace: 900 input + 100 output tokens. Worst 5%: k = 0.05 x 40 = 2 traces: the error (bin 0) and
 * half of each bin-25 trace. Later one bin-90 trace is rated negative (qe capped to 0.25, bin 25).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class TaskEndpointTest {

    private static final double EPS = 1e-4;

    @Test
    void every_figure_of_the_task_endpoint_matches_the_hand_computation_through_late_feedback_and_redelivery() {
        String task = Traces.uniqueTask("by-hand");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        List<Trace> traces = handBuilt(task, hour);
        traces.forEach(Kafka::send);
        await().atMost(ofSeconds(30)).until(() -> traces(task) == 40);

        JsonPath d = detail(task);
        assertThat(d.getString("verdict.kind")).isEqualTo("MOVE_TO_CLOUD");
        assertThat(d.getString("busiest_deployment.model")).isEqualTo("llama-3.1-8b-instruct");
        assertThat(d.getString("window.name")).isEqualTo("24h");
        assertThat(d.getBoolean("scope_drift.measured")).isFalse();
        assertThat(d.getString("scope_drift.not_measured")).startsWith("not measured yet");
        assertThat(d.getString("scope_drift.scope")).as("chat is an open category").isEqualTo("open");
        String dep = "deployments[0].";
        assertThat(d.getInt(dep + "traces")).isEqualTo(40);
        assertThat(d.getDouble(dep + "tokens_per_day")).isCloseTo(40_000, within(EPS));
        assertThat(d.getLong(dep + "input_tokens")).isEqualTo(36_000);
        // failures: under the floor 2, error 1, escalated 1, schema-invalid 1 = 5 of 40; Wilson 95%
        rate(d, dep + "failure_rate", 0.125, 0.0546, 0.2611);
        // worst 5%: the error + half of each bin-25 trace, all hard failures: 2 visible of 2
        assertThat(d.getDouble(dep + "worst5.size")).isCloseTo(2.0, within(EPS));
        rate(d, dep + "worst5.visible_failure_rate", 1.0, 0.3424, 1.0);
        assertThat(d.getDouble(dep + "worst5.cvar5")).as("(0 + 0.5 x 0.25 + 0.5 x 0.25) / 2").isCloseTo(0.125, within(EPS));
        assertThat(d.getDouble(dep + "worst5.failure_modes.status_not_ok")).isCloseTo(1.0, within(EPS));
        assertThat(d.getDouble(dep + "worst5.failure_modes.escalated_or_negative")).isCloseTo(0.5, within(EPS));
        assertThat(d.getDouble(dep + "worst5.failure_modes.schema_invalid")).isCloseTo(0.5, within(EPS));
        // lift = share in the worst 5% / share of all: > 8k: (1 / 2) / (3 / 40); 4-8k: (0.5 / 2) / (1 / 40)
        assertThat(lift(d, "context", ">8k")).isCloseTo(20.0 / 3, within(EPS));
        assertThat(lift(d, "context", "4-8k")).isCloseTo(10.0, within(EPS));
        assertThat(lift(d, "context", "<=2k")).as("(0.5 / 2) / (32 / 40)").isCloseTo(0.3125, within(EPS));
        assertThat(lift(d, "tag:tenant", "acme")).isCloseTo(20.0 / 3, within(EPS));
        assertThat(lift(d, "tag:tenant", "beta")).as("(1 / 2) / (37 / 40)").isCloseTo(20.0 / 37, within(EPS));
        // latency, nearest rank of 33 x 1 s, 4 x 2 s, 2 x 6 s, 1 x 8 s (sketch: 1% relative accuracy)
        assertThat(d.getDouble(dep + "latency.p50_ms")).isCloseTo(1_000, within(10.0));
        assertThat(d.getDouble(dep + "latency.p95_ms")).as("rank 38").isCloseTo(6_000, within(60.0));
        assertThat(d.getDouble(dep + "latency.p99_ms")).as("rank 40").isCloseTo(8_000, within(80.0));
        assertThat(d.getDouble(dep + "latency.over_budget_share")).as("3 over 5 s").isCloseTo(0.075, within(EPS));
        // escalations: the escalated trace only, 1 of 40; no previous window to trend against
        rate(d, dep + "escalation_rate", 0.025, 0.0044, 0.1288);
        assertThat(d.getString(dep + "escalation_trend.direction")).isEqualTo("not_computable");
        // cost: local GPU $1.20/h over 2,500 tokens/s; cloud gpt-4o at 90% input: $2.50 x 0.9 + $10 x 0.1 per 1M
        assertThat(d.getDouble(dep + "cost.cost_per_day")).isCloseTo(40_000 * 1.2 / 9e6, within(1e-9));
        assertThat(d.getDouble(dep + "cost.other_side_cost_per_day")).isCloseTo(0.13, within(1e-9));
        assertThat(d.getDouble(dep + "cost.break_even_tokens_per_day"))
                .as("($400 / (365 / 12) per day) / ($3.25 - $0.1333) per 1M").isCloseTo(4_219_471.1, within(1.0));

        // late feedback: a bin-90 trace rated negative is capped to 0.25 and becomes a failure
        Kafka.send(Feedback.rating(traces.get(0).traceId(), task, hour.plusSeconds(3_000), Rating.NEGATIVE));
        await().atMost(ofSeconds(30)).untilAsserted(() ->
                assertThat(detail(task).getDouble(dep + "escalation_rate.rate")).isCloseTo(0.05, within(EPS)));
        assertAfterFeedback(detail(task), dep);

        // a redelivery of every trace and the feedback changes nothing; a marker trace shows it was consumed
        traces.forEach(Kafka::send);
        Kafka.send(Feedback.rating(traces.get(0).traceId(), task, hour.plusSeconds(3_000), Rating.NEGATIVE));
        Trace marker = Traces.ok(Traces.uniqueTask("marker")).build();
        Kafka.send(marker);
        await().atMost(ofSeconds(30)).until(() -> traces(marker.task()) == 1);
        assertAfterFeedback(detail(task), dep);

        // and once the compactor has folded the deltas, the folded rollups say the same
        await().atMost(ofSeconds(30)).until(() ->
                Db.count("SELECT count(*) FROM tail_rollup_pending WHERE task = ?", task) == 0);
        assertAfterFeedback(detail(task), dep);
        assertThat(Db.count("SELECT count(*) FROM tail_rollup WHERE task = ?", task)).as("one hour, one day").isEqualTo(2);
    }

    private static void assertAfterFeedback(JsonPath d, String dep) {
        assertThat(d.getInt(dep + "traces")).isEqualTo(40);
        rate(d, dep + "failure_rate", 0.15, 0.0706, 0.2907);
        rate(d, dep + "escalation_rate", 0.05, 0.0138, 0.165);
        // bin 25 now holds 3 traces: the slice takes the error and a third of each
        assertThat(d.getDouble(dep + "worst5.cvar5")).as("(0 + 3 x 1/3 x 0.25) / 2").isCloseTo(0.125, within(EPS));
        assertThat(d.getDouble(dep + "worst5.failure_modes.escalated_or_negative")).isCloseTo(2.0 / 3, within(EPS));
        assertThat(lift(d, "context", "<=2k")).as("(2/3 / 2) / (32 / 40)").isCloseTo(5.0 / 12, within(EPS));
        assertThat(d.getLong(dep + "counts.negative")).isEqualTo(1);
        assertThat(d.getDouble(dep + "latency.p99_ms")).isCloseTo(8_000, within(80.0));
    }

    @Test
    void a_named_list_served_from_its_cache_picks_up_new_traffic_at_the_next_refresh() {
        given().queryParam("window", "24h").get("/api/v1/tasks").then().statusCode(200);   // cached from here on
        String task = Traces.uniqueTask("refresh");
        Kafka.send(Traces.ok(task).build());
        await().atMost(ofSeconds(30)).untilAsserted(() -> assertThat(given().queryParam("window", "24h")
                .get("/api/v1/tasks").then().statusCode(200).extract().jsonPath().getList("tasks.task", String.class))
                .contains(task));
    }

    @Test
    void the_task_list_and_page_read_no_trace_rows_while_the_worst_list_does() throws Exception {
        String task = Traces.uniqueTask("rollups-only");
        Trace t = Traces.ok(task).build();
        Kafka.send(t);
        await().atMost(ofSeconds(30)).until(() -> traces(task) == 1);

        // an ACCESS EXCLUSIVE lock on the trace tables (partitions included) blocks any read of them
        try (var c = Db.connect()) {
            c.setAutoCommit(false);
            c.createStatement().execute("LOCK TABLE trace, trace_key IN ACCESS EXCLUSIVE MODE");
            // an explicit window is computed on the request (named ones come from a list refreshed in the background)
            String from = Instant.now().minus(1, ChronoUnit.DAYS).toString();
            String to = Instant.now().plus(1, ChronoUnit.HOURS).toString();
            var list = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().queryParam("from", from)
                    .queryParam("to", to).get("/api/v1/tasks").then().statusCode(200).extract().asString());
            var page = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    given().queryParam("window", "7d").get("/api/v1/tasks/" + task).then().statusCode(200)
                            .extract().asString());
            assertThat(list.get(10, java.util.concurrent.TimeUnit.SECONDS)).contains(task);
            assertThat(page.get(10, java.util.concurrent.TimeUnit.SECONDS)).contains("\"traces\":1");
            var worst = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    given().get("/api/v1/tasks/" + task + "/worst").then().statusCode(200).extract().asString());
            Thread.sleep(1_000);
            assertThat(worst).as("the worst list reads trace rows, so the lock holds it").isNotDone();
            c.rollback();
            assertThat(worst.get(10, java.util.concurrent.TimeUnit.SECONDS)).contains(t.traceId());
        }
    }

    private static List<Trace> handBuilt(String task, Instant hour) {
        List<Trace> out = new ArrayList<>();
        int minute = 0;
        for (int i = 0; i < 31; i++) {
            out.add(trace(task, hour, minute++, Outcome.ok(0.9), 1_000, 1_000, "beta"));
        }
        for (int i = 0; i < 4; i++) {
            out.add(trace(task, hour, minute++, Outcome.ok(0.6), 3_000, 2_000, "beta"));
        }
        for (int i = 0; i < 2; i++) {
            out.add(trace(task, hour, minute++, Outcome.ok(0.4), 10_000, 6_000, "acme"));
        }
        out.add(trace(task, hour, minute++, Outcome.failed(Status.ERROR, "oom"), 10_000, 8_000, "acme"));
        out.add(trace(task, hour, minute++, Outcome.ok(0.8).withEscalated(true), 5_000, 1_000, "beta"));
        out.add(trace(task, hour, minute, Outcome.ok(0.9).withSchemaValid(false), 1_000, 1_000, "beta"));
        return out;
    }

    private static Trace trace(String task, Instant hour, int minute, Outcome o, int context, double latency,
                               String tenant) {
        return Trace.builder(task, Category.CHAT).traceId(UUID.randomUUID().toString())
                .occurredAt(hour.plusSeconds(60L * minute)).service("by-hand")
                .deployment(Deployment.local("vllm", "llama-3.1-8b-instruct")).latencyMs(latency)
                .usage(Usage.of(900, 100, context)).outcome(o).tags(Map.of("tenant", tenant)).build();
    }

    private static JsonPath detail(String task) {
        return given().queryParam("window", "24h").get("/api/v1/tasks/" + task).then().statusCode(200).extract().jsonPath();
    }

    private static long traces(String task) {
        return Db.count("SELECT count(*) FROM trace WHERE task = ?", task);
    }

    private static void rate(JsonPath d, String path, double rate, double low, double high) {
        assertThat(d.getDouble(path + ".rate")).as(path).isCloseTo(rate, within(EPS));
        assertThat(d.getDouble(path + ".low")).as(path + " low").isCloseTo(low, within(EPS));
        assertThat(d.getDouble(path + ".high")).as(path + " high").isCloseTo(high, within(EPS));
    }

    private static double lift(JsonPath d, String dimension, String value) {
        List<Map<String, Object>> cohorts = d.getList("deployments[0].worst5.cohorts");
        return cohorts.stream().filter(c -> dimension.equals(c.get("dimension")) && value.equals(c.get("value")))
                .map(c -> ((Number) c.get("lift")).doubleValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no cohort " + dimension + "=" + value + " in " + cohorts));
    }
}
