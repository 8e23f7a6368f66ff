-- Pending rollups: what ingest appended and the compactor has not folded into tail_rollup yet.
--
-- One row per ingest batch and task (V3 appended one per task, deployment and hour: a batch of traces
-- spread over days wrote about a row per trace). payload holds the entries (PendingEntries): per deployment
-- and hour the counters, quality histogram, latency sketch and context cohorts; per deployment and day the
-- cohorts only day rows keep (step, model version, tags), once per day rather than per hour.
-- [first_bucket, last_bucket] spans the entries' buckets, so a reader fetches only the rows that can touch
-- its window, and a task page only its task's rows. The compactor claims rows in id order and deletes them
-- in the transaction that folds them; readers add the rows still here, so a committed batch counts at once.
--
-- tail_rollup_delta (V3) is no longer appended to. The compactor folds what a server before this version
-- left there first; until then those deltas (seconds of traffic) are missing from reads.
CREATE TABLE tail_rollup_pending (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task         text COLLATE "C" NOT NULL,
    first_bucket timestamptz      NOT NULL,
    last_bucket  timestamptz      NOT NULL,
    entries      integer          NOT NULL,
    payload      bytea            NOT NULL,
    appended_at  timestamptz      NOT NULL
);

-- already compact binary: store out of line without spending CPU on compressing it
ALTER TABLE tail_rollup_pending ALTER COLUMN payload SET STORAGE EXTERNAL;

CREATE INDEX tail_rollup_pending_task_idx ON tail_rollup_pending (task);
