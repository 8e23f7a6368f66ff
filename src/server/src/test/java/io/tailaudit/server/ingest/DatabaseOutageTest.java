package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class DatabaseOutageTest {

    @Test
    void ingest_pauses_while_the_database_is_down_and_resumes_by_itself_losing_nothing() throws Exception {
        String task = Traces.uniqueTask("outage");
        Kafka.send(Traces.ok(task).build());
        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(1));

        Db.takeDatabaseDown();
        try {
            for (int i = 0; i < 25; i++) {
                Kafka.send(Traces.ok(task).build());
            }
            // the consumer fetched them, failed to store them and is retrying with backoff
            await().atMost(ofSeconds(20)).until(() -> retries() > 0);
            // readiness says so: the consumer's check (storage failing) is down, liveness is not
            await().atMost(ofSeconds(20)).untilAsserted(() -> io.restassured.RestAssured.given()
                    .get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'ingest consumer' }.status", org.hamcrest.Matchers.is("DOWN"))
                    .body("checks.find { it.name == 'ingest consumer' }.data.storage_failing_since",
                            org.hamcrest.Matchers.notNullValue()));
            io.restassured.RestAssured.given().get("/q/health/live").then().statusCode(200)
                    .body("checks.find { it.name == 'ingest consumer loop' }.status", org.hamcrest.Matchers.is("UP"));
        } finally {
            Db.bringDatabaseBack();
        }

        await().atMost(ofSeconds(40)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(26));
        assertThat(Db.count("SELECT coalesce(sum(traces), 0) FROM task_volume_daily WHERE task = ?", task)).isEqualTo(26);
        await().atMost(ofSeconds(20)).untilAsserted(() -> io.restassured.RestAssured.given()
                .get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'ingest consumer' }.status", org.hamcrest.Matchers.is("UP"))
                .body("checks.find { it.name == 'ingest consumer' }.data.lag_records", org.hamcrest.Matchers.notNullValue()));
    }

    private static double retries() {
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith("tailaudit_ingest_retries_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
