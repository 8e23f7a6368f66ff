package io.tailaudit.server.ingest;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Immutable;

import java.time.Instant;

/** A rejected record as listed at /api/v1/dlq; written by ingest with JDBC, read here. */
@Entity
@Immutable
@Table(name = "dead_letter")
public class DeadLetter {

    @Id
    public Long id;

    @Column(name = "source_topic")
    public String sourceTopic;

    @Column(name = "source_partition")
    public int sourcePartition;

    @Column(name = "source_offset")
    public long sourceOffset;

    @Column(name = "record_key")
    public String recordKey;

    public String reason;

    @Column(name = "json_path")
    public String jsonPath;

    public String detail;

    @Column(name = "payload_preview")
    public String payloadPreview;

    @Column(name = "payload_bytes")
    public int payloadBytes;

    @Column(name = "received_at")
    public Instant receivedAt;
}
