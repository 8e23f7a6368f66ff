package io.tailaudit.server.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

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

    /** Records per poll; one poll is one database transaction. 5000 amortises the commit's fsync. */
    @WithDefault("5000")
    int batchSize();

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

    /** Prompt/output text longer than this, in characters, is cut before storage. */
    @WithDefault("16384")
    int maxTextChars();

    /** How long feedback waits for its trace before it is dropped and counted. */
    @WithDefault("7d")
    Duration feedbackHold();

    /** How far in the future occurred_at may lie (clock skew) before the record is rejected. */
    @WithDefault("24h")
    Duration futureTolerance();
}
