package io.tailaudit.server.embedded;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * PostgreSQL and Kafka, both real and embedded, with data under {@code <dataDirectory>/postgres} and
 * {@code <dataDirectory>/kafka}. Used by the run command (through {@link TailAuditMain}) and by the tests.
 */
public final class EmbeddedPlatform implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPlatform.class);

    private final EmbeddedDatabase database;
    private final EmbeddedKafka kafka;

    private EmbeddedPlatform(EmbeddedDatabase database, EmbeddedKafka kafka) {
        this.database = database;
        this.kafka = kafka;
    }

    public static EmbeddedPlatform start(Path dataDirectory) throws IOException {
        EmbeddedDatabase db = EmbeddedDatabase.start(dataDirectory.resolve("postgres"));
        try {
            return new EmbeddedPlatform(db, EmbeddedKafka.start(dataDirectory.resolve("kafka")));
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** The configuration that points the datasource and the Kafka clients at this platform. */
    public Map<String, String> config() {
        return Map.of(
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", database.username(),
                "quarkus.datasource.password", "",
                "kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    /** Stops PostgreSQL's postmaster, as an outage does (tests). */
    public void stopDatabase() throws IOException {
        database.stopPostmaster();
    }

    /** Starts it again on the same directory and port (tests). */
    public void startDatabaseAgain() throws IOException {
        database.startAgain();
    }

    /** Stops the Kafka broker, as an outage does (tests). */
    public void stopBroker() {
        kafka.close();
    }

    /** Starts it again on the same directory and ports (tests). */
    public void startBrokerAgain() {
        kafka.startAgain();
    }

    public String jdbcUrl() {
        return database.jdbcUrl();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Stops the broker first (it holds no database state), then PostgreSQL. */
    @Override
    public void close() {
        try {
            kafka.close();
        } catch (RuntimeException e) {
            LOG.warnf("embedded kafka did not stop cleanly: %s", e.toString());
        }
        try {
            database.close();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("embedded postgresql did not stop cleanly: %s", e.toString());
        }
    }
}
