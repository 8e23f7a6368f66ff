package io.tailaudit.server.api;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tailaudit.sdk.Category;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class TaskSettingsApiTest {

    private static String taskWithTraffic(Category category) {
        Trace t = Trace.builder(Traces.uniqueTask("settings"), category)
                .deployment(io.tailaudit.sdk.Deployment.local("vllm", "m")).latencyMs(10)
                .occurredAt(java.time.Instant.now().minusSeconds(30)).build();
        Kafka.send(t);
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                given().get("/api/v1/tasks/" + t.task() + "/settings").then().statusCode(200));
        return t.task();
    }

    @Test
    void a_chat_task_gets_the_chat_defaults() {
        String task = taskWithTraffic(Category.CHAT);

        given().get("/api/v1/tasks/" + task + "/settings").then()
                .body("category", equalTo("chat")).body("observed_category", equalTo("chat"))
                .body("latency_budget_ms", equalTo(5000.0f)).body("tail_absorbable", equalTo(false))
                .body("scope_constrained", equalTo(false)).body("quality_floor", equalTo(0.5f))
                .body("tail_threshold", equalTo(0.05f)).body("overridden", empty());
    }

    @Test
    void an_autocomplete_task_has_an_absorbable_tail_and_a_100_ms_budget() {
        String task = taskWithTraffic(Category.AUTOCOMPLETE);

        given().get("/api/v1/tasks/" + task + "/settings").then()
                .body("tail_absorbable", equalTo(true)).body("latency_budget_ms", equalTo(100.0f))
                .body("scope_constrained", equalTo(true));
    }

    @Test
    void an_override_applies_and_a_reset_returns_to_the_category_default() {
        String task = taskWithTraffic(Category.EXTRACTION);

        given().contentType(ContentType.JSON).body("{\"quality_floor\": 0.7, \"latency_budget_ms\": 2500}")
                .put("/api/v1/tasks/" + task + "/settings").then().statusCode(200)
                .body("quality_floor", equalTo(0.7f)).body("latency_budget_ms", equalTo(2500.0f))
                .body("overridden", hasItem("quality_floor"));
        given().contentType(ContentType.JSON).body("{\"reset\": [\"latency_budget_ms\"]}")
                .put("/api/v1/tasks/" + task + "/settings").then().statusCode(200)
                .body("quality_floor", equalTo(0.7f)).body("latency_budget_ms", equalTo(10000.0f));
    }

    @Test
    void a_quality_floor_above_one_is_a_400_and_saves_nothing() {
        String task = taskWithTraffic(Category.CLASSIFICATION);

        given().contentType(ContentType.JSON).body("{\"latency_budget_ms\": 900, \"quality_floor\": 1.5}")
                .put("/api/v1/tasks/" + task + "/settings").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", equalTo("quality_floor must be in [0, 1], got 1.5"));
        given().get("/api/v1/tasks/" + task + "/settings").then().body("latency_budget_ms", equalTo(2000.0f));
    }

    @Test
    void an_unknown_category_is_a_400_listing_the_categories() {
        given().contentType(ContentType.JSON).body("{\"category\": \"poetry\"}")
                .put("/api/v1/tasks/any-task/settings").then().statusCode(400)
                .body("detail", containsString("category must be one of"));
    }

    @Test
    void a_task_without_traces_or_settings_is_a_404() {
        given().get("/api/v1/tasks/never-seen/settings").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no task 'never-seen'"));
    }
}
