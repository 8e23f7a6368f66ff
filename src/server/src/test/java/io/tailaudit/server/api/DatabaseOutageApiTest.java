package io.tailaudit.server.api;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** While PostgreSQL is down the API says so, 503 with Retry-After, not 500; it answers again once it is back. */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class DatabaseOutageApiTest {

    @Test
    void a_read_during_a_database_outage_is_a_503_with_retry_after() throws Exception {
        Db.takeDatabaseDown();
        try {
            // pooled sessions were cut and new ones are refused: whichever a request meets, a 503, every time
            for (int i = 0; i < 4; i++) {
                given().queryParam("task", "outage-api").get("/api/v1/traces").then().statusCode(503)
                        .header("Retry-After", "10").contentType("application/problem+json")
                        .body("detail", equalTo("The database is unavailable; retry later."))
                        .body(not(containsString("tailaudit\""))).body(not(containsString("SQL")));
            }
        } finally {
            Db.bringDatabaseBack();
        }
        await().atMost(ofSeconds(30)).untilAsserted(() -> given().queryParam("task", "outage-api")
                .get("/api/v1/traces").then().statusCode(200));
    }
}
