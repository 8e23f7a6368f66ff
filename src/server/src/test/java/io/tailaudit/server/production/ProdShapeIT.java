package io.tailaudit.server.production;

import io.tailaudit.sdk.TailAudit;
import io.tailaudit.sdk.TailAuditClient;
import io.tailaudit.sdk.TailAuditConfig;
import io.tailaudit.server.embedded.EmbeddedKafka;
import io.tailaudit.server.testing.PackagedServer;
import io.tailaudit.server.testing.SecuredServices;
import io.tailaudit.server.testing.Traces;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The packaged server in the prod profile, configured only by the environment README gives, against a
 * broker that takes SASL SCRAM-SHA-512 and nothing else and a PostgreSQL that takes passwords and nothing
 * else, both started outside it: it migrates the schema as a role that is no superuser, creates its topics
 * with the partitions and retention asked for, stores what the SDK sends over SASL, dead-letters a bad record
 * through its own SASL producer, and is ready.
 */
class ProdShapeIT {

    private Path dir;
    private SecuredServices services;
    private PackagedServer server;

    @BeforeEach
    void start() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target, "prod-shape-");
        services = SecuredServices.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (services != null) {
            services.close();
        }
        if (dir != null) {
            for (String sub : List.of("kafka", "postgres")) {
                if (Files.exists(dir.resolve(sub))) {
                    try (var files = Files.walk(dir.resolve(sub))) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    @Test
    void the_prod_profile_runs_on_a_sasl_broker_and_a_password_postgresql_configured_by_the_environment()
            throws Exception {
        assertThatThrownBy(() -> DriverManager.getConnection(services.jdbcUrl(), SecuredServices.DB_USER, "wrong"))
                .as("the database takes passwords only").isInstanceOf(SQLException.class);
        // exactly the environment README's "Running against an existing Kafka and PostgreSQL" gives
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_PROFILE", "prod");
        env.put("TAILAUDIT_DB_URL", services.jdbcUrl());
        env.put("TAILAUDIT_DB_USER", SecuredServices.DB_USER);
        env.put("TAILAUDIT_DB_PASSWORD", SecuredServices.DB_PASSWORD);
        env.put("TAILAUDIT_KAFKA_BOOTSTRAP", services.bootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("KAFKA_SASL_JAAS_CONFIG", SecuredServices.jaas(SecuredServices.KAFKA_USER, SecuredServices.KAFKA_PASSWORD));
        env.put("TAILAUDIT_INGEST_TOPIC_PARTITIONS", "6");
        env.put("TAILAUDIT_INGEST_TOPIC_RETENTION", "3d");
        env.put("QUARKUS_DATASOURCE_JDBC_MAX_SIZE", "8");
        env.put("QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY", "prod-shape-it-session-key-0123456789abcdef");
        env.put("TAILAUDIT_OTLP_TOKEN", "prod-shape-it-otlp-token-0123456789");
        server = PackagedServer.start(dir.resolve("server"), EmbeddedKafka.freePort(),
                Map.of("quarkus.profile", "prod"), env);
        server.awaitReady(Duration.ofMinutes(3));

        String task = Traces.uniqueTask("prod-shape");
        TailAuditConfig.Builder sdk = TailAuditConfig.builder(services.bootstrapServers());
        services.kafkaClient().forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                sdk.producerProperty(k, v);
            }
        });
        try (TailAuditClient client = TailAudit.client(sdk.build())) {
            for (int i = 0; i < 300; i++) {
                client.record(Traces.ok(task).build());
            }
            assertThat(client.flush(Duration.ofSeconds(60))).isTrue();
        }
        Map<String, Object> producer = new java.util.HashMap<>(services.kafkaClient());
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>("tailaudit.traces", "bad", "{not json".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
        await().atMost(ofSeconds(60)).until(() -> count("SELECT count(*) FROM trace WHERE task = ?", task) == 300);
        await().atMost(ofSeconds(60)).until(() -> count("SELECT count(*) FROM dead_letter WHERE reason = 'malformed_json'") == 1);

        try (Admin admin = Admin.create(services.kafkaClient())) {
            Map<String, TopicDescription> topics = admin.describeTopics(Set.of("tailaudit.traces", "tailaudit.traces.dlq"))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(topics.get("tailaudit.traces").partitions()).hasSize(6);
            ConfigResource traces = new ConfigResource(ConfigResource.Type.TOPIC, "tailaudit.traces");
            assertThat(admin.describeConfigs(List.of(traces)).all().get(30, TimeUnit.SECONDS).get(traces)
                    .get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(3).toMillis()));
            // the dead letter went out through the server's own SASL producer
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends = new java.util.HashMap<>();
            for (int p = 0; p < topics.get("tailaudit.traces.dlq").partitions().size(); p++) {
                ends.put(new org.apache.kafka.common.TopicPartition("tailaudit.traces.dlq", p),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            assertThat(admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo::offset).sum())
                    .isEqualTo(1);
        }
        HttpResponse<String> list = server.get("/api/v1/tasks?window=24h", null);
        assertThat(list.statusCode()).as("no anonymous reads in prod").isEqualTo(401);
        assertThat(server.get("/q/health/ready", null).body()).contains("\"status\": \"UP\"");
        assertThat(server.log()).contains("topic created name=tailaudit.traces partitions=6").doesNotContain(" ERROR ");
    }

    private long count(String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(services.jdbcUrl(), SecuredServices.DB_USER, SecuredServices.DB_PASSWORD);
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
