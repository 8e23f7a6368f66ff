package io.tailaudit.server.analytics;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Deployment;
import io.tailaudit.sdk.Outcome;
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
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The what-if, the canary comparison and the routing table on hand-built traffic, every figure computed by
 * hand (defaults: T = 5%, GPU $1.20/h over 2,500 tokens/s, $400/month fixed, reference gpt-4o at $2.50 /
 * $10.00 per 1M; window 24h, so D = 1 day).
 *
 * <pre>
 * the local deployment (llama), a long-context task:
 *   300 traces at 2,000 context tokens (2,000 in + 100 out), 6 errors        2.0%, Wilson [0.92%, 4.29%]
 *   100 traces at 12,000 context tokens (12,000 in + 200 out), 40 errors    40.0%, Wilson [30.94%, 49.80%]
 *   overall 46 / 400 = 11.5% [8.73%, 15.00%]: a visible tail, <= 8k below T, > 8k above: HYBRID
 *   tokens/day 1.8M in + 50k out = 1.85M, input share 36/37; the > 8k cohort's own tokens 1.22M
 * the cloud canary (gpt-4o, only in the second task): 60 traces at 2,000 context, 40 at 12,000 with 2 errors
 *   overall 2 / 100 [0.55%, 7.00%]; > 8k 2 / 40 = 5% [1.38%, 16.50%]
 * </pre>
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class WhatIfEndpointTest {

    private static final double EPS = 1e-4;
    /** Numbers as doubles: JsonPath's default floats hold 7 digits. */
    private static final JsonPathConfig DOUBLES = new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE);
    private static final String LOCAL = "llama-3.1-8b-instruct";
    /** $1.20 / (2,500 tokens/s x 3,600 s). */
    private static final double MARGINAL = 1.2 / 9e6;
    private static final double FIXED = 400 / (365.0 / 12);
    /** gpt-4o at an input share of 36/37: (36 x 2.50 + 1 x 10.00) / 37 per 1M tokens. */
    private static final double CLOUD = (36 * 2.5 + 10) / 37 / 1e6;

    @Test
    void a_local_long_context_task_without_a_canary_projects_the_route_unmeasured_and_prices_it_at_the_reference() {
        String task = Traces.uniqueTask("what-if-alone");
        send(task, false);

        JsonPath d = detail(task);
        assertThat(d.getString("verdict.kind")).isEqualTo("HYBRID");
        assertThat(d.getString("verdict.confirmation")).isEqualTo("no_canary");
        assertThat(d.getString("verdict.destination.model")).as("no canary: the reference model").isEqualTo("gpt-4o");
        assertThat(d.getList("comparisons")).isEmpty();
        String dep = "deployments[0].";
        rate(d, dep + "visible_failure_rate", 0.115, 0.0873, 0.1500);
        rate(d, dep + "context_split.up_to8k_visible_failure_rate", 0.02, 0.0092, 0.0429);
        rate(d, dep + "context_split.over8k_visible_failure_rate", 0.40, 0.3094, 0.4980);
        assertThat(d.getLong(dep + "context_split.over8k_tokens")).as("100 x 12,200").isEqualTo(1_220_000);

        JsonPath w = whatIf(task, null);
        assertThat(w.getDouble("input_share")).isCloseTo(36.0 / 37, within(1e-9));
        assertThat(w.getDouble("today.local_tokens_per_day")).isCloseTo(1_850_000, within(EPS));
        assertThat(w.getDouble("today.total_cost_per_day")).as("1.85M x marginal + fixed")
                .isCloseTo(1_850_000 * MARGINAL + FIXED, within(1e-6));
        assertThat(w.getDouble("today.total_cost_per_day")).isCloseTo(13.397352, within(1e-6));
        assertThat(w.getDouble("over8k_tokens_per_day")).isCloseTo(1_220_000, within(EPS));

        String cloud = action(w, "move_to_cloud");
        assertThat(w.getBoolean(cloud + "applicable")).isTrue();
        assertThat(w.getString(cloud + "destination.model")).isEqualTo("gpt-4o");
        assertThat(w.getDouble(cloud + "projected.cloud_cost_per_day")).as("1.85M at gpt-4o, 36/37 input")
                .isCloseTo(5.0, within(1e-6));
        assertThat(w.getDouble(cloud + "projected.local_fixed_per_day")).as("nothing left local").isZero();
        assertThat(w.getDouble(cloud + "cost_change_per_day")).isCloseTo(5.0 - 13.397352, within(1e-6));
        assertThat(w.getString(cloud + "visible_failure_rate.source")).isEqualTo("unmeasured");
        assertThat(w.getLong(cloud + "visible_failure_rate.canary_size_to_decide")).isEqualTo(292);
        assertThat(w.getString(cloud + "visible_failure_rate.rate")).isNull();

        String local = action(w, "move_to_local");
        assertThat(w.getBoolean(local + "applicable")).isFalse();
        assertThat(w.getString(local + "reason")).contains("already local");
        assertThat(w.getString(local + "projected")).isNull();

        String route = action(w, "route_over_8k_to_cloud");
        assertThat(w.getBoolean(route + "applicable")).isTrue();
        assertThat(w.getDouble(route + "projected.local_tokens_per_day")).isCloseTo(630_000, within(EPS));
        assertThat(w.getDouble(route + "projected.cloud_tokens_per_day")).isCloseTo(1_220_000, within(EPS));
        assertThat(w.getDouble(route + "projected.total_cost_per_day")).as("630k x marginal + fixed + 1.22M at gpt-4o")
                .isCloseTo(630_000 * MARGINAL + FIXED + 1_220_000 * CLOUD, within(1e-6));
        assertThat(w.getDouble(route + "projected.total_cost_per_day")).isCloseTo(16.531982, within(1e-6));
        assertThat(w.getString(route + "visible_failure_rate.source")).isEqualTo("unmeasured");
        assertThat(w.getLong(route + "visible_failure_rate.canary_size_to_decide")).isEqualTo(292);

        // one action alone, and a bad one
        JsonPath one = whatIf(task, "move_to_local");
        assertThat(one.getList("actions")).hasSize(1);
        given().queryParam("window", "24h").queryParam("action", "move_everything").get("/api/v1/tasks/" + task + "/what-if")
                .then().statusCode(400).contentType("application/problem+json");
        given().queryParam("window", "24h").get("/api/v1/tasks/" + Traces.uniqueTask("nothing") + "/what-if")
                .then().statusCode(404);
    }

    @Test
    void a_cloud_canary_confirms_the_hybrid_route_and_measures_the_projection() {
        String task = Traces.uniqueTask("what-if-canary");
        send(task, true);

        JsonPath d = detail(task);
        assertThat(d.getString("verdict.kind")).isEqualTo("HYBRID");
        assertThat(d.getString("verdict.destination.model")).isEqualTo("gpt-4o");
        // the > 8k cohorts compared (both have >= 30 traces): 2/40 - 40/100, Newcombe method 10
        assertThat(d.getString("comparisons[0].deployment.model")).isEqualTo("gpt-4o");
        assertThat(d.getString("comparisons[0].cohort")).isEqualTo("context > 8k tokens");
        assertThat(d.getDouble("comparisons[0].difference")).isCloseTo(-0.35, within(EPS));
        assertThat(d.getDouble("comparisons[0].low")).isCloseTo(-0.4545, within(EPS));
        assertThat(d.getDouble("comparisons[0].high")).isCloseTo(-0.2036, within(EPS));
        assertThat(d.getDouble("comparisons[0].p_value")).isLessThan(0.001);
        assertThat(d.getString("comparisons[0].outcome")).isEqualTo("better");
        assertThat(d.getString("comparisons[0].support")).isEqualTo("confirmed");
        assertThat(d.getString("verdict.confirmation")).isEqualTo("confirmed");
        assertThat(d.getList("verdict.evidence", String.class)).anySatisfy(s -> assertThat(s)
                .startsWith("Canary: the cloud canary gpt-4o (context > 8k tokens) fails visibly 5.0% vs 40.0% locally,"
                        + " difference -35.0 pp, 95% CI -45.4 to -20.4 pp, p < 0.001: confirmed."));

        JsonPath w = whatIf(task, null);
        assertThat(w.getString("deployment.model")).isEqualTo(LOCAL);
        String cloud = action(w, "move_to_cloud");
        // the canary's overall rate, 2 of 100
        assertThat(w.getDouble(cloud + "visible_failure_rate.rate")).isCloseTo(0.02, within(EPS));
        assertThat(w.getDouble(cloud + "visible_failure_rate.low")).isCloseTo(0.0055, within(EPS));
        assertThat(w.getDouble(cloud + "visible_failure_rate.high")).isCloseTo(0.0700, within(EPS));
        assertThat(w.getString(cloud + "visible_failure_rate.source")).contains("gpt-4o", "100 traces");
        assertThat(w.getDouble(cloud + "projected.cloud_cost_per_day")).as("priced at the canary's model")
                .isCloseTo(5.0, within(1e-6));

        // 0.75 x 2% + 0.25 x 5% (the canary's own > 8k cohort), MOVER from the two Wilson intervals
        String route = action(w, "route_over_8k_to_cloud");
        assertThat(w.getDouble(route + "visible_failure_rate.rate")).isCloseTo(0.0275, within(1e-9));
        assertThat(w.getDouble(route + "visible_failure_rate.low")).isCloseTo(0.015357, within(1e-6));
        assertThat(w.getDouble(route + "visible_failure_rate.high")).isCloseTo(0.061013, within(1e-6));
        assertThat(w.getString(route + "visible_failure_rate.source")).contains("> 8k cohort, 40 traces");

        // the routing table, served from the list refreshed in the background: once the refresh has read all of
        // this task's traffic, the task routes its > 8k cohort to gpt-4o, confirmed
        await().atMost(ofSeconds(60)).until(() -> given().get("/api/v1/routing?window=24h").jsonPath()
                .getBoolean("routes.find { it.task == '" + task + "' }?.confirmed ?: false"));
        Response first = given().get("/api/v1/routing?window=24h");
        first.then().statusCode(200);
        String etag = first.getHeader("ETag");
        assertThat(etag).isNotBlank();
        JsonPath r = first.jsonPath().using(DOUBLES);
        String me = "routes.find { it.task == '" + task + "' }.";
        assertThat(r.getString(me + "verdict")).isEqualTo("HYBRID");
        assertThat(r.getString(me + "rule")).isEqualTo("context_tokens > 8192 -> cloud");
        assertThat(r.getString(me + "from.model")).isEqualTo(LOCAL);
        assertThat(r.getString(me + "to.model")).isEqualTo("gpt-4o");
        assertThat(r.getBoolean(me + "decided")).isTrue();
        assertThat(r.getBoolean(me + "confirmed")).isTrue();
        assertThat(r.getString(me + "evidence")).isEqualTo("/api/v1/tasks/" + task + "?window=24h");
        assertThat(r.getString("etag")).isEqualTo(etag.replace("\"", ""));
        // a poll that finds nothing new: 304 without a body, the same tag
        given().header("If-None-Match", etag).get("/api/v1/routing?window=24h").then().statusCode(304);
        given().header("If-None-Match", "\"other\"").get("/api/v1/routing?window=24h").then().statusCode(200);
        given().get("/api/v1/routing?window=2d").then().statusCode(400);
    }

    @Test
    void an_unpriced_cloud_task_says_so_in_its_what_if_and_its_console_page_renders() {
        String task = Traces.uniqueTask("what-if-unpriced");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        Deployment unpriced = Deployment.cloud("acme-ai", "no-such-model-7b");
        List<Trace> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            out.add(trace(task, hour, i, unpriced, false, 2_000, 100));
        }
        out.forEach(Kafka::send);
        await().atMost(ofSeconds(60)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 60);

        JsonPath w = whatIf(task, null);
        assertThat(w.getString("today.total_cost_per_day")).as("no price: unpriced, not $0").isNull();
        String local = action(w, "move_to_local");
        assertThat(w.getBoolean(local + "applicable")).isTrue();
        assertThat(w.getString(local + "cost_change_per_day")).as("against an unpriced today").isNull();
        assertThat(w.getDouble(local + "projected.total_cost_per_day")).isCloseTo(60 * 2_100 * MARGINAL + FIXED,
                within(1e-6));

        String session = given().auth().none().redirects().follow(false).formParam("j_username", "viewer")
                .formParam("j_password", "viewer").post("/j_security_check").then().statusCode(302)
                .extract().cookie("tailaudit-session");
        String page = given().auth().none().cookie("tailaudit-session", session).get("/tasks/" + task + "?window=24h")
                .then().statusCode(200).extract().asString();
        assertThat(page).contains("id=\"what-if\"", "unpriced");
    }

    /** The traffic of the class comment, in one hour two hours ago; with the cloud canary when asked. */
    private static void send(String task, boolean canary) {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        List<Trace> out = new ArrayList<>();
        Deployment llama = Deployment.local("vllm", LOCAL);
        for (int i = 0; i < 300; i++) {
            out.add(trace(task, hour, i, llama, i < 6, 2_000, 100));
        }
        for (int i = 0; i < 100; i++) {
            out.add(trace(task, hour, i, llama, i < 40, 12_000, 200));
        }
        if (canary) {
            Deployment gpt = Deployment.cloud("openai", "gpt-4o");
            for (int i = 0; i < 60; i++) {
                out.add(trace(task, hour, i, gpt, false, 2_000, 100));
            }
            for (int i = 0; i < 40; i++) {
                out.add(trace(task, hour, i, gpt, i < 2, 12_000, 200));
            }
        }
        out.forEach(Kafka::send);
        await().atMost(ofSeconds(60)).until(() ->
                Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == out.size());
        // the named list is refreshed in the background: wait until it counts all of the busiest deployment's
        await().atMost(ofSeconds(60)).until(() -> given().get("/api/v1/tasks?window=24h").jsonPath()
                .getInt("tasks.find { it.task == '" + task + "' }?.traces ?: 0") == 400);
    }

    private static Trace trace(String task, Instant hour, int i, Deployment d, boolean error, int input, int output) {
        return Trace.builder(task, Category.LONG_CONTEXT_QA).traceId(UUID.randomUUID().toString())
                .occurredAt(hour.plusSeconds(i % 3_600)).service("what-if").deployment(d).latencyMs(900)
                .usage(Usage.of(input, output, input))
                .outcome(error ? Outcome.failed(Status.ERROR, "oom") : Outcome.ok(0.9)).build();
    }

    private static JsonPath detail(String task) {
        return given().queryParam("window", "24h").get("/api/v1/tasks/" + task).then().statusCode(200).extract().jsonPath()
                .using(DOUBLES);
    }

    private static JsonPath whatIf(String task, String action) {
        var r = given().queryParam("window", "24h");
        if (action != null) {
            r = r.queryParam("action", action);
        }
        return r.get("/api/v1/tasks/" + task + "/what-if").then().statusCode(200).extract().jsonPath()
                .using(DOUBLES);
    }

    private static String action(JsonPath w, String action) {
        return "actions.find { it.action == '" + action + "' }.";
    }

    private static void rate(JsonPath d, String path, double rate, double low, double high) {
        assertThat(d.getDouble(path + ".rate")).as(path).isCloseTo(rate, within(EPS));
        assertThat(d.getDouble(path + ".low")).as(path + " low").isCloseTo(low, within(EPS));
        assertThat(d.getDouble(path + ".high")).as(path + " high").isCloseTo(high, within(EPS));
    }
}
