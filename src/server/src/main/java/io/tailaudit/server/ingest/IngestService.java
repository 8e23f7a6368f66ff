package io.tailaudit.server.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.tailaudit.server.rollup.CohortValues;
import io.tailaudit.server.rollup.RollupConfig;
import io.tailaudit.server.trace.PartitionManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidSessionTimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The ingest role: creates the topics if asked, then runs the consumer loop on its own thread, and
 * restarts it with a pause if it ever dies, except when the broker refuses this member's configuration (an
 * instance id another process uses, a session timeout out of the broker's bounds): restarting would not
 * help, so the role stops with an error naming the setting. Stops the loop on shutdown, before the
 * datasource closes. The consumer is a static group member ({@link InstanceIdentity}) unless configured
 * otherwise.
 */
@ApplicationScoped
public class IngestService implements io.tailaudit.server.rollup.IngestBacklog {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    private final IngestConfig config;
    private final RollupConfig rollup;
    private final Map<String, Object> kafka;
    private final DataSource dataSource;
    private final PartitionManager partitions;
    private final IngestMetrics metrics;
    private final Clock clock;
    private volatile boolean stopping;
    /** Why the role stopped for good (the broker refused this member), null while it runs. */
    private volatile String stoppedBecause;
    private volatile InstanceIdentity identity = InstanceIdentity.none("not started");
    private volatile IngestLoop loop;
    private Thread thread;

