package io.tailaudit.server.ingest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/** Its own application and consumer group: the replica it fences stops ingesting for good. */
@QuarkusTest
@TestProfile(SharedInstanceIdTest.OwnGroup.class)
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class SharedInstanceIdTest {

    public static final class OwnGroup implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tailaudit.ingest.group-id", "shared-instance-id-test");
        }
    }

    @Inject
    IngestService ingest;

    @Test
    void replica_fenced_by_another_with_its_instance_id_stops_ingest_naming_the_setting() {
        String id = ingest.instanceId().orElseThrow();
        await().atMost(ofSeconds(30)).until(() -> ingest.consumerState().lastPoll() != null);
        try (KafkaConsumer<String, byte[]> impostor = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Kafka.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "shared-instance-id-test",
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id), new StringDeserializer(), new ByteArrayDeserializer())) {
            impostor.subscribe(List.of(Kafka.TOPIC));
            await().atMost(ofSeconds(30)).untilAsserted(() -> {
                impostor.poll(Duration.ofMillis(200));
                assertThat(ingest.consumerState().stoppedBecause()).as("why ingest stopped")
                        .contains("tailaudit.ingest.instance-id").contains(id);
            });
        }
        given().get("/q/health/ready").then().statusCode(503).body(containsString("tailaudit.ingest.instance-id"));
        given().get("/q/health/live").then().statusCode(200);
    }
}
