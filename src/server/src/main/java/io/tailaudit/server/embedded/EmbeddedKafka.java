package io.tailaudit.server.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A real Kafka 4.1 broker in-process, KRaft combined mode (broker and controller in one node), on free
 * loopback ports, its log under one directory that survives restarts.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;

    private volatile KafkaRaftServer server;
    private final String bootstrapServers;
    private final KafkaConfig config;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, KafkaConfig config) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.config = config;
    }

    /** Formats {@code logDirectory} on first use (idempotent afterwards) and starts the broker. */
    public static EmbeddedKafka start(Path logDirectory) throws IOException {
        return start(logDirectory, freePort(), freePort());
    }

    /**
     * {@link #start(Path)} on these ports: a broker stopped and started again on the same directory and ports
     * is the same broker to its clients (tests of outages).
     */
    public static EmbeddedKafka start(Path logDirectory, int port, int controllerPort) throws IOException {
        Files.createDirectories(logDirectory);
        String dir = logDirectory.toAbsolutePath().toString();
        Properties p = singleNode(dir, port, controllerPort);
        p.put("num.partitions", "4");
        // the ingest consumer is a static member of a classic group; the broker defaults admit its session
        // timeout (group.min.session.timeout.ms 6 s .. group.max.session.timeout.ms 30 min) and, for the
        // consumer protocol, would give group.consumer.session.timeout.ms 45 s: nothing to change here
        // after an unclean stop the restarted node waits out its own old session: keep it short
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("log.flush.interval.messages", "10000");
        KafkaConfig config = new KafkaConfig(p, false);
        if (!Files.exists(Path.of(dir, "meta.properties"))) {      // an existing one keeps its cluster id
            format(dir, List.of());
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + port;
        LOG.infof("embedded kafka started bootstrap=%s log=%s", bootstrap, dir);
        return new EmbeddedKafka(server, bootstrap, config);
    }

    /**
     * A one-node broker and controller on loopback, its log in {@code dir}: clients on PLAINTEXT at {@code port},
     * the controller at {@code controllerPort}, every internal topic with one replica. Callers add or replace
     * settings (a test's SASL listener) before they build the {@link KafkaConfig}.
     */
    public static Properties singleNode(String dir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir);
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    /**
     * Formats {@code dir} as {@link #singleNode}'s log, with a new cluster id and the given
     * {@code kafka-storage format --add-scram} credentials (none for a PLAINTEXT broker).
     */
    public static void format(String dir, List<String> scramArguments) throws IOException {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir))
                    .setMetadataLogDirectory(Optional.of(dir))
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setScramArguments(scramArguments)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IOException("could not format kafka log directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("embedded kafka stopped");
    }

    /** Starts the broker again on its directory and ports after {@link #close} (tests of outages). */
    public void startAgain() {
        KafkaRaftServer again = new KafkaRaftServer(config, Time.SYSTEM);
        again.startup();
        server = again;
        LOG.infof("embedded kafka started again bootstrap=%s", bootstrapServers);
    }
}