    IngestService(IngestConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                  DataSource dataSource, PartitionManager partitions, MeterRegistry registry, Clock clock,
                  RollupConfig rollup) {
        if (config.batchSize() < 1) {
            throw new IllegalArgumentException("tailaudit.ingest.batch-size must be >= 1, got " + config.batchSize());
        }
        if (config.topicPartitions() < 1) {
            throw new IllegalArgumentException("tailaudit.ingest.topic-partitions must be >= 1, got " + config.topicPartitions());
        }
        if (config.maxTextChars() < 0) {
            throw new IllegalArgumentException("tailaudit.ingest.max-text-chars must be >= 0, got " + config.maxTextChars());
        }
        if (config.sessionTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("tailaudit.ingest.session-timeout must be >= 1s, got " + config.sessionTimeout());
        }
        this.config = config;
        this.rollup = rollup;
        this.kafka = kafka;
        this.dataSource = dataSource;
        this.partitions = partitions;
        this.metrics = new IngestMetrics(registry);
        io.micrometer.core.instrument.Gauge.builder("tailaudit.ingest.consumer.lag", this, s -> {
            long lag = s.consumerState().lagRecords();
            return lag < 0 ? Double.NaN : lag;
        }).baseUnit("records").description("Records on the trace topic's assigned partitions not consumed yet"
                + " (NaN until the consumer knows)").register(registry);
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("ingest role disabled");
            return;
        }
        if (config.createTopics()) {
            createTopics();
        }
        identity = config.staticMembership()
                ? InstanceIdentity.resolve(config.instanceId(), Path.of(config.stateDir()), System.getenv())
                : InstanceIdentity.none("tailaudit.ingest.static-membership=false");
        LOG.infof("ingest group membership group=%s instance_id=%s source=%s session_timeout=%s", config.groupId(),
                identity.id().orElse("(dynamic)"), identity.source(), config.sessionTimeout());
        thread = new Thread(this::superviseLoop, "tailaudit-ingest");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        IngestLoop current = loop;
        if (current != null) {
            current.stop();
        }
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        identity.close();
    }

    /**
     * The consumer's state: whether ingest runs here, when its loop last polled, the records not consumed
     * yet (-1 unknown), since when storage has been failing (null when it is not) and why the role stopped
     * for good (null while it runs).
     */
    public record ConsumerState(boolean enabled, boolean loopRunning, Instant lastPoll, long lagRecords,
                                Instant storageFailingSince, String stoppedBecause) {
    }

    /**
     * Dead letters stored since {@code from}, read on the caller's connection (its snapshot): the count the
     * DLQ-rate alert reads. {@code dead_letter} is ingest's table; no other package names it.
     */
    public long deadLettersSince(java.sql.Connection c, Instant from) throws java.sql.SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM dead_letter WHERE received_at >= ?")) {
            ps.setTimestamp(1, java.sql.Timestamp.from(from));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Records produced to the trace topic and not consumed yet, -1 when unknown: how far ingest is behind. */
    @Override
    public long lagRecords() {
        return consumerState().lagRecords();
    }

    public ConsumerState consumerState() {
        IngestLoop current = loop;
        String stopped = stoppedBecause;
        if (!config.enabled()) {
            return new ConsumerState(false, false, null, -1, null, stopped);
        }
        if (current == null) {
            return new ConsumerState(true, false, null, -1, null, stopped);
        }
        IngestLoop.Status s = current.status();
        return new ConsumerState(true, thread != null && thread.isAlive(),
                s.lastPollMillis() == 0 ? null : Instant.ofEpochMilli(s.lastPollMillis()), s.lagRecords(),
                s.storageFailingSinceMillis() == 0 ? null : Instant.ofEpochMilli(s.storageFailingSinceMillis()),
                stopped);
    }

    /** This replica's group.instance.id, empty for a dynamic member (or before start-up). */
    Optional<String> instanceId() {
        return identity.id();
    }

    /** Builds a loop over a fresh consumer; the crash test builds its own with a failing hook. */
    IngestLoop newLoop(String topic, String groupId, Runnable afterDatabaseCommit) {
        return newLoop(topic, consumerConfig(groupId), afterDatabaseCommit);
    }

    /** A loop as another replica runs it: its own group.instance.id in the same group (the rebalance test). */
    IngestLoop newReplicaLoop(String instanceId) {
        Map<String, Object> props = consumerConfig(config.groupId());
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tailaudit-ingest-" + instanceId);
        return newLoop(config.topic(), props, () -> { });
    }

    private IngestLoop newLoop(String topic, Map<String, Object> consumer, Runnable afterDatabaseCommit) {
        TextRedactor redactor = new TextRedactor(config.maxTextChars());
        EventParser parser = new EventParser(redactor, clock, partitions.retention(), config.futureTolerance());
        BatchProcessor processor = new BatchProcessor(dataSource, parser, new BatchWriter(redactor,
                new CohortValues(rollup.cohortValues()), config.ledger()), partitions,
                new DeadLetterPublisher(kafka, config.dlqTopic()), metrics, clock);
        return new IngestLoop(new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer()),
                processor, topic, config.pollTimeout(), config.maxRetryBackoff(), afterDatabaseCommit);
    }

    private void superviseLoop() {
        while (!stopping) {
            try {
                loop = newLoop(config.topic(), config.groupId(), () -> { });
                loop.run();
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                Optional<String> refused = refusedMembership(e);
                if (refused.isPresent()) {
                    stoppedBecause = refused.get();
                    LOG.errorf("ingest stopped on this replica: %s", refused.get());
                    return;
                }
                LOG.error("ingest loop died, restarting in 5 s", e);
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * A membership the broker refuses is a configuration error: a restarted loop would be refused again or,
     * for a shared instance id, fence the other process in turn, and the two would take the partitions from
     * each other every few seconds.
     */
    private Optional<String> refusedMembership(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FencedInstanceIdException) {
                return Optional.of("another consumer joined group " + config.groupId() + " with this replica's"
                        + " group.instance.id " + identity.id().orElse("?") + " (from " + identity.source()
                        + "); give every replica its own tailaudit.ingest.instance-id (env"
                        + " TAILAUDIT_INGEST_INSTANCE_ID) and restart this one");
            }
            if (t instanceof InvalidSessionTimeoutException) {
                return Optional.of("the broker refuses tailaudit.ingest.session-timeout=" + config.sessionTimeout()
                        + ": it must lie within the broker's group.min.session.timeout.ms and"
                        + " group.max.session.timeout.ms (" + t.getMessage() + ")");
            }
        }
        return Optional.empty();
    }

    private Map<String, Object> consumerConfig(String groupId) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchSize());
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, DeadLetterPublisher.MAX_SOURCE_RECORD_BYTES);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        // the topics are created by createTopics (partitions, retention), never by a subscription
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tailaudit-ingest" + identity.id().map(id -> "-" + id).orElse(""));
        identity.id().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        // the classic protocol (the client's default) takes the session timeout from the client; the consumer
        // protocol (kafka.group.protocol=consumer) refuses it: there the broker's group.consumer.session.timeout.ms rules
        if (!"consumer".equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, config.sessionTimeout().toMillis() / 10));
        }
        return props;
    }

    private void createTopics() {
        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            for (String name : List.of(config.topic(), config.dlqTopic())) {
                try {
                    NewTopic topic = new NewTopic(name, Optional.of(config.topicPartitions()),
                            config.topicReplicationFactor());
                    if (name.equals(config.dlqTopic())) {
                        // a dead letter is a source record plus headers: the DLQ takes whatever ingest can read
                        topic.configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                Integer.toString(DeadLetterPublisher.MAX_REQUEST_BYTES)));
                    } else if (config.topicRetention().isPresent()) {
                        topic.configs(Map.of(TopicConfig.RETENTION_MS_CONFIG,
                                Long.toString(config.topicRetention().get().toMillis())));
                    }
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                    LOG.infof("topic created name=%s partitions=%d", name, config.topicPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 30 s while creating topics", e);
        }
    }
}
