package io.tailaudit.server.api;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/**
 * Bodies and parameters the server cannot use get a problem+json 400 that names the field and says what
 * it must be: never an empty body, a 404 or a 500, never a Java type or a stack.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class RequestErrorsTest {

    private static ValidatableResponse problem(ValidatableResponse r, String detail) {
        return r.statusCode(400).contentType("application/problem+json").body("status", equalTo(400))
                .body("detail", equalTo(detail)).body(not(containsString("java."))).body(not(containsString("\tat ")));
    }

    @Test
    void a_string_where_a_number_is_expected_is_a_400_naming_the_field() {
        problem(given().contentType(ContentType.JSON).body("{\"latency_budget_ms\": \"fast\"}")
                .put("/api/v1/tasks/body-errors/settings").then(), "latency_budget_ms: must be a number, got 'fast'");
    }

    @Test
    void a_list_where_an_object_is_expected_is_a_400_naming_the_field() {
        problem(given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"labels\": [\"team\"]}")
                .post("/api/v1/alerts/rules").then(), "labels: must be an object, got a list");
    }

    @Test
    void a_nested_field_of_the_wrong_type_is_named_by_its_path() {
        problem(given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"labels\": {\"team\": {\"a\": 1}}}")
                .post("/api/v1/alerts/rules").then(), "labels.team: must be a string, got an object");
    }

    @Test
    void a_boolean_field_given_a_word_is_a_400_naming_the_field() {
        problem(given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"enabled\": \"maybe\"}")
                .post("/api/v1/alerts/channels").then(), "enabled: must be true or false, got 'maybe'");
    }

    @Test
    void malformed_json_is_a_400_saying_where() {
        problem(given().contentType(ContentType.JSON).body("{\"name\": \"x\",\n \"kind\": }")
                .post("/api/v1/alerts/channels").then(), "the body is not valid JSON (line 2, column 10)");
    }

    @Test
    void a_non_numeric_before_on_the_dead_letters_is_a_400_not_a_404() {
        problem(given().queryParam("before", "abc").get("/api/v1/dlq").then(), "before must be an integer id, got 'abc'");
    }

    @Test
    void a_time_past_year_9999_on_the_trace_list_is_a_400() {
        problem(given().queryParam("from", "+999999999-12-31T23:59:59Z").get("/api/v1/traces").then(),
                "from must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, got '+999999999-12-31T23:59:59Z'");
    }

    @Test
    void a_time_past_year_9999_on_the_task_list_is_a_400() {
        problem(given().queryParam("from", "2026-01-01T00:00:00Z").queryParam("to", "+999999999-12-31T23:59:59Z")
                        .get("/api/v1/tasks").then(),
                "to must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, got '+999999999-12-31T23:59:59Z'");
    }
}
