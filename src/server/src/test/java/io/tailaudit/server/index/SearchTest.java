package io.tailaudit.server.index;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Search on the real pipeline: traces produced to Kafka, stored by ingest, indexed by the index role from
 * what PostgreSQL stored. Secrets in prompts are redacted before the index sees them; redelivery adds no
 * document; a dead-lettered record and a conflicting later version are never indexed; a rebuild from
 * PostgreSQL finds the same documents; a viewer is refused with the role it lacks; a bad query is a 400.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class SearchTest {

    private static final String EMAIL = "jane.doe@example.org";
    private static final String CARD = "4111 1111 1111 1111";
    private static final String API_KEY = "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    private static final String BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

    @Test
    void secrets_in_prompts_are_not_findable_and_the_rest_is_with_highlights() {
        String task = Traces.uniqueTask("search-secrets");
        String word = "zebrafish" + UUID.randomUUID().toString().substring(0, 6);
        Trace t = Traces.ok(task).input("My " + word + " order: mail " + EMAIL + ", card " + CARD + ", key "
                + API_KEY + ", Authorization: Bearer " + BEARER).output("Your " + word + " order ships today.").build();
        Kafka.send(t);

        JsonPath found = awaitHits(word, 1);
        assertThat(found.getString("hits[0].trace_id")).isEqualTo(t.traceId());
        assertThat(found.getString("hits[0].task")).isEqualTo(task);
        assertThat(found.getString("hits[0].input_highlight")).contains("<b>" + word + "</b>")
                .contains("[REDACTED:email]").doesNotContain(EMAIL).doesNotContain(API_KEY);
        assertThat(found.getString("hits[0].output_highlight")).contains("<b>" + word + "</b>");

        for (String secret : List.of("\"" + EMAIL + "\"", "\"" + CARD + "\"", "4111111111111111", "\"" + API_KEY + "\"",
                "\"" + BEARER + "\"", "jane.doe")) {
            assertThat(given().queryParam("q", secret).queryParam("task", task).get("/api/v1/search").then()
                    .statusCode(200).extract().jsonPath().getLong("total")).as(secret).isZero();
        }
        assertThat(search("\"" + word + " order\"").getLong("total")).as("a phrase").isEqualTo(1);
        assertThat(given().queryParam("q", word).queryParam("task", "another-task").get("/api/v1/search")
                .jsonPath().getLong("total")).as("filtered by task").isZero();
    }

    @Test
    void redelivery_adds_nothing_a_conflicting_version_is_not_indexed_and_a_dead_letter_never() {
        String task = Traces.uniqueTask("search-once");
        String word = "quokka" + UUID.randomUUID().toString().substring(0, 6);
        Trace first = Traces.ok(task).input("first " + word + " version").build();
        Kafka.send(first);
        Kafka.send(first);
        Trace conflicting = Trace.builder(task, first.category()).traceId(first.traceId()).occurredAt(first.occurredAt())
                .deployment(first.deployment()).latencyMs(10).outcome(first.outcome())
                .input("conflicting " + word + " rewrite").build();
        Kafka.send(conflicting);
        // a record ingest dead-letters (not a trace at all), keyed like one, with the word in it
        String deadId = UUID.randomUUID().toString();
        Kafka.send(Kafka.TOPIC, deadId, Kafka.utf8("{\"trace_id\":\"" + deadId + "\",\"input\":\"dead " + word + "\"}"));
        // a last good trace: once it is searchable, everything before it was read
        String marker = "marker" + UUID.randomUUID().toString().substring(0, 6);
        Kafka.send(Traces.ok(task).input(marker).build());
        awaitHits(marker, 1);

        JsonPath r = search(word);
        assertThat(r.getLong("total")).isEqualTo(1);
        assertThat(r.getString("hits[0].trace_id")).isEqualTo(first.traceId());
        assertThat(r.getString("hits[0].input_highlight")).contains("first").doesNotContain("conflicting");
        assertThat(search("rewrite AND " + word).getLong("total")).isZero();
        assertThat(search("dead AND " + word).getLong("total")).isZero();
        assertThat(Db.count("SELECT count(*) FROM dead_letter WHERE record_key = ?", deadId)).isEqualTo(1);
    }

    @Test
    void a_rebuild_from_postgresql_finds_the_same_documents() {
        String task = Traces.uniqueTask("search-rebuild");
        String word = "axolotl" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 30; i++) {
            Kafka.send(Traces.ok(task).input(word + " request " + i).build());
        }
        JsonPath before = awaitHits(word, 30);

        given().contentType("application/json").post("/api/v1/index/rebuild").then().statusCode(202);
        await().atMost(ofSeconds(120)).pollDelay(ofSeconds(1)).until(() ->
                given().get("/q/metrics").asString().contains("tailaudit_index_rebuilding 0.0"));
        JsonPath after = awaitHits(word, 30);
        assertThat(after.getList("hits.trace_id")).containsExactlyElementsOf(before.getList("hits.trace_id"));
    }

    @jakarta.inject.Inject
    IndexConfig config;

    @Test
    void the_index_folder_deleted_under_a_running_replica_is_rebuilt_with_the_same_documents() throws Exception {
        String task = Traces.uniqueTask("search-lost");
        String word = "pangolin" + UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < 30; i++) {
            Kafka.send(Traces.ok(task).input(word + " request " + i).build());
        }
        JsonPath before = awaitHits(word, 30);

        java.nio.file.Path dir = java.nio.file.Path.of(config.dir());
        // a merge may add or remove files meanwhile, as it would under an operator's rm -rf
        await().atMost(ofSeconds(30)).ignoreExceptions().until(() -> {
            try (var files = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
            return !java.nio.file.Files.exists(dir);
        });
        // detected at the next refresh, opened afresh and rebuilt from PostgreSQL
        await().atMost(ofSeconds(120)).until(() -> java.nio.file.Files.exists(dir.resolve("write.lock")));
        await().atMost(ofSeconds(120)).pollDelay(ofSeconds(1)).until(() ->
                given().get("/q/metrics").asString().contains("tailaudit_index_rebuilding 0.0"));
        JsonPath after = awaitHits(word, 30);
        assertThat(after.getList("hits.trace_id")).containsExactlyElementsOf(before.getList("hits.trace_id"));
        // and it keeps indexing what comes next
        String next = "okapi" + UUID.randomUUID().toString().substring(0, 6);
        Kafka.send(Traces.ok(task).input(next).build());
        awaitHits(next, 1);
    }

    @Test
    void a_viewer_gets_403_naming_the_role_and_a_bad_query_a_400_with_the_parsers_message() {
        given().auth().preemptive().basic("viewer", "viewer").queryParam("q", "anything").get("/api/v1/search")
                .then().statusCode(403).contentType(containsString("application/problem+json"))
                .body("detail", equalTo("searching trace text needs the text-reader role"));
        given().auth().preemptive().basic("reader", "reader").queryParam("q", "anything").get("/api/v1/search")
                .then().statusCode(200);
        given().queryParam("q", "\"unclosed AND (").get("/api/v1/search").then().statusCode(400)
                .body("detail", containsString("q is not a valid query: cannot parse"));
        given().queryParam("q", "*leading").get("/api/v1/search").then().statusCode(400)
                .body("detail", containsString("q is not a valid query"));
        given().get("/api/v1/search").then().statusCode(400).body("detail", containsString("q is required"));
        given().queryParam("q", "a".repeat(2_001)).get("/api/v1/search").then().statusCode(400)
                .body("detail", containsString("at most 2000"));
        String many = String.join(" OR ", java.util.stream.IntStream.range(0, 300).mapToObj(i -> Integer.toString(i, 36)).toList());
        given().queryParam("q", many).get("/api/v1/search").then().statusCode(400)
                .body("detail", containsString("clauses"));
        given().queryParam("q", "x").queryParam("cursor", "bm90IGEgY3Vyc29y").get("/api/v1/search").then()
                .statusCode(400).body("detail", containsString("cursor"));
        given().queryParam("q", "x").queryParam("order", "random").get("/api/v1/search").then().statusCode(400);
    }

    private static JsonPath awaitHits(String q, int n) {
        await().atMost(ofSeconds(120)).until(() -> search(q).getLong("total") == n);
        return given().queryParam("q", q).queryParam("limit", "100").get("/api/v1/search").then().statusCode(200)
                .extract().jsonPath();
    }

    private static JsonPath search(String q) {
        return given().queryParam("q", q).queryParam("limit", "100").get("/api/v1/search").then().statusCode(200)
                .extract().jsonPath();
    }
}
