package io.tailaudit.server.testing;

import io.tailaudit.server.embedded.EmbeddedKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.tailaudit.server.embedded.EmbeddedKafka.freePort;

/**
 * A broker and a PostgreSQL as a platform team runs them, for the production-shape tests: Kafka with SASL
 * SCRAM-SHA-512 on its only client listener (credentials written when the log is formatted, as
 * {@code kafka-storage format --add-scram} does; the broker talks to itself over SASL too), and PostgreSQL
 * with scram-sha-256 password authentication for every connection, an application role that owns its
 * database and is no superuser.
 */
public final class SecuredServices implements AutoCloseable {

    public static final String KAFKA_USER = "tailaudit";
    public static final String KAFKA_PASSWORD = "kafka-secret-for-the-prod-shape-test";
    public static final String DB_USER = "tailaudit_app";
    public static final String DB_PASSWORD = "db-secret-for-the-prod-shape-test";
    public static final String DATABASE = "tailaudit";
    private static final String BROKER_USER = "broker";
    private static final String BROKER_PASSWORD = "broker-secret";
    private static final String ADMIN_DB_PASSWORD = "postgres-superuser-secret";

    private final KafkaRaftServer kafka;
    private final EmbeddedPostgres postgres;
    private final int kafkaPort;

    private SecuredServices(KafkaRaftServer kafka, int kafkaPort, EmbeddedPostgres postgres) {
        this.kafka = kafka;
        this.kafkaPort = kafkaPort;
        this.postgres = postgres;
    }

    public static SecuredServices start(Path dir) throws Exception {
        EmbeddedPostgres pg = passwordPostgres(dir.resolve("postgres"));
        try {
            int port = freePort();
            return new SecuredServices(scramKafka(dir.resolve("kafka"), port), port, pg);
        } catch (Exception e) {
            pg.close();
            throw e;
        }
    }

    /** The JAAS line a client gives as {@code sasl.jaas.config}. */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Client settings for this broker, as the Kafka clients name them. */
    public Map<String, Object> kafkaClient() {
        return Map.of("bootstrap.servers", bootstrapServers(), "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", jaas(KAFKA_USER, KAFKA_PASSWORD));
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** The JDBC URL without credentials: they are given apart, as a secret would be. */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    private static KafkaRaftServer scramKafka(Path logs, int port) throws Exception {
        Files.createDirectories(logs);
        String dir = logs.toAbsolutePath().toString();
        int controller = freePort();
        // EmbeddedKafka's one-node broker, its only client listener SASL, the broker talking to itself over it
        Properties p = EmbeddedKafka.singleNode(dir, port, controller);
        p.put("listeners", "SASL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        p.put("advertised.listeners", "SASL://127.0.0.1:" + port);
        p.put("inter.broker.listener.name", "SASL");
        p.put("listener.security.protocol.map", "SASL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        p.put("listener.name.sasl.scram-sha-512.sasl.jaas.config", jaas(BROKER_USER, BROKER_PASSWORD));
        KafkaConfig config = new KafkaConfig(p, false);
        EmbeddedKafka.format(dir, List.of(
                "SCRAM-SHA-512=[name=" + BROKER_USER + ",password=" + BROKER_PASSWORD + "]",
                "SCRAM-SHA-512=[name=" + KAFKA_USER + ",password=" + KAFKA_PASSWORD + "]"));
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return server;
    }

    /**
     * Creates the cluster with trust (zonky's initdb), makes the roles, then replaces pg_hba.conf with
     * scram-sha-256 for every connection and reloads: from then on nothing connects without its password.
     */
    private static EmbeddedPostgres passwordPostgres(Path data) throws IOException, SQLException {
        Files.createDirectories(data.getParent());
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data.toAbsolutePath())
                .setCleanDataDirectory(true).setRegisterShutdownHook(false)
                .setServerConfig("password_encryption", "scram-sha-256")
                .setPGStartupWait(Duration.ofSeconds(60)).start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + DB_USER + " LOGIN PASSWORD '" + DB_PASSWORD + "'");
            st.execute("CREATE DATABASE " + DATABASE + " OWNER " + DB_USER);
            st.execute("ALTER ROLE postgres PASSWORD '" + ADMIN_DB_PASSWORD + "'");
            Files.writeString(data.resolve("pg_hba.conf"), """
                    local all all scram-sha-256
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """);
            st.execute("SELECT pg_reload_conf()");
        } catch (SQLException | IOException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    @Override
    public void close() throws IOException {
        try {
            kafka.shutdown();
            kafka.awaitShutdown();
        } finally {
            postgres.close();
        }
    }
}
