package io.tailaudit.server.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Status;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alerts end to end against real receivers: a JDK HTTP server stands in for a webhook, Slack's incoming
 * webhook, PagerDuty's Events API v2 and Alertmanager's API v2, recording each request. A tail degradation
 * in produced traces fires exactly one notification per channel, each in its receiver's shape; traffic that
 * recovers resolves it; a receiver failing for a while still gets its notification, once; two evaluators
 * at once page once; a silence keeps a firing quiet. A rule on the visible-failure rate the verdict decides on
 * fires when its interval lies above the task's threshold, not while the interval contains it.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class AlertsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "webhook-s3cret";
    private static final String ROUTING_KEY = "R0UTINGKEY0123456789012345678901";

    /** A request a receiver got. */
    record Received(String path, Map<String, List<String>> headers, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private static HttpServer server;
    private static final List<Received> received = new CopyOnWriteArrayList<>();
    /** The flaky receiver answers 500 to the first three requests about this task. */
    private static volatile String flakyTask = "\u0000no task yet";
    private static final AtomicInteger flakyFailuresLeft = new AtomicInteger(3);

    /** The endless receiver holds its answer open until this is released. */
    private static final java.util.concurrent.CountDownLatch endlessRelease = new java.util.concurrent.CountDownLatch(1);

    @BeforeAll
    static void receivers() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // the endless receiver holds its thread: the others must not wait behind it
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        for (String path : List.of("/webhook", "/slack", "/pagerduty/v2/enqueue", "/am/api/v2/alerts", "/flaky",
                "/am-tail/api/v2/alerts")) {
            server.createContext(path, exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders(), body));
                int status = 202;
                if (path.equals("/flaky") && body.contains(flakyTask) && flakyFailuresLeft.getAndDecrement() > 0) {
                    status = 500;
                }
                byte[] answer = (status == 500 ? "down for maintenance" : "{\"status\":\"success\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
        }
        server.createContext("/redirect", exchange -> {
            received.add(new Received("/redirect", exchange.getRequestHeaders(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.getResponseHeaders().add("Location", base() + "/webhook");
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        server.createContext("/noisy", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = ("{\"error\": \"invalid_token\",\n \"token\": \"xoxb-1234567890-ABCDEFGHIJKLMNOP\","
                    + " \"see\": \"https://internal.example/debug/session?id=42\", \"pad\": \"" + "x ".repeat(400) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.createContext("/endless", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, 0);
            try {
                exchange.getResponseBody().write("e".repeat(8192).getBytes(StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
                endlessRelease.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the sender stopped reading: what this receiver is for
            }
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        endlessRelease.countDown();
        server.stop(0);
    }

    private static String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static long channel(String name, String kind, String url, String secret) {
        return given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", kind, "url", url,
                        "secret", secret == null ? "" : secret, "min_severity", "critical"))
                .post("/api/v1/alerts/channels").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static long rule(String task, double threshold) {
        return rule(task, "worst5_visible_failure_rate", threshold);
    }

    /** A critical rule on one task, firing at once; {@code threshold} null: the task's own tail threshold. */
    private static long rule(String task, String metric, Double threshold) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "tail of " + task, "metric", metric,
                "scope", "task", "scope_value", task, "window", "1h", "for_seconds", 0, "severity", "critical",
                "labels", Map.of("team", "ml-platform"), "runbook_url", "https://runbooks.example/tail"));
        if (threshold != null) {
            body.put("threshold", threshold);
        }
        return given().contentType(ContentType.JSON).body(body)
                .post("/api/v1/alerts/rules").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static void produce(String task, int good, int errors) {
        for (int i = 0; i < good; i++) {
            Kafka.send(Traces.ok(task).build());
        }
        for (int i = 0; i < errors; i++) {
            Kafka.send(Traces.ok(task).outcome(Outcome.failed(Status.ERROR, "oom")).build());
        }
    }

    private static void awaitTraces(String task, long n) {
        await().atMost(ofSeconds(30)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == n);
    }

    private static void evaluate() {
        given().contentType(ContentType.JSON).post("/api/v1/alerts/evaluate").then().statusCode(200);
    }

    private static List<Received> about(String task, String path) {
        return received.stream().filter(r -> r.path().equals(path) && r.body().contains(task)).toList();
    }

    @Test
    void aTailDegradationPagesEveryChannelOnceAndResolvesWhenTrafficRecovers() throws Exception {
        // channels are global: this test counts only what mentions its own task
        String suffix = Traces.uniqueTask("");
        channel("webhook" + suffix, "webhook", base() + "/webhook", SECRET);
        channel("slack" + suffix, "slack", base() + "/slack", null);
        channel("pagerduty" + suffix, "pagerduty", base() + "/pagerduty/v2/enqueue", ROUTING_KEY);
        channel("alertmanager" + suffix, "alertmanager", base() + "/am", null);
        channel("flaky" + suffix, "webhook", base() + "/flaky", null);
        String task = Traces.uniqueTask("alerting");
        flakyTask = task;
        long rule = rule(task, 0.3);

        // healthy: the worst 5% of 38 traces at quality 0.9 hold no failure
        produce(task, 38, 0);
        awaitTraces(task, 38);
        evaluate();
        assertThat(Db.count("SELECT count(*) FROM alert_state WHERE rule_id = ?", rule)).isZero();

        // two errors: the worst 5% of 40 are those 2, 100% visible failures, Wilson 95% low 34.2% > 30%;
        // two evaluators at once, as two replicas would: one page, not two
        produce(task, 0, 2);
        awaitTraces(task, 40);
        CompletableFuture<Void> a = CompletableFuture.runAsync(AlertsTest::evaluate);
        CompletableFuture<Void> b = CompletableFuture.runAsync(AlertsTest::evaluate);
        CompletableFuture.allOf(a, b).get();
        evaluate();
        assertThat(Db.count("SELECT count(*) FROM alert_event WHERE rule_id = ? AND kind = 'firing'", rule))
                .isEqualTo(1);

        await().atMost(ofSeconds(20)).untilAsserted(() -> {
            assertThat(about(task, "/webhook")).hasSize(1);
            assertThat(about(task, "/slack")).hasSize(1);
            assertThat(about(task, "/pagerduty/v2/enqueue")).hasSize(1);
            assertThat(about(task, "/am/api/v2/alerts")).hasSize(1);
        });

        Received hook = about(task, "/webhook").get(0);
        assertThat(hook.headers().get("X-tailaudit-signature")).containsExactly(
                "sha256=" + NotificationSender.hmac(SECRET, hook.body()));
        JsonNode h = hook.json();
        assertThat(h.path("status").asText()).isEqualTo("firing");
        JsonNode alert = h.path("alerts").get(0);
        assertThat(alert.path("task").asText()).isEqualTo(task);
        assertThat(alert.path("metric").asText()).isEqualTo("worst5_visible_failure_rate");
        assertThat(alert.path("value").asDouble()).isEqualTo(1.0);
        assertThat(alert.path("low").asDouble()).isBetween(0.341, 0.343);
        assertThat(alert.path("threshold").asDouble()).isEqualTo(0.3);
        assertThat(alert.path("labels").path("team").asText()).isEqualTo("ml-platform");
        assertThat(alert.path("link").asText()).isEqualTo("http://console.test/tasks/" + task + "/worst?window=1h");
        String fingerprint = alert.path("fingerprint").asText();
        assertThat(fingerprint).isEqualTo("tailaudit/rule-" + rule + "/" + task);

        JsonNode slack = about(task, "/slack").get(0).json();
        assertThat(slack.path("text").asText()).startsWith("Firing: tail of " + task);
        assertThat(slack.path("blocks").get(0).path("type").asText()).isEqualTo("header");
        String section = slack.path("blocks").get(1).path("text").path("text").asText();
        assertThat(section).contains("worst-5% visible-failure rate 100.0% (95% CI 34.2%-100.0%)")
                .contains("<http://console.test/tasks/" + task + "/worst?window=1h|Open the evidence in TailAudit>");
        assertThat(slack.path("blocks").get(2).path("type").asText()).isEqualTo("context");

        JsonNode pd = about(task, "/pagerduty/v2/enqueue").get(0).json();
        assertThat(pd.path("routing_key").asText()).isEqualTo(ROUTING_KEY);
        assertThat(pd.path("event_action").asText()).isEqualTo("trigger");
        assertThat(pd.path("dedup_key").asText()).isEqualTo(fingerprint);
        assertThat(pd.path("payload").path("severity").asText()).isEqualTo("critical");
        assertThat(pd.path("payload").path("source").asText()).isEqualTo("tailaudit");
        assertThat(pd.path("payload").path("component").asText()).isEqualTo(task);
        assertThat(pd.path("payload").path("summary").asText()).startsWith(task + ": worst-5% visible-failure rate");
        assertThat(pd.path("payload").path("timestamp").asText()).isNotBlank();
        assertThat(pd.path("links").get(0).path("href").asText()).contains("/tasks/" + task);

        JsonNode am = about(task, "/am/api/v2/alerts").get(0).json();
        assertThat(am.isArray()).isTrue();
        JsonNode amAlert = am.get(0);
        assertThat(amAlert.path("labels").path("alertname").asText()).isEqualTo("tail of " + task);
        assertThat(amAlert.path("labels").path("task").asText()).isEqualTo(task);
        assertThat(amAlert.path("labels").path("severity").asText()).isEqualTo("critical");
        assertThat(amAlert.path("annotations").path("runbook_url").asText()).isEqualTo("https://runbooks.example/tail");
        assertThat(amAlert.path("startsAt").asText()).isNotBlank();
        assertThat(amAlert.has("endsAt")).isFalse();
        assertThat(amAlert.path("generatorURL").asText()).contains("/tasks/" + task);

        // the flaky receiver answered 500 three times; the outbox kept trying and delivered it once
        await().atMost(ofSeconds(30)).untilAsserted(() -> assertThat(Db.text("""
                SELECT n.status || '/' || n.attempts FROM alert_notification n JOIN alert_channel c ON c.id = n.channel_id
                 WHERE c.name = ? ORDER BY n.id DESC LIMIT 1""", "flaky" + suffix)).isEqualTo("delivered/4"));
        assertThat(about(task, "/flaky")).hasSize(4);

        // still firing on the next cycles: no repeat before the repeat interval
        evaluate();
        Thread.sleep(1_500);
        assertThat(about(task, "/webhook")).hasSize(1);
        assertThat(about(task, "/pagerduty/v2/enqueue")).hasSize(1);

        // recovery: the worst 5% of 180 traces are 9, 2 of them failures: 22% < 30% x (1 - 0.2)
        produce(task, 140, 0);
        awaitTraces(task, 180);
        evaluate();
        await().atMost(ofSeconds(20)).untilAsserted(() -> {
            assertThat(about(task, "/webhook")).hasSize(2);
            assertThat(about(task, "/pagerduty/v2/enqueue")).hasSize(2);
            assertThat(about(task, "/am/api/v2/alerts")).hasSize(2);
            assertThat(about(task, "/slack")).hasSize(2);
        });
        JsonNode resolve = about(task, "/pagerduty/v2/enqueue").get(1).json();
        assertThat(resolve.path("event_action").asText()).isEqualTo("resolve");
        assertThat(resolve.path("dedup_key").asText()).isEqualTo(fingerprint);
        assertThat(about(task, "/am/api/v2/alerts").get(1).json().get(0).path("endsAt").asText()).isNotBlank();
        assertThat(about(task, "/webhook").get(1).json().path("status").asText()).isEqualTo("resolved");
        assertThat(about(task, "/slack").get(1).json().path("text").asText()).startsWith("Resolved:");
        assertThat(Db.count("SELECT count(*) FROM alert_state WHERE rule_id = ?", rule)).isZero();
        assertThat(given().get("/api/v1/alerts/history?limit=1000").jsonPath().getList("findAll { it.rule_id == "
                + rule + " }.kind")).containsExactly("resolved", "firing");
    }

    // ---- the visible-failure rate the verdict decides on

    @Test
    void aVisibleFailureRateWhoseIntervalLiesAboveTheTasksThresholdFires() {
        String task = Traces.uniqueTask("visible-tail");
        long rule = rule(task, "visible_failure_rate", null);
        // 10 visible failures in 40 traces: 25%, Wilson 95% [14.2%, 40.2%], wholly above T = 5%
        produce(task, 30, 10);
        awaitTraces(task, 40);
        evaluate();
        assertThat(Db.count("SELECT count(*) FROM alert_event WHERE rule_id = ? AND kind = 'firing'"
                + " AND metric = 'visible_failure_rate' AND threshold = 0.05 AND low BETWEEN 0.1418 AND 0.1419"
                + " AND high BETWEEN 0.4019 AND 0.4020", rule)).isEqualTo(1);
        assertThat(Db.text("SELECT summary || ' ' || link FROM alert_event WHERE rule_id = ?", rule)).isEqualTo(
                task + ": visible-failure rate 25.0% (95% CI 14.2%-40.2%) over the last 1h, above the threshold"
                        + " 5.0%; 40 traces http://console.test/tasks/" + task + "?window=1h");
    }

    @Test
    void aVisibleFailureRateWhoseIntervalContainsTheTasksThresholdDoesNotFire() {
        String task = Traces.uniqueTask("visible-undecided");
        long rule = rule(task, "visible_failure_rate", null);
        // 2 visible failures in 40 traces: 5%, Wilson 95% [1.4%, 16.5%] contains T = 5% (undecided), though
        // both are in the worst 5%, whose share is 100%
        produce(task, 38, 2);
        awaitTraces(task, 40);
        JsonPath d = given().get("/api/v1/tasks/" + task + "?window=1h").then()
                .statusCode(200).extract().jsonPath();
        assertThat(d.getDouble("deployments[0].visible_failure_rate.low")).isLessThan(0.05);
        assertThat(d.getDouble("deployments[0].visible_failure_rate.high")).isGreaterThan(0.05);
        assertThat(d.getDouble("deployments[0].worst5.visible_failure_rate.rate")).isEqualTo(1.0);
        evaluate();
        assertThat(Db.count("SELECT count(*) FROM alert_state WHERE rule_id = ?", rule)).isZero();
        assertThat(Db.count("SELECT count(*) FROM alert_event WHERE rule_id = ?", rule)).isZero();
    }

    @Test
    void anAlertmanagerAlertOfATailRuleWithoutThresholdNamesTheTasksThreshold() {
        long channel = channel(Traces.uniqueTask("am-tail"), "alertmanager", base() + "/am-tail", null);
        try {
            String task = Traces.uniqueTask("visible-described");
            rule(task, "visible_failure_rate", null);
            produce(task, 30, 10);
            awaitTraces(task, 40);
            evaluate();
            await().atMost(ofSeconds(20)).untilAsserted(() -> assertThat(about(task, "/am-tail/api/v2/alerts"))
                    .hasSize(1));
            JsonNode am = about(task, "/am-tail/api/v2/alerts").get(0).json().get(0);
            assertThat(am.path("labels").path("metric").asText()).isEqualTo("visible_failure_rate");
            assertThat(am.path("annotations").path("description").asText()).isEqualTo(
                    "visible-failure rate over all traces over the last 1h, against the task's tail threshold 5.0%");
        } finally {
            given().delete("/api/v1/alerts/channels/" + channel).then().statusCode(204);
        }
    }

    @Test
    void theDefaultTailRuleWatchesTheVisibleFailureRateOnEachTasksOwnThreshold() {
        JsonPath rules = given().get("/api/v1/alerts/rules").then().statusCode(200)
                .extract().jsonPath();
        String seeded = "find { it.name == \"Visible failures above the task's threshold\" }";
        assertThat(rules.getString(seeded + ".metric")).isEqualTo("visible_failure_rate");
        assertThat(rules.getString(seeded + ".scope")).isEqualTo("all");
        assertThat(rules.getString(seeded + ".severity")).isEqualTo("critical");
        assertThat(rules.<Object>get(seeded + ".threshold")).isNull();
        assertThat(rules.getList("findAll { it.metric == 'worst5_visible_failure_rate' && it.scope == 'all' }"))
                .as("the rule V6 seeded on the worst 5 percent moved, not doubled").isEmpty();
    }

    @Test
    void aSilenceKeepsAFiringQuiet() {
        String task = Traces.uniqueTask("silenced");
        long rule = rule(task, 0.3);
        given().contentType(ContentType.JSON).body(Map.of("rule_id", rule, "task", task, "minutes", 30,
                "comment", "known incident")).post("/api/v1/alerts/silences").then().statusCode(201);
        produce(task, 38, 2);
        awaitTraces(task, 40);
        evaluate();
        assertThat(Db.count("SELECT count(*) FROM alert_event WHERE rule_id = ? AND kind = 'firing' AND silenced",
                rule)).isEqualTo(1);
        assertThat(Db.count("SELECT count(*) FROM alert_notification WHERE ? = ANY(event_ids)",
                Db.count("SELECT id FROM alert_event WHERE rule_id = ?", rule))).isZero();
        assertThat(received.stream().filter(r -> r.body().contains(task)).toList()).isEmpty();
    }

    @Test
    void badRulesAndSilencesGetA400ThatSaysWhy() {
        given().contentType(ContentType.JSON).body(Map.of("name", "x", "metric", "escalation_rate", "window", "2h"))
                .post("/api/v1/alerts/rules").then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.allOf(
                        org.hamcrest.Matchers.containsString("threshold: metric escalation_rate needs a threshold"),
                        org.hamcrest.Matchers.containsString("window: must be one of [1h, 24h, 7d, 30d], got '2h'")));
        given().contentType(ContentType.JSON).body(Map.of("name", "y", "metric", "nope"))
                .post("/api/v1/alerts/rules").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("metric: must be one of"));
        given().contentType(ContentType.JSON).body(Map.of("comment", "no target", "minutes", 5))
                .post("/api/v1/alerts/silences").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("a silence names a rule_id, a task, or both"));
        given().get("/api/v1/alerts/rules/999999").then().statusCode(404);
        given().get("/api/v1/alerts/rules").then().statusCode(200)
                .body("find { it.name == 'Escalation rate above 15%' }.metric", org.hamcrest.Matchers.is("escalation_rate"));
        given().auth().none().get("/api/v1/alerts").then().statusCode(401);
        given().auth().preemptive().basic("viewer", "viewer").contentType(ContentType.JSON)
                .body(Map.of("name", "z", "metric", "dlq_rate", "threshold", 1)).post("/api/v1/alerts/rules")
                .then().statusCode(403);
    }

    // ---- where notifications may go, and what comes back

    /** A channel stored as if saved before its target changed (or its name resolved elsewhere): off, so no rule uses it. */
    private static long storedChannel(String url) {
        return Db.count("INSERT INTO alert_channel (name, kind, url, enabled) VALUES (?, 'webhook', ?, false) RETURNING id",
                Traces.uniqueTask("stored-channel"), url);
    }

    private static long queued(long channel, String marker) {
        return Db.count("INSERT INTO alert_notification (channel_id, event_ids, body, next_attempt_at, created_at)"
                + " VALUES (?, '{}', ?, now(), now()) RETURNING id", channel, "{\"probe\":\"" + marker + "\"}");
    }

    private static String lastError(long notification) {
        await().atMost(ofSeconds(20)).until(() -> Db.text("SELECT last_error FROM alert_notification WHERE id = ?",
                notification) != null);
        return Db.text("SELECT last_error FROM alert_notification WHERE id = ?", notification);
    }

    private static void deleteChannel(long id) {
        given().delete("/api/v1/alerts/channels/" + id).then().statusCode(204);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://localhost:9093/",
            "http://127.0.0.2:9093/",
            "http://[::ffff:169.254.169.254]/",
            "http://10.0.0.1:9093/",
            "http://0.0.0.0:8080/"})
    void aChannelToLoopbackLinkLocalMetadataOrAnUnlistedPrivateTargetIsRefusedNamingTheUrl(String url) {
        given().contentType(ContentType.JSON).body(Map.of("name", Traces.uniqueTask("refused"), "kind", "webhook",
                        "url", url, "enabled", false))
                .post("/api/v1/alerts/channels").then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.startsWith("url: "));
    }

    @Test
    void aChannelToAListedLocalReceiverIsAccepted() {
        long id = given().contentType(ContentType.JSON).body(Map.of("name", Traces.uniqueTask("listed"), "kind", "webhook",
                "url", base() + "/webhook", "enabled", false)).post("/api/v1/alerts/channels")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        deleteChannel(id);
    }

    @Test
    void aTargetRefusedAtSendTimeFailsTheNotificationWithAClearErrorAndReachesNothing() {
        // localhost resolves to the receiver's own address, which the allow-list lets through as 127.0.0.1
        long channel = storedChannel("http://localhost:" + server.getAddress().getPort() + "/webhook");
        String marker = Traces.uniqueTask("rebound");
        try {
            long n = queued(channel, marker);
            assertThat(lastError(n)).startsWith("refused target: host localhost is this machine");
            assertThat(Db.text("SELECT status FROM alert_notification WHERE id = ?", n)).isEqualTo("pending");
            assertThat(received.stream().filter(r -> r.body().contains(marker)).toList()).isEmpty();
        } finally {
            deleteChannel(channel);
        }
    }

    @Test
    void aRedirectIsNotFollowed() {
        long channel = storedChannel(base() + "/redirect");
        String marker = Traces.uniqueTask("redirect");
        try {
            long n = queued(channel, marker);
            assertThat(lastError(n)).isEqualTo("HTTP 307");
            assertThat(received.stream().filter(r -> r.body().contains(marker)).map(Received::path))
                    .containsOnly("/redirect");
        } finally {
            deleteChannel(channel);
        }
    }

    @Test
    void aReceiversAnswerIsReadNoFurtherThanTheCap() {
        // the answer never ends: read to its end, the attempt would time out instead
        long channel = storedChannel(base() + "/endless");
        try {
            assertThat(lastError(queued(channel, Traces.uniqueTask("endless")))).startsWith("HTTP 500: ");
        } finally {
            deleteChannel(channel);
        }
    }

    @Test
    void aReceiversErrorIsKeptAsAShortSnippetWithoutTokensOrUrlPaths() {
        long channel = storedChannel(base() + "/noisy");
        try {
            String error = lastError(queued(channel, Traces.uniqueTask("noisy")));
            assertThat(error).startsWith("HTTP 500: {\"error\": \"invalid_token\", \"token\": \"[redacted]\"")
                    .contains("https://internal.example/...").doesNotContain("xoxb").doesNotContain("session?id")
                    .hasSizeLessThanOrEqualTo("HTTP 500: ".length() + ReceiverClient.SNIPPET + 3);
        } finally {
            deleteChannel(channel);
        }
    }

    @Test
    void rolesOtherThanAdminSeeAChannelsSchemeAndHostOnly() {
        String name = Traces.uniqueTask("masked");
        String url = base() + "/webhook/T0000/B0000/s3cretPathToken";
        long id = given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", "webhook", "url", url,
                "enabled", false)).post("/api/v1/alerts/channels").then().statusCode(201).extract().jsonPath().getLong("id");
        try {
            given().auth().preemptive().basic("viewer", "viewer").get("/api/v1/alerts/channels").then().statusCode(200)
                    .body("find { it.id == " + id + " }.url", org.hamcrest.Matchers.is("http://127.0.0.1/..."));
            given().get("/api/v1/alerts/channels").then().statusCode(200)
                    .body("find { it.id == " + id + " }.url", org.hamcrest.Matchers.is(url));
            given().auth().preemptive().basic("viewer", "viewer").get("/alerts").then().statusCode(200)
                    .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("s3cretPathToken")));
        } finally {
            deleteChannel(id);
        }
    }

    @Test
    void rolesOtherThanAdminSeeOnlyWhatFailedInADeliveryError() {
        long channel = storedChannel(base() + "/noisy");
        try {
            long n = queued(channel, Traces.uniqueTask("summarised"));
            assertThat(lastError(n)).startsWith("HTTP 500: {");
            given().auth().preemptive().basic("viewer", "viewer").get("/api/v1/alerts/notifications").then()
                    .statusCode(200).body("find { it.id == " + n + " }.last_error", org.hamcrest.Matchers.is("HTTP 500"));
            given().get("/api/v1/alerts/notifications").then().statusCode(200)
                    .body("find { it.id == " + n + " }.last_error", org.hamcrest.Matchers.startsWith("HTTP 500: {"));
        } finally {
            deleteChannel(channel);
        }
    }
}
