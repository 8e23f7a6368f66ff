package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reconciliation ledger on the real pipeline: a producer's stamped events, some dead-lettered, some
 * never sent, one sent twice; the SDK's own stamps; what {@code /api/v1/producers} says, and the
 * {@code producer_gap} alert once the gap outlives its grace period (3 s in tests).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class ProducerLedgerTest {

    @Test
    void stored_dead_lettered_and_missing_events_are_told_apart_and_an_overdue_gap_fires_the_alert() {
        String producer = "ledger-test:" + UUID.randomUUID();
        String task = Traces.uniqueTask("ledger");
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        Trace twice = null;
        for (int seq = 0; seq < 120; seq++) {
            if (seq >= 105 && seq < 110) {
                continue;                        // lost between the producer and Kafka
            }
            if (seq >= 100 && seq < 105) {       // no latency_ms: ingest dead-letters them
                String id = UUID.randomUUID().toString();
                records.add(new AbstractMap.SimpleEntry<>(id, ("{\"schema\":\"tailaudit.trace/v1\",\"trace_id\":\"" + id
                        + "\",\"occurred_at\":\"" + java.time.Instant.now() + "\",\"task\":\"" + task
                        + "\",\"category\":\"chat\",\"deployment\":{\"kind\":\"local\",\"model\":\"m\"},"
                        + "\"producer\":{\"id\":\"" + producer + "\",\"seq\":" + seq + "}}").getBytes(StandardCharsets.UTF_8)));
                continue;
            }
            Trace t = seq == 61 ? twice : Traces.ok(task).build();      // the same trace recorded twice: 60 and 61
            if (seq == 60) {
                twice = t;
            }
            records.add(new AbstractMap.SimpleEntry<>(t.traceId(), EventWriter.write(t, new EventWriter.Stamp(producer, seq))));
        }
        Kafka.sendAll(Kafka.TOPIC, records);

        JsonPath pending = awaitProducer(producer, 115);
        String p = "producers.find { it.producer_id == '" + producer + "' }.";
        assertThat(pending.getLong(p + "expected")).isEqualTo(120);
        assertThat(pending.getLong(p + "stored")).isEqualTo(110);
        assertThat(pending.getLong(p + "dead_lettered")).isEqualTo(5);
        assertThat(pending.getLong(p + "missing")).isEqualTo(5);
        assertThat(pending.getList(p + "gaps.from")).containsExactly(105);
        assertThat(pending.getList(p + "gaps.to")).containsExactly(110);

        // past the grace period the gap is overdue: the producer's state says so and the alert fires
        await().atMost(ofSeconds(30)).until(() -> given().get("/api/v1/producers").jsonPath().getString(p + "state")
                .equals("gap"));
        given().contentType("application/json").post("/api/v1/alerts/evaluate").then().statusCode(200);
        JsonPath alerts = given().get("/api/v1/alerts").then().statusCode(200).extract().jsonPath();
        String alert = "find { it.metric == 'producer_gap' }.";
        assertThat(alerts.getBoolean(alert + "firing")).isTrue();
        assertThat(alerts.getString(alert + "summary")).contains(producer);
        given().auth().preemptive().basic("viewer", "viewer").get("/producers").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString(producer));
    }

    @Test
    void the_sdk_stamps_every_event_and_a_complete_producer_has_no_gap() {
        String task = Traces.uniqueTask("ledger-sdk");
        String id;
        try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(Kafka.bootstrap()).build())) {
            id = client.producerId();
            for (int i = 0; i < 200; i++) {
                client.record(Traces.ok(task).build());
            }
            assertThat(client.flush(Duration.ofSeconds(30))).isTrue();
        }
        JsonPath ledger = awaitProducer(id, 200);
        String p = "producers.find { it.producer_id == '" + id + "' }.";
        assertThat(ledger.getLong(p + "expected")).isEqualTo(200);
        assertThat(ledger.getString(p + "state")).isEqualTo("complete");
        assertThat(ledger.getList(p + "gaps")).isEmpty();
    }

    private static JsonPath awaitProducer(String producer, long accounted) {
        String p = "producers.find { it.producer_id == '" + producer + "' }.";
        await().atMost(ofSeconds(60)).until(() -> {
            JsonPath j = given().get("/api/v1/producers").jsonPath();
            return j.get(p + "stored") != null && j.getLong(p + "stored") + j.getLong(p + "dead_lettered") == accounted;
        });
        return given().get("/api/v1/producers").then().statusCode(200).extract().jsonPath();
    }
}
