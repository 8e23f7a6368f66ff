package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The platform's own broker stopped for 30 s while an SDK client with the spool on records and ingest
 * consumes, then started again on its directory and ports: every event recorded during the outage is
 * stored exactly once, and the reconciliation ledger shows the producer complete, with no gap.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class BrokerOutageTest {

    @Test
    void the_broker_stopped_for_30_seconds_loses_nothing_recorded_meanwhile_and_the_ledger_shows_no_gap()
            throws Exception {
        String task = Traces.uniqueTask("broker-outage");
        Path spool = java.nio.file.Files.createTempDirectory(Path.of("target").toAbsolutePath(), "spool-");
        Set<String> recorded = new HashSet<>();
        String producer;
        try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(Kafka.bootstrap()).spool(spool)
                .closeTimeout(Duration.ofSeconds(60)).build())) {
            producer = client.producerId();
            record(client, task, recorded, 200);
            assertThat(client.flush(Duration.ofSeconds(60))).isTrue();
            EmbeddedPlatformResource.platform().stopBroker();
            try {
                long start = System.nanoTime();
                while (System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
                    record(client, task, recorded, 40);
                    Thread.sleep(200);
                }
                assertThat(client.stats().spooled()).isPositive();
            } finally {
                EmbeddedPlatformResource.platform().startBrokerAgain();
            }
            assertThat(client.flush(Duration.ofSeconds(120))).isTrue();
            assertThat(client.stats().dropped()).isZero();
        }
        int n = recorded.size();
        await().atMost(ofSeconds(180)).pollInterval(ofSeconds(2)).until(() ->
                Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == n);
        assertThat(new HashSet<>(Db.strings("SELECT trace_id FROM trace WHERE task = ?", task))).isEqualTo(recorded);
        String p = "producers.find { it.producer_id == '" + producer + "' }.";
        await().atMost(ofSeconds(60)).until(() -> {
            JsonPath j = given().get("/api/v1/producers").jsonPath();
            return j.get(p + "stored") != null && j.getLong(p + "stored") == n;
        });
        JsonPath ledger = given().get("/api/v1/producers").then().statusCode(200).extract().jsonPath();
        assertThat(ledger.getLong(p + "expected")).isEqualTo(n);
        assertThat(ledger.getString(p + "state")).isEqualTo("complete");
    }

    private static void record(TailAuditClient client, String task, Set<String> recorded, int n) {
        for (int i = 0; i < n; i++) {
            Trace t = Traces.ok(task).build();
            assertThat(client.record(t)).isTrue();
            recorded.add(t.traceId());
        }
    }
}
