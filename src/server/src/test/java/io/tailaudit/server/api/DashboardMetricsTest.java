package io.tailaudit.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tailaudit.sdk.Outcome;
import io.tailaudit.sdk.Status;
import io.tailaudit.sdk.Trace;
import io.tailaudit.server.testing.Db;
import io.tailaudit.server.testing.EmbeddedPlatformResource;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.Traces;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every Grafana dashboard in {@code dashboards/} and every Prometheus rule in {@code deploy/prometheus/}
 * queries only metrics the server really exports at {@code /q/metrics}: a renamed meter breaks this test,
 * not a dashboard or an alert in production.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPlatformResource.class, scope = TestResourceScope.GLOBAL)
class DashboardMetricsTest {

    private static final Path DASHBOARDS = Path.of("..", "..", "dashboards");
    private static final Path RULES = Path.of("..", "..", "deploy", "prometheus");
    /** A rule's expression in the rules YAML: "expr: ..." or a folded "expr: >-" block. */
    private static final Pattern RULE_EXPR = Pattern.compile("expr:\\s*(?:>-?\\s*\\n)?((?:.*\\n?)(?:\\s{12,}.*\\n?)*)");
    /** Ours, and Quarkus' HTTP server timer (API latency). */
    private static final Pattern METRIC = Pattern.compile("\\b(?:tailaudit_[a-z0-9_]+|http_server_requests_seconds_[a-z]+)");

    @Test
    void every_dashboard_query_names_a_metric_the_server_exports() throws IOException {
        // a trace and a rejected record, so that the meters registered on first use exist too
        Trace t = Traces.ok(Traces.uniqueTask("dashboards")).build();
        Kafka.send(t);
        Kafka.send(Kafka.TOPIC, "dashboards-bad", Kafka.utf8("{not json"));
        await().atMost(ofSeconds(30)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", t.task()) == 1
                && given().get("/q/metrics").asString().contains("tailaudit_dlq_records_total"));
        // an alert evaluation exports the per-task gauges (once the 24-hour list has the task)
        await().atMost(ofSeconds(30)).until(() -> {
            given().contentType(ContentType.JSON).post("/api/v1/alerts/evaluate").then().statusCode(200);
            return given().get("/q/metrics").asString().contains("tailaudit_task_traces{");
        });

        Set<String> exported = new TreeSet<>();
        for (String line : given().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }

        ObjectMapper json = new ObjectMapper();
        Map<Path, List<String>> queries = new java.util.LinkedHashMap<>();
        for (Path file : files(DASHBOARDS, ".json")) {
            List<String> exprs = new ArrayList<>();
            collect(json.readTree(file.toFile()), exprs);
            queries.put(file, exprs);
        }
        for (Path file : files(RULES, ".yml")) {
            List<String> exprs = new ArrayList<>();
            Matcher m = RULE_EXPR.matcher(Files.readString(file));
            while (m.find()) {
                exprs.add(m.group(1).trim());
            }
            queries.put(file, exprs);
        }
        for (Map.Entry<Path, List<String>> q : queries.entrySet()) {
            Path file = q.getKey();
            List<String> exprs = q.getValue();
            assertThat(exprs).as(file + " has queries").isNotEmpty();
            for (String expr : exprs) {
                Matcher m = METRIC.matcher(expr);
                assertThat(m.find()).as(file + ": '" + expr + "' names a metric").isTrue();
                m.reset();
                while (m.find()) {
                    String name = m.group();
                    // Prometheus series names as exported, histograms' _sum/_count/_bucket included
                    boolean known = exported.contains(name);
                    assertThat(known).as(file.getFileName() + ": metric " + name + " in '" + expr
                            + "' is not exported; exported tailaudit metrics: "
                            + exported.stream().filter(e -> e.startsWith("tailaudit_")).toList()).isTrue();
                }
            }
        }
    }

    @Test
    void the_visible_failure_rate_gauge_is_exported_with_its_interval_and_the_tasks_threshold() {
        // 2 visible failures in 40 traces: 5%, Wilson 95% [1.38%, 16.50%], against the default T = 5%
        String task = Traces.uniqueTask("gauges");
        for (int i = 0; i < 40; i++) {
            Trace.Builder t = Traces.ok(task);
            Kafka.send((i < 2 ? t.outcome(Outcome.failed(Status.ERROR, "oom")) : t).build());
        }
        await().atMost(ofSeconds(30)).until(() -> Db.count("SELECT count(*) FROM trace WHERE task = ?", task) == 40);
        // the 24-hour list the gauges read is refreshed in the background: evaluate until it has all 40
        await().atMost(ofSeconds(30)).until(() -> {
            given().contentType(ContentType.JSON).post("/api/v1/alerts/evaluate").then().statusCode(200);
            return gauge("tailaudit_task_traces", task) == 40;
        });
        assertThat(gauge("tailaudit_task_visible_failure_rate", task)).isEqualTo(0.05);
        assertThat(gauge("tailaudit_task_visible_failure_rate_low", task)).isBetween(0.0138, 0.0139);
        assertThat(gauge("tailaudit_task_visible_failure_rate_high", task)).isBetween(0.1650, 0.1651);
        assertThat(gauge("tailaudit_task_tail_threshold", task)).isEqualTo(0.05);
        assertThat(gauge("tailaudit_task_worst5_visible_failure_rate", task)).as("the worst-5 percent gauge stays")
                .isEqualTo(1.0);
    }

    /** A per-task gauge's value at /q/metrics, NaN while the task has none. */
    private static double gauge(String name, String task) {
        Pattern line = Pattern.compile("^" + name + "\\{[^}]*task=\"" + Pattern.quote(task) + "\"[^}]*} (\\S+)$",
                Pattern.MULTILINE);
        Matcher m = line.matcher(given().get("/q/metrics").then().statusCode(200).extract().asString());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
            assertThat(files).as(suffix + " files in " + dir.toAbsolutePath()).isNotEmpty();
            return files;
        }
    }

    private static void collect(JsonNode node, List<String> exprs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                    exprs.add(e.getValue().asText());
                } else {
                    collect(e.getValue(), exprs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, exprs));
        }
    }
}
