-- TailAudit schema v1: the trace pipeline.
-- Partitions of "trace" are created by the application (trace.PartitionManager), one per UTC day,
-- ahead of time and on demand for back-dated traces, and dropped past the retention.

-- One row per inference call. Typed columns for everything that is filtered or aggregated;
-- jsonb only for tags. Feedback merges field by field: *_at holds the time of the value that won
-- (NULL = the trace's own value, which counts as of occurred_at).
-- Ids and task names compare byte-wise (COLLATE "C"): their indexes take every ingested row, and a
-- linguistic collation would cost a strcoll() per comparison for an order nobody reads.
CREATE TABLE trace (
    trace_id        text COLLATE "C" NOT NULL,
    occurred_at     timestamptz      NOT NULL,
    task            text COLLATE "C" NOT NULL,
    category        text             NOT NULL,
    service         text,
    deployment_kind text             NOT NULL CHECK (deployment_kind IN ('local', 'cloud')),
    provider        text,
    model           text             NOT NULL,
    model_version   text,
    quantization    text,
    region          text,
    latency_ms      double precision NOT NULL CHECK (latency_ms >= 0),
    ttft_ms         double precision,
    input_tokens    integer,
    output_tokens   integer,
    context_tokens  integer,
    cost_usd        double precision,
    status          text             NOT NULL,
    error_type      text,
    quality         double precision,
    quality_at      timestamptz,
    feedback        text,
    feedback_at     timestamptz,
    escalated       boolean          NOT NULL,
    escalated_at    timestamptz,
    label           text,
    label_at        timestamptz,
    fallback        boolean          NOT NULL,
    retries         integer,
    schema_valid    boolean          NOT NULL,
    session_id      text,
    parent_trace_id text,
    step            integer,
    input_text      text,
    output_text     text,
    tags            jsonb,
    content_hash    bigint           NOT NULL,
    received_at     timestamptz      NOT NULL,
    -- the partition column leads: unfiltered lists read it in time order, and the trace detail reads
    -- (occurred_at, trace_id) after trace_key gave the occurred_at
    PRIMARY KEY (occurred_at, trace_id)
) PARTITION BY RANGE (occurred_at);

CREATE INDEX trace_task_time_idx ON trace (task, occurred_at);

-- Global idempotency: a unique key on the partitioned table must include occurred_at, so trace_id
-- uniqueness across partitions lives here. content_hash tells a redelivery (same hash: nothing changes)
-- from a conflicting reuse of the id (different hash: the later one goes to the DLQ).
CREATE TABLE trace_key (
    trace_id     text COLLATE "C" PRIMARY KEY,
    occurred_at  timestamptz NOT NULL,
    content_hash bigint      NOT NULL
);

-- Every feedback event, applied or held. event_hash identifies the event's content, so a redelivered
-- event is stored once; applied_at IS NULL while its trace has not arrived.
CREATE TABLE feedback (
    event_hash   bigint      PRIMARY KEY,
    trace_id     text COLLATE "C" NOT NULL,
    task         text        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    feedback     text,
    escalated    boolean,
    quality      double precision,
    label        text,
    received_at  timestamptz NOT NULL,
    applied_at   timestamptz
);

CREATE INDEX feedback_trace_idx ON feedback (trace_id);
-- only held feedback: ingest probes it for every stored trace, so it must stay tiny
CREATE INDEX feedback_pending_idx ON feedback (trace_id) WHERE applied_at IS NULL;
CREATE INDEX feedback_held_since_idx ON feedback (received_at) WHERE applied_at IS NULL;

-- Rejected records, one per source offset (a redelivered bad record is listed once).
CREATE TABLE dead_letter (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    record_key       text,
    reason           text        NOT NULL,
    json_path        text,
    detail           text        NOT NULL,
    payload_preview  text,
    payload_bytes    integer     NOT NULL,
    received_at      timestamptz NOT NULL,
    UNIQUE (source_topic, source_partition, source_offset)
);

CREATE INDEX dead_letter_received_idx ON dead_letter (received_at DESC, id DESC);

-- Traces per task and UTC day, maintained by ingest in the batch's transaction; the console's first
-- page reads this, never the trace table.
CREATE TABLE task_volume_daily (
    task   text COLLATE "C" NOT NULL,
    day    date   NOT NULL,
    traces bigint NOT NULL,
    PRIMARY KEY (task, day)
);

-- How far the demo generator has produced, so a restart resumes instead of backfilling again.
CREATE TABLE demo_state (
    name            text        PRIMARY KEY,
    generated_until timestamptz NOT NULL
);
