package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A second ingest replica (its own group.instance.id, the same group) joins while traffic flows and later
 * goes away: a rebalance each way (the one on leaving after the session timeout, as for a static member that
 * died). Every event is stored once, counted once, and the ledger shows the producer complete.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class RebalanceTest {

    @Inject
    IngestService ingest;

    @Test
    void a_second_replica_joining_and_leaving_while_ingesting_loses_and_duplicates_nothing() throws Exception {
        String task = Traces.uniqueTask("rebalance");
        Set<String> sent = new HashSet<>();
        String producer;
        IngestLoop second = ingest.newReplicaLoop("rebalance-test-replica");
        CompletableFuture<Void> running = null;
        try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(Kafka.bootstrap()).build())) {
            producer = client.producerId();
            for (int step = 0; step < 60; step++) {
                if (step == 15) {
                    running = CompletableFuture.runAsync(second);      // joins: the partitions are shared out
                }
                if (step == 40) {
                    second.stop();                                     // goes away: its partitions come back
                    running.get();
                }
                for (int i = 0; i < 50; i++) {
                    Trace t = Traces.ok(task).build();
                    assertThat(client.record(t)).isTrue();
                    sent.add(t.traceId());
                }
                Thread.sleep(250);
            }
            assertThat(client.flush(Duration.ofSeconds(30))).isTrue();
        } finally {
            second.stop();
        }
        int n = sent.size();
        await().atMost(ofSeconds(120)).pollInterval(ofSeconds(1)).until(() ->
                Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == n);
        assertThat(new HashSet<>(Db.strings("SELECT trace_id FROM trace WHERE task = ?", task))).isEqualTo(sent);
        await().atMost(ofSeconds(30)).until(() ->
                Db.count("SELECT coalesce(sum(traces), 0) FROM task_volume_daily WHERE task = ?", task) == n);
        assertThat(Db.count("SELECT coalesce(sum(traces), 0) FROM task_volume_daily WHERE task = ?", task))
                .as("counted once").isEqualTo(n);
        String p = "producers.find { it.producer_id == '" + producer + "' }.";
        await().atMost(ofSeconds(30)).until(() -> given().get("/api/v1/producers").jsonPath().getString(p + "state")
                .equals("complete") && given().get("/api/v1/producers").jsonPath().getLong(p + "stored") == n);
    }
}
