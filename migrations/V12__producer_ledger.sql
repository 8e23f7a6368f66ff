-- The reconciliation ledger: per producer (an SDK client, stamped on each event with its sequence number)
-- and block of 4,096 sequence numbers, a bit per number ingest stored and one per number it dead-lettered.
-- A batch ORs its bits into the blocks it touches (a redelivery changes nothing); the union against 0 .. a
-- producer's highest number gives what is missing: an event that never arrived.
CREATE TABLE producer_ledger (
    producer_id text COLLATE "C" NOT NULL,
    block       bigint          NOT NULL CHECK (block >= 0),    -- seq / 4096
    stored      bit(4096)       NOT NULL,
    dead        bit(4096)       NOT NULL,
    first_seen  timestamptz     NOT NULL,
    last_seen   timestamptz     NOT NULL,
    PRIMARY KEY (producer_id, block)
);

CREATE INDEX producer_ledger_last_seen ON producer_ledger (last_seen);

-- The gaps in each producer's sequence as last checked, with when each was first seen: a gap still open a
-- grace period after it was first seen is an event lost.
CREATE TABLE producer_gap (
    producer_id text COLLATE "C" NOT NULL,
    from_seq    bigint          NOT NULL,
    to_seq      bigint          NOT NULL CHECK (to_seq > from_seq),   -- exclusive
    first_seen  timestamptz     NOT NULL,
    PRIMARY KEY (producer_id, from_seq)
);

-- fires as soon as one event is missing past the grace period (tailaudit.ingest.ledger-grace)
INSERT INTO alert_rule (name, metric, scope, threshold, window_name, for_seconds, severity, runbook_url) VALUES
    ('Events lost between a producer and the store', 'producer_gap', 'platform', 0, '24h', 0, 'critical',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#reliability');
