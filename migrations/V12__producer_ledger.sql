-- The reconciliation ledger: per producer (an SDK client, stamped on each event with its sequence number)
-- and hour of receipt, the sequence numbers ingest stored and those it dead-lettered. The union over a
-- producer's hours against 0 .. its highest number gives what is missing: an event that never arrived.
CREATE TABLE producer_ledger (
    producer_id text COLLATE "C" NOT NULL,
    hour        timestamptz     NOT NULL,
    stored      int8multirange  NOT NULL DEFAULT '{}',
    dead        int8multirange  NOT NULL DEFAULT '{}',
    first_seen  timestamptz     NOT NULL,
    last_seen   timestamptz     NOT NULL,
    PRIMARY KEY (producer_id, hour)
);

CREATE INDEX producer_ledger_last_seen ON producer_ledger (last_seen);

-- fires as soon as one event is missing past the grace period (tailaudit.ingest.ledger-grace)
INSERT INTO alert_rule (name, metric, scope, threshold, window_name, for_seconds, severity, runbook_url) VALUES
    ('Events lost between a producer and the store', 'producer_gap', 'platform', 0, '24h', 0, 'critical',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#reliability');
