package io.tailaudit.server.api;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** Every bad parameter of the task endpoints gets a problem+json that says what is wrong, never a trace. */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class TaskApiErrorsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/api/v1/tasks?window=2w                                                       | 400 | window must be one of [1h, 24h, 30d, 7d], got '2w'",
            "/api/v1/tasks?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z               | 400 | from must be before to",
            "/api/v1/tasks?from=2026-11-01T00:00:00Z                                       | 400 | from and to go together",
            "/api/v1/tasks?from=yesterday&to=2026-11-01T00:00:00Z                          | 400 | from must be an RFC 3339 date-time",
            "/api/v1/tasks?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z               | 400 | a window spans at most 400 days",
            "/api/v1/tasks/no-such-task?window=7d                                          | 404 | task 'no-such-task' has no traces between",
            "/api/v1/tasks/no-such-task?window=7x                                          | 400 | window must be one of",
            "/api/v1/tasks/any/worst?limit=0                                               | 400 | limit must be between 1 and 500, got 0",
            "/api/v1/tasks/any/worst?limit=501                                             | 400 | limit must be between 1 and 500, got 501",
            "/api/v1/tasks/any/worst?limit=many                                            | 400 | limit must be an integer, got 'many'",
    })
    void a_bad_parameter_gets_a_problem_that_says_why(String url, int status, String detail) {
        given().get(url.trim()).then().statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("detail", containsString(detail.trim()))
                .body(not(containsString("Exception")))
                .body(not(containsString("\tat ")));
    }
}
