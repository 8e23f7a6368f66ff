package io.tailaudit.server.api;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class TraceApiTest {

    @Test
    void trace_list_pages_by_keyset_without_gaps_or_repeats() {
        String task = Traces.uniqueTask("pages");
        List<Trace> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Trace t = Traces.ok(task).occurredAt(java.time.Instant.now().minusSeconds(60 + i)).build();
            sent.add(t);
            Kafka.send(t);
        }
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(5));

        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonPath page = given().queryParam("task", task).queryParam("limit", 2)
                    .queryParam("cursor", cursor == null ? "" : cursor).get("/api/v1/traces").then().statusCode(200)
                    .extract().jsonPath();
            List<String> ids = page.getList("items.trace_id");
            ids.forEach(id -> assertThat(seen.add(id)).as("no trace twice").isTrue());
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(sent.stream().map(Trace::traceId).toList());
    }

    @Test
    void a_list_without_task_or_from_covers_the_default_window_and_says_so() {
        String model = Traces.uniqueTask("bounded-model");
        Trace recent = Traces.ok(Traces.uniqueTask("bounded")).deployment(io.tailaudit.sdk.Deployment.local("vllm", model))
                .build();
        Trace old = Traces.ok(Traces.uniqueTask("bounded")).deployment(io.tailaudit.sdk.Deployment.local("vllm", model))
                .occurredAt(java.time.Instant.now().minus(java.time.Duration.ofDays(10))).build();
        Kafka.send(recent);
        Kafka.send(old);
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE model = ?", model)).isEqualTo(2));

        JsonPath page = given().queryParam("model", model).get("/api/v1/traces").then().statusCode(200)
                .extract().jsonPath();
        assertThat(page.getList("items.trace_id")).containsExactly(recent.traceId());
        assertThat(java.time.Instant.parse(page.getString("default_from")))
                .isBetween(java.time.Instant.now().minus(java.time.Duration.ofDays(7)).minusSeconds(60),
                        java.time.Instant.now().minus(java.time.Duration.ofDays(7)));
    }

    @Test
    void a_list_with_a_from_reaches_back_as_far_as_it_says_and_applies_no_default() {
        String model = Traces.uniqueTask("unbounded-model");
        Trace old = Traces.ok(Traces.uniqueTask("unbounded")).deployment(io.tailaudit.sdk.Deployment.local("vllm", model))
                .occurredAt(java.time.Instant.now().minus(java.time.Duration.ofDays(10))).build();
        Kafka.send(old);
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE model = ?", model)).isEqualTo(1));

        given().queryParam("model", model).queryParam("from", java.time.Instant.now().minus(java.time.Duration.ofDays(11))
                        .toString()).get("/api/v1/traces").then().statusCode(200)
                .body("items.trace_id", org.hamcrest.Matchers.contains(old.traceId()))
                .body("$", not(org.hamcrest.Matchers.hasKey("default_from")));
    }

    @Test
    void a_trace_read_that_outlasts_the_query_timeout_is_cancelled_and_answered_503() throws Exception {
        // the test profile's query timeout is 3s; a lock the read waits on stands in for a slow or hung database
        try (java.sql.Connection c = Db.connect(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("LOCK TABLE trace IN ACCESS EXCLUSIVE MODE");
            try {
                given().queryParam("task", "waits-on-a-lock").get("/api/v1/traces").then().statusCode(503)
                        .header("Retry-After", "10").contentType("application/problem+json")
                        .body("detail", containsString("did not answer within the query timeout"));
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void limit_out_of_range_is_a_400_problem() {
        given().get("/api/v1/traces?limit=501").then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400)).body("detail", equalTo("limit must be between 1 and 500, got 501"));
    }

    @Test
    void from_after_to_is_a_400_problem() {
        given().get("/api/v1/traces?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z").then().statusCode(400)
                .body("detail", containsString("from must be before to"));
    }

    @Test
    void unparseable_time_is_a_400_problem_naming_the_parameter() {
        given().get("/api/v1/traces?from=yesterday").then().statusCode(400)
                .body("detail", containsString("from must be an RFC 3339 date-time"));
    }

    @Test
    void unknown_status_is_a_400_problem_listing_the_allowed_values() {
        given().get("/api/v1/traces?status=exploded").then().statusCode(400)
                .body("detail", containsString("status must be one of"));
    }

    @Test
    void forged_cursor_is_a_400_problem() {
        given().get("/api/v1/traces?cursor=not-a-cursor").then().statusCode(400)
                .body("detail", containsString("cursor is not valid"));
    }

    @Test
    void unknown_trace_is_a_404_problem() {
        given().get("/api/v1/traces/does-not-exist").then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("no trace with trace_id 'does-not-exist'"));
    }

    @Test
    void unknown_path_is_a_404_problem_without_internals() {
        given().get("/api/v1/nothing-here").then().statusCode(404)
                .contentType("application/problem+json")
                .body(not(containsString("Exception"))).body(not(containsString("at io.")));
    }

    @Test
    void openapi_document_describes_the_trace_endpoints() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/api/v1/traces")).body(containsString("/api/v1/dlq"));
    }

    @Test
    void the_api_asks_for_credentials_and_only_an_admin_may_change_settings() {
        given().auth().none().get("/api/v1/traces").then().statusCode(401);
        given().auth().preemptive().basic("viewer", "viewer").get("/api/v1/traces").then().statusCode(200);
        given().auth().preemptive().basic("viewer", "viewer").contentType("application/json")
                .body("{\"quality_floor\": 0.7}").put("/api/v1/tasks/api-auth-task/settings").then().statusCode(403);
        given().auth().preemptive().basic("viewer", "wrong").get("/api/v1/traces").then().statusCode(401);
        given().auth().none().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void console_asks_for_a_login_then_lists_a_task_once_its_trace_lands() {
        given().auth().none().redirects().follow(false).get("/").then().statusCode(302)
                .header("Location", containsString("/login"));
        String session = given().auth().none().redirects().follow(false).formParam("j_username", "viewer")
                .formParam("j_password", "viewer").post("/j_security_check").then().statusCode(302)
                .extract().cookie("tailaudit-session");
        given().auth().none().redirects().follow(false).formParam("j_username", "viewer").formParam("j_password", "wrong")
                .post("/j_security_check").then().statusCode(302).header("Location", containsString("/login?error"));

        Trace t = Traces.ok(Traces.uniqueTask("console")).build();
        Kafka.send(t);
        // the overview's list is refreshed in the background, at most every 30 times its last computation
        // (up to a minute): on a loaded machine that is far more than the test profile's 1 s
        await().atMost(ofSeconds(90)).untilAsserted(() -> given().auth().none().cookie("tailaudit-session", session)
                .get("/?window=1h").then().statusCode(200).body(containsString(t.task())));
    }
}
