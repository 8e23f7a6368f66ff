package io.tailaudit.server.api;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

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
        takeDatabaseDown();
        try {
            // pooled sessions were cut and new ones are refused: whichever a request meets, a 503, every time
            for (int i = 0; i < 4; i++) {
                given().queryParam("task", "outage-api").get("/api/v1/traces").then().statusCode(503)
                        .header("Retry-After", "10").contentType("application/problem+json")
                        .body("detail", equalTo("The database is unavailable; retry later."))
                        .body(not(containsString("tailaudit\""))).body(not(containsString("SQL")));
            }
        } finally {
            bringDatabaseBack();
        }
        await().atMost(ofSeconds(30)).untilAsserted(() -> given().queryParam("task", "outage-api")
                .get("/api/v1/traces").then().statusCode(200));
    }

    /** A real outage for the application: its database refuses connections and its sessions are cut. */
    private static void takeDatabaseDown() throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE tailaudit ALLOW_CONNECTIONS false");
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'tailaudit'");
        }
    }

    private static void bringDatabaseBack() throws SQLException {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE tailaudit ALLOW_CONNECTIONS true");
        }
    }

    private static Connection admin() throws SQLException {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class)
                .replace("/tailaudit", "/postgres");
        return DriverManager.getConnection(url, "postgres", "");
    }
}
