package io.tailaudit.server.index;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * A task set to store no text ({@code store_text} false) keeps none anywhere: the text already stored is
 * erased when the setting changes, later traces are stored without it, the index drops and no longer finds
 * it, a dead letter naming the task keeps no preview, and scope drift says it is not measured and why.
 * Everything else of its traces (latency, outcome, tokens) is stored as before.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class TextlessTaskTest {

    @Test
    void a_task_that_stores_no_text_keeps_none_in_postgresql_the_index_or_the_dead_letters() {
        String task = Traces.uniqueTask("textless");
        String before = "platypus" + UUID.randomUUID().toString().substring(0, 6);
        Trace first = Traces.ok(task).input("private " + before + " details").output("reply " + before).build();
        Kafka.send(first);
        await().atMost(ofSeconds(120)).until(() -> search(before) == 1);

        given().contentType("application/json").body("{\"store_text\": false}").put("/api/v1/tasks/" + task + "/settings")
                .then().statusCode(200).body("store_text", equalTo(false)).body("overridden", hasItem("store_text"));
        // erased in the setting's own transaction
        assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ? AND (input_text IS NOT NULL"
                + " OR output_text IS NOT NULL)", task)).isZero();
        assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(1);
        // and dropped from the index within seconds
        await().atMost(ofSeconds(120)).until(() -> search(before) == 0);

        String after = "wombat" + UUID.randomUUID().toString().substring(0, 6);
        Trace second = Traces.ok(task).input("private " + after + " details").output("reply " + after).build();
        Kafka.send(second);
        String bad = UUID.randomUUID().toString();
        // its input before its task, longer than a preview: the task is still found, and no text kept
        Kafka.send(Kafka.TOPIC, bad, Kafka.utf8("{\"trace_id\":\"" + bad + "\",\"input\":\"dead " + after + " "
                + "lorem ".repeat(600) + "\",\"task\":\"" + task + "\"}"));
        await().atMost(ofSeconds(120)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 2
                && Db.count("SELECT count(*) FROM dead_letter WHERE record_key = ?", bad) == 1);
        assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ? AND (input_text IS NOT NULL"
                + " OR output_text IS NOT NULL)", task)).isZero();
        assertThat(Db.text("SELECT latency_ms::text FROM trace WHERE trace_id = ?", second.traceId())).isNotNull();
        assertThat(Db.text("SELECT payload_preview FROM dead_letter WHERE record_key = ?", bad))
                .isEqualTo("[preview withheld: task " + task + " stores no text]");
        // a marker of another task indexed after the second trace: the index has read past it
        String marker = "marker" + UUID.randomUUID().toString().substring(0, 6);
        Kafka.send(Traces.ok(Traces.uniqueTask("textless-marker")).input(marker).build());
        await().atMost(ofSeconds(120)).until(() -> search(marker) == 1);
        assertThat(search(after)).isZero();
        given().get("/api/v1/traces/" + second.traceId()).then().statusCode(200)
                .body("has_text", equalTo(false));

        // scope drift says why it is not measured
        given().contentType("application/json").post("/api/v1/index/drift").then().statusCode(200);
        assertThat(Db.text("SELECT not_measured FROM scope_drift WHERE task = ? AND window_name = '7d'", task))
                .isEqualTo("the task stores no text (its setting store_text is off)");

        // storing text again applies to what comes next; nothing erased comes back
        given().contentType("application/json").body("{\"reset\": [\"store_text\"]}")
                .put("/api/v1/tasks/" + task + "/settings").then().statusCode(200).body("store_text", equalTo(true));
        String again = "numbat" + UUID.randomUUID().toString().substring(0, 6);
        Kafka.send(Traces.ok(task).input("public " + again).build());
        await().atMost(ofSeconds(120)).until(() -> search(again) == 1);
        assertThat(search(before)).isZero();
    }

    private static long search(String q) {
        return given().queryParam("q", q).get("/api/v1/search").then().statusCode(200).extract().jsonPath()
                .getLong("total");
    }
}
