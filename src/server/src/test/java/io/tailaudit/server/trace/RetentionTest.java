package io.tailaudit.server.trace;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Status;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention (90 days) on the real schema: the calendar moved on until a stored day is past it drops that
 * day's partition, its idempotency keys and its daily volumes, while the rollups keep answering for it: the
 * task's counts, failure rates and tail over that day are what they were before the drop. What needs the
 * raw rows (the worst traces, a trace's detail) is gone with them.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class RetentionTest {

    @Inject
    PartitionManager partitions;

    @Test
    void a_day_past_the_retention_loses_its_partition_while_the_rollups_still_answer_for_it() throws Exception {
        String task = Traces.uniqueTask("retention");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate day = today.minusDays(85);
        Instant noon = day.atTime(12, 0).toInstant(ZoneOffset.UTC);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Trace.Builder b = Traces.ok(task).occurredAt(noon.plusSeconds(i * 10L));
            if (i % 10 == 0) {
                b.outcome(Outcome.failed(Status.ERROR, "upstream_500"));
            } else {
                b.outcome(Outcome.ok(0.5 + (i % 7) / 14.0));
            }
            Trace t = b.build();
            ids.add(t.traceId());
            Kafka.send(t);
        }
        Kafka.send(Traces.ok(task).occurredAt(noon.plus(1, ChronoUnit.DAYS)).build());     // the next day: kept
        await().atMost(ofSeconds(60)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 201);
        String from = day.atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        String to = day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        JsonPath before = detail(task, from, to);
        assertThat(before.getLong("deployments[0].traces")).isEqualTo(200);

        String partition = "trace_p" + day.toString().replace("-", "");
        assertThat(Db.count("SELECT count(*) FROM pg_class WHERE relname = ?", partition)).isEqualTo(1);
        partitions.maintain(today.plusDays(6));          // 91 days on: the stored day is one past the retention

        assertThat(Db.count("SELECT count(*) FROM pg_class WHERE relname = ?", partition)).as("partition dropped").isZero();
        assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).as("only the next day's trace").isEqualTo(1);
        assertThat(Db.count("SELECT count(*) FROM trace_key WHERE trace_id = ANY(?)", (Object) ids.toArray(new String[0])))
                .as("idempotency keys purged").isZero();
        assertThat(Db.count("SELECT count(*) FROM pg_class WHERE relname = ?",
                "trace_p" + today.minusDays(84).toString().replace("-", ""))).as("the next day is kept").isEqualTo(1);

        JsonPath after = detail(task, from, to);
        assertThat(after.getLong("deployments[0].traces")).as("the rollups still count the day").isEqualTo(200);
        assertThat(after.getMap("deployments[0]")).as("and every figure over it is unchanged")
                .isEqualTo(before.getMap("deployments[0]"));
        given().auth().preemptive().basic("admin", "admin").queryParam("from", from).queryParam("to", to)
                .get("/api/v1/tasks/{task}/worst", task).then().statusCode(200);
        given().auth().preemptive().basic("admin", "admin").get("/api/v1/traces/{id}", ids.get(1))
                .then().statusCode(404);
    }

    private static JsonPath detail(String task, String from, String to) {
        return given().auth().preemptive().basic("admin", "admin").queryParam("from", from).queryParam("to", to)
                .get("/api/v1/tasks/{task}", task).then().statusCode(200).extract().jsonPath();
    }
}
