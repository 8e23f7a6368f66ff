package io.tailaudit.server.console;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Who sees what of a rejected record, end to end: the record goes through Kafka and ingest into the
 * dead-letter table, then is read back over HTTP as each role.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class DeadLetterVisibilityTest {

    /** A record that is not JSON past its prompt: the prompt reaches the preview, the bad token the detail. */
    private static String rejected(String prompt) {
        String key = "dlq-visibility-" + UUID.randomUUID();
        Kafka.send(Kafka.TOPIC, key, Kafka.utf8("{\"schema\":\"tailaudit.trace/v1\",\"input\":\"" + prompt
                + " mail carol@example.com\",\"trace_id\": oopsHunter2Token}"));
        await().atMost(ofSeconds(20)).untilAsserted(() -> given().get("/api/v1/dlq?reason=malformed_json").then()
                .statusCode(200).body("items.record_key", hasItem(key)));
        return key;
    }

    private static String session(String user) {
        return given().auth().none().redirects().follow(false).formParam("j_username", user)
                .formParam("j_password", user).post("/j_security_check").then().statusCode(302)
                .extract().cookie("tailaudit-session");
    }

    private static String dlqPage(String user) {
        return given().auth().none().cookie("tailaudit-session", session(user)).get("/dlq?reason=malformed_json")
                .then().statusCode(200).extract().asString();
    }

    @Test
    void a_viewer_sees_the_reason_on_the_dlq_page_but_no_payload_text() {
        String prompt = "zebra-" + UUID.randomUUID();
        rejected(prompt);

        String page = dlqPage("viewer");

        assertThat(page).contains("Unrecognized token").contains("hidden: requires role text-reader")
                .doesNotContain(prompt).doesNotContain("oopsHunter2Token");
    }

    @Test
    void a_text_reader_sees_the_payload_on_the_dlq_page_redacted() {
        String prompt = "zebra-" + UUID.randomUUID();
        rejected(prompt);

        String page = dlqPage("reader");

        assertThat(page).contains(prompt).contains("[REDACTED:email]").doesNotContain("carol@example.com");
    }

    @Test
    void the_dlq_api_gives_a_viewer_no_payload_text_not_even_in_the_detail() {
        String prompt = "zebra-" + UUID.randomUUID();
        rejected(prompt);

        String body = given().auth().preemptive().basic("viewer", "viewer").get("/api/v1/dlq?reason=malformed_json")
                .then().statusCode(200).extract().asString();

        assertThat(body).contains("Unrecognized token").doesNotContain(prompt).doesNotContain("oopsHunter2Token")
                .doesNotContain("carol@example.com");
    }

    @Test
    void a_tag_holding_an_email_address_is_stored_redacted_and_still_groups() {
        String task = Traces.uniqueTask("tag-redaction");
        Trace first = Traces.ok(task).tags(Map.of("user_email", "a@b.com")).build();
        Trace second = Traces.ok(task).tags(Map.of("user_email", "c@d.org")).build();
        Kafka.send(first);
        Kafka.send(second);

        await().atMost(ofSeconds(20)).untilAsserted(() ->
                assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ?", task)).isEqualTo(2));
        given().get("/api/v1/traces/" + first.traceId()).then().body("tags.user_email", equalTo("[REDACTED:email]"));
        assertThat(Db.count("SELECT count(DISTINCT tags->>'user_email') FROM trace WHERE task = ?", task))
                .as("both addresses are stored as the same marker").isEqualTo(1);
        assertThat(Db.count("SELECT count(*) FROM trace WHERE task = ? AND tags::text LIKE '%@%'", task)).isZero();
    }
}
