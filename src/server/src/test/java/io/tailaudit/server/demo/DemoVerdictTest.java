package io.tailaudit.server.demo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.Feedback;
import io.tailaudit.sdk.Trace;
import io.tailaudit.sdk.internal.EventWriter;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Seven days of the demo's traffic (the generator the embedded platform runs, at its catalog's volumes)
 * through Kafka and ingest: each seeded case comes out with the verdict it was designed to show.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class DemoVerdictTest {

    private static final Map<String, String> DESIGNED = new LinkedHashMap<>();

    static {
        DESIGNED.put("customer-support-chat", "MOVE_TO_CLOUD");   // local 13B, visible worst 5%
        DESIGNED.put("invoice-extraction", "MOVE_TO_LOCAL");      // cloud, constrained, above break-even
        DESIGNED.put("contract-qa", "HYBRID");                    // fails above 8k context tokens only
        DESIGNED.put("sql-agent", "MOVE_TO_CLOUD");               // local agent whose errors compound
        DESIGNED.put("ide-autocomplete", "KEEP");                 // local, absorbable tail, 100 ms budget
        DESIGNED.put("smart-reply", "KEEP");
        DESIGNED.put("product-tagging", "MOVE_TO_CLOUD");         // local, fine tail, cheaper in the cloud
        DESIGNED.put("faq-bot", "INSUFFICIENT_DATA");             // too small to decide
    }

    @Test
    void seven_days_of_demo_traffic_give_every_seeded_case_its_designed_verdict() {
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 6);
        Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant from = to.minus(7, ChronoUnit.DAYS);
        DemoGenerator generator = new DemoGenerator(new Random(7), 1.0);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        Map<String, Long> traces = new HashMap<>();
        for (DemoTask t : DemoCatalog.TASKS) {
            DemoTask renamed = t.named(t.task() + suffix);
            for (Object e : generator.between(renamed, from, to)) {
                if (e instanceof Trace trace) {
                    records.add(new AbstractMap.SimpleEntry<>(trace.traceId(), EventWriter.write(trace)));
                    traces.merge(renamed.task(), 1L, Long::sum);
                } else {
                    Feedback f = (Feedback) e;
                    records.add(new AbstractMap.SimpleEntry<>(f.traceId(), EventWriter.write(f)));
                }
            }
        }
        Kafka.sendAll(Kafka.TOPIC, records);
        long expected = traces.values().stream().mapToLong(Long::longValue).sum();
        await().atMost(ofSeconds(240)).pollInterval(ofSeconds(2)).until(() ->
                Db.count("SELECT count(*) FROM trace WHERE task LIKE ?", "%" + suffix) == expected);

        JsonPath list = given().queryParam("from", from.toString()).queryParam("to", to.toString())
                .get("/api/v1/tasks").then().statusCode(200).extract().jsonPath();
        Map<String, String> actual = new LinkedHashMap<>();
        for (Map<String, Object> row : list.<Map<String, Object>>getList("tasks")) {
            String task = (String) row.get("task");
            if (task.endsWith(suffix)) {
                actual.put(task.substring(0, task.length() - suffix.length()),
                        (String) ((Map<?, ?>) row.get("verdict")).get("kind"));
            }
        }
        DESIGNED.forEach((task, verdict) -> assertThat(actual.get(task)).as(task + " in " + actual).isEqualTo(verdict));
        assertThat(list.getString("tasks.find { it.task == 'contract-qa" + suffix + "' }.verdict.cohort"))
                .isEqualTo("context > 8k tokens");
    }
}
