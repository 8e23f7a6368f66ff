package io.tailaudit.server.production;

import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.server.embedded.EmbeddedKafka;
import io.tailaudit.server.embedded.EmbeddedPlatform;
import io.tailaudit.server.testing.Kafka;
import io.tailaudit.server.testing.PackagedServer;
import io.tailaudit.server.testing.Traces;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three packaged servers against one broker and one PostgreSQL, with the roles of the Kubernetes example: an
 * ingest-only replica (the consumer and OTLP in; no console, no API), an index-only one (its consumer, and
 * search; nothing else) and an api,alerts one (no consumer at all). Traces sent to the first, by the SDK and
 * by OTLP, are listed through the third and searched through the second.
 */
class ReplicaRolesIT {

    private static final String TOKEN = "roles-it-otlp-token-0123456789";

    private Path dir;
    private EmbeddedPlatform platform;
    private PackagedServer ingest;
    private PackagedServer api;
    private PackagedServer index;

    @BeforeEach
    void start() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target, "replica-roles-");
        platform = EmbeddedPlatform.start(dir.resolve("platform"));
        Kafka.createTopics(platform.bootstrapServers(), 6, 2);
        Map<String, String> common = Map.of(
                "quarkus.datasource.jdbc.url", platform.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "",
                "kafka.bootstrap.servers", platform.bootstrapServers(),
                "tailaudit.otlp.token", TOKEN,
                "quarkus.security.users.embedded.users.admin", "admin",
                "quarkus.security.users.embedded.roles.admin", "viewer,text-reader,admin",
                "quarkus.http.auth.session.encryption-key", "replica-roles-it-session-key-0123456789abcdef");
        ingest = PackagedServer.start(dir.resolve("ingest"), EmbeddedKafka.freePort(), with(common,
                "tailaudit.ingest.instance-id", "roles-it-ingest"), Map.of("TAILAUDIT_ROLES", "ingest"));
        index = PackagedServer.start(dir.resolve("index"), EmbeddedKafka.freePort(), with(common,
                "tailaudit.index.dir", dir.resolve("index/index").toString()), Map.of("TAILAUDIT_ROLES", "index"));
        api = PackagedServer.start(dir.resolve("api"), EmbeddedKafka.freePort(), common,
                Map.of("TAILAUDIT_ROLES", "api,alerts"));
        ingest.awaitReady(Duration.ofMinutes(3));
        index.awaitReady(Duration.ofMinutes(3));
        api.awaitReady(Duration.ofMinutes(3));
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @AfterEach
    void stop() throws Exception {
        for (PackagedServer s : new PackagedServer[]{ingest, index, api}) {
            if (s != null) {
                s.close();
            }
        }
        if (platform != null) {
            platform.close();
        }
        if (dir != null && Files.exists(dir.resolve("platform"))) {
            try (var files = Files.walk(dir.resolve("platform"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void an_ingest_replica_and_an_api_replica_split_the_work_over_one_broker_and_one_database() throws Exception {
        assertThat(ingest.log()).contains("replica roles: ingest (tailaudit.roles=ingest)");
        assertThat(index.log()).contains("replica roles: index (tailaudit.roles=index)");
        assertThat(api.log()).contains("replica roles: api,alerts (tailaudit.roles=api,alerts)");

        String task = Traces.uniqueTask("roles");
        try (TailAuditClient client = TailAudit.client(TailAuditConfig.builder(platform.bootstrapServers()).build())) {
            for (int i = 0; i < 200; i++) {
                client.record(Traces.ok(task).input("route the parcel to warehouse " + i).build());
            }
            assertThat(client.flush(Duration.ofSeconds(60))).isTrue();
        }
        long start = Instant.now().minusSeconds(2).toEpochMilli() * 1_000_000L;
        String otlp = ("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"tailaudit.task\",\"value\":"
                + "{\"stringValue\":\"" + task + "\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":"
                + "\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\",\"name\":\"chat\","
                + "\"startTimeUnixNano\":\"" + start + "\",\"endTimeUnixNano\":\"" + (start + 900_000_000L) + "\","
                + "\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"
                + "{\"key\":\"gen_ai.provider.name\",\"value\":{\"stringValue\":\"ollama\"}},"
                + "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"qwen2.5\"}}]}]}]}]}");
        HttpResponse<String> sent = ingest.post("/v1/traces", "application/json", otlp.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        await().atMost(ofSeconds(60)).until(() -> count("SELECT count(*) FROM trace WHERE task = ?", task) == 201);
        // the api replica reads what the ingest replica stored; the index replica finds it
        HttpResponse<String> list = api.get("/api/v1/traces?task=" + task + "&limit=500", "admin");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331");
        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(
                index.get("/api/v1/search?q=warehouse&task=" + task, "admin").body()).contains(task));
        assertThat(api.get("/api/v1/search?q=warehouse", "admin").statusCode())
                .as("a replica without the index answers search 503, it does not forward").isEqualTo(503);
        for (String path : List.of("/api/v1/traces", "/api/v1/tasks", "/", "/q/openapi")) {
            assertThat(index.get(path, "admin").statusCode()).as("index replica " + path).isEqualTo(404);
        }
        assertThat(index.get("/login", null).statusCode()).as("the search page's sign-in").isEqualTo(200);

        // the ingest replica has no console and no API; the api replica no OTLP in
        for (String path : List.of("/api/v1/traces", "/login", "/", "/q/openapi")) {
            HttpResponse<String> r = ingest.get(path, "admin");
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).contains("serves no console or API");
        }
        assertThat(ingest.get("/q/metrics", null).body()).contains("tailaudit_ingest_records_total");
        assertThat(ingest.get("/q/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(api.post("/v1/traces", "application/json", otlp.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Bearer " + TOKEN)).statusCode()).isEqualTo(404);

        // one consumer per group: ingest's on the ingest replica, the index's on the index replica
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(
                    List.of("tailaudit-ingest", "tailaudit-index")).all().get(30, TimeUnit.SECONDS);
            assertThat(groups.get("tailaudit-ingest").members()).hasSize(1)
                    .allSatisfy(m -> assertThat(m.groupInstanceId()).hasValue("roles-it-ingest"));
            assertThat(groups.get("tailaudit-index").members()).hasSize(1);
        }
        assertThat(ingest.log()).doesNotContain("ERROR");
        assertThat(index.log()).doesNotContain("ERROR");
        assertThat(api.log()).doesNotContain("ERROR");
    }

    private long count(String sql, Object... args) throws Exception {
        try (Connection c = DriverManager.getConnection(platform.jdbcUrl());
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
