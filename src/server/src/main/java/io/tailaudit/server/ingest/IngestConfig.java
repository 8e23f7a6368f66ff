package io.tailaudit.server.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "tailaudit.ingest")
public interface IngestConfig {

    /** Whether this replica runs the ingest role (consumer group tailaudit-ingest). */
    @WithDefault("true")
    boolean enabled();

    /** The trace topic (key = trace_id). */
    @WithDefault("tailaudit.traces")
    String topic();

    /** Where rejected records go, with reason headers. */
    @WithDefault("tailaudit.traces.dlq")
    String dlqTopic();

    /** Consumer group of the ingest role. */
    @WithDefault("tailaudit-ingest")
    String groupId();

    /**
     * Static group membership: the consumer joins with a {@code group.instance.id} that stays the same across
     * restarts, so a replica restarted after a crash takes its partitions back at once instead of waiting
     * for {@link #sessionTimeout()}. Off: a dynamic member, which leaves the group on a clean stop.
     */
    @WithDefault("true")
    boolean staticMembership();

    /**
     * This replica's {@code group.instance.id}, unique per replica and stable across its restarts; absent,
     * it is the pod name in Kubernetes, else the host name and an id kept in {@link #stateDir()}.
     */
    Optional<String> instanceId();

    /** Where a derived instance id is kept between restarts (one locked slot file per running process). */
    @WithDefault("${tailaudit.embedded.data-dir:data}")
    String stateDir();

    /**
     * How long the broker keeps a member that stopped heartbeating: a static member is not removed on a clean
     * stop, so a replica that is scaled away (or never comes back) holds its partitions this long; a replica
     * restarted with the same instance id takes them back at once. Heartbeats go every tenth of it.
     */
    @WithDefault("30s")
    Duration sessionTimeout();

    /**
     * Records per poll; one poll is one database transaction. 10000 amortises the commit's fsync and the rollups'
     * per-batch work (IngestBenchmark: 10000 took a sixth less server CPU per event than 5000). A poll's bytes
     * stay bounded by the fetch limits whatever this is.
     */
    @WithDefault("10000")
    int batchSize();

    /**
     * Whether ingest keeps the reconciliation ledger of stamped events (per producer and hour, the sequence
     * numbers stored and dead-lettered): {@code GET /api/v1/producers}.
     */
    @WithDefault("true")
    boolean ledger();

    /**
     * How long a gap in a producer's sequence may stay open before it counts as lost: a producer's events
     * reach the topic's partitions, and ingest, in any order.
     */
    @WithDefault("10m")
    Duration ledgerGrace();

    /** How often the producers' gaps are checked (and each new one's first sighting recorded). */
    @WithDefault("30s")
    Duration ledgerCheckEvery();

    /** How long one poll may block waiting for records. */
    @WithDefault("500ms")
    Duration pollTimeout();

    /** Longest wait between retries while the database is unreachable (doubling from 250 ms). */
    @WithDefault("15s")
    Duration maxRetryBackoff();

    /** Create the topics at start-up when they are missing (off when a platform team owns topics). */
    @WithDefault("true")
    boolean createTopics();

    /** Partitions of a topic created at start-up: the ceiling of ingest parallelism. */
    @WithDefault("4")
    int topicPartitions();

    /**
     * The topics' replication factor when ingest creates them; unset takes the broker's
     * {@code default.replication.factor} (3 on a production cluster, 1 on the embedded broker).
     */
    Optional<Short> topicReplicationFactor();

    /**
     * The trace topic's {@code retention.ms} when ingest creates it; unset takes the broker's
     * {@code log.retention.hours}. Keep it longer than any ingest outage you mean to survive: a record deleted
     * before ingest read it is lost. The DLQ topic keeps the broker's default.
     */
    Optional<Duration> topicRetention();

    /** Prompt/output text longer than this, in characters, is cut before storage. */
    @WithDefault("16384")
    int maxTextChars();

    /** How long feedback waits for its trace before it is dropped and counted (trace's FeedbackJanitor reads it). */
    @WithDefault("7d")
    Duration feedbackHold();

    /** How far in the future occurred_at may lie (clock skew) before the record is rejected. */
    @WithDefault("24h")
    Duration futureTolerance();
}
