package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

/**
 * PostgreSQL's postmaster itself stopped for 30 s mid-ingest (every session ended, the port closed, not only
 * new connections refused), then started again on the same directory and port: consumption pauses,
 * readiness says the consumer cannot store, and it resumes by itself with every event stored once.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class PostmasterStopTest {

    @Test
    void the_postmaster_stopped_for_30_seconds_pauses_ingest_which_resumes_by_itself_losing_nothing() throws Exception {
        String task = Traces.uniqueTask("postmaster");
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Trace t = Traces.ok(task).build();
            Kafka.send(t);
            sent.add(t.traceId());
        }
        await().atMost(ofSeconds(60)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 100);

        EmbeddedPlatformResource.platform().stopDatabase();
        long down = System.nanoTime();
        try {
            // events keep coming while the database is away
            for (int i = 0; i < 300; i++) {
                Trace t = Traces.ok(task).build();
                Kafka.send(t);
                sent.add(t.traceId());
            }
            await().atMost(ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'ingest consumer' }.status", is("DOWN")));
            given().get("/q/health/live").then().statusCode(200);
            long left = 30_000 - (System.nanoTime() - down) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
        } finally {
            EmbeddedPlatformResource.platform().startDatabaseAgain();
        }

        await().atMost(ofSeconds(90)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 400);
        List<String> stored = Db.strings("SELECT trace_id FROM trace WHERE task = ?", task);
        assertThat(new HashSet<>(stored)).isEqualTo(sent);
        assertThat(stored).hasSize(400);
        await().atMost(ofSeconds(30)).until(() ->
                Db.count("SELECT coalesce(sum(traces), 0) FROM task_volume_daily WHERE task = ?", task) == 400);
        await().atMost(ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'ingest consumer' }.status", is("UP")));
    }
}
