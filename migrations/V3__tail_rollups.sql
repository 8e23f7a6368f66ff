-- Tail rollups. Aggregate pages and APIs read these, never the trace table.
--
-- Ingest appends one tail_rollup_delta row per (task, deployment, hour) it touched, by COPY inside the
-- batch's transaction: no reads and no locks on the hot path. Feedback that changes a stored trace appends a
-- correction (the old outcome out, the new one in). A compactor folds deltas into tail_rollup at two spans,
-- 'h' (UTC hour) and 'd' (UTC day), claiming them with SKIP LOCKED and deleting them in the same
-- transaction. Readers add the deltas not yet folded, so a committed batch is visible at once. A window is
-- read as whole days plus the hours at its edges.
--
-- quality: 100 effective-quality bins (all traces; "hard" failures whatever the quality floor; "flagged" =
-- escalated or rated negative) and the qe sum per bin, sparse binary (QualityHistogram.encode), so the
-- worst-5% slice, its visible failures and CVaR can be computed under any quality floor and absorbability.
-- latency: a DDSketch with 1% relative accuracy in the library's own encoding.
-- cohorts: the quality histograms of the bucket's cohorts, for the worst-5% lift and the <= 8k / > 8k split
-- (Cohort.encode): dimension 'context' (<=2k, 2-4k, 4-8k, >8k, unknown) in hour and day rows; 'step',
-- 'model_version' and 'tag:<key>' in day rows only. Values per (task, dimension) are capped
-- (tail_cohort_value); the rest count as '(other)'. One column, not a row per cohort: the compactor rewrites
-- one row per bucket and a task page reads one row per day.
CREATE TABLE tail_rollup (
    task                   text COLLATE "C" NOT NULL,
    deployment_kind        text             NOT NULL,
    provider               text COLLATE "C" NOT NULL,
    model                  text COLLATE "C" NOT NULL,
    span                   "char"           NOT NULL CHECK (span IN ('h', 'd')),
    bucket                 timestamptz      NOT NULL,
    category               text             NOT NULL,
    traces                 bigint           NOT NULL,
    escalations            bigint           NOT NULL,
    status_error           bigint           NOT NULL,
    status_timeout         bigint           NOT NULL,
    status_refused         bigint           NOT NULL,
    status_invalid_output  bigint           NOT NULL,
    escalated              bigint           NOT NULL,
    negative               bigint           NOT NULL,
    schema_invalid         bigint           NOT NULL,
    input_tokens           bigint           NOT NULL,
    output_tokens          bigint           NOT NULL,
    priced_cost_usd        double precision NOT NULL,
    unpriced_input_tokens  bigint           NOT NULL,
    unpriced_output_tokens bigint           NOT NULL,
    quality                bytea            NOT NULL,
    latency                bytea,
    cohorts                bytea            NOT NULL,
    PRIMARY KEY (span, bucket, task, deployment_kind, provider, model)
) WITH (fillfactor = 70);  -- room for HOT updates: the compactor rewrites rows in place

CREATE INDEX tail_rollup_task_idx ON tail_rollup (task, span, bucket);

-- The cohort values tracked per task and dimension, first come first kept, up to the configured cap.
CREATE TABLE tail_cohort_value (
    task                   text COLLATE "C" NOT NULL,
    dimension              text COLLATE "C" NOT NULL,
    value                  text COLLATE "C" NOT NULL,
    PRIMARY KEY (task, dimension, value)
);

CREATE TABLE tail_rollup_delta (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task                   text COLLATE "C" NOT NULL,
    deployment_kind        text             NOT NULL,
    provider               text COLLATE "C" NOT NULL,
    model                  text COLLATE "C" NOT NULL,
    hour                   timestamptz      NOT NULL,
    category               text             NOT NULL,
    traces                 bigint           NOT NULL,
    escalations            bigint           NOT NULL,
    status_error           bigint           NOT NULL,
    status_timeout         bigint           NOT NULL,
    status_refused         bigint           NOT NULL,
    status_invalid_output  bigint           NOT NULL,
    escalated              bigint           NOT NULL,
    negative               bigint           NOT NULL,
    schema_invalid         bigint           NOT NULL,
    input_tokens           bigint           NOT NULL,
    output_tokens          bigint           NOT NULL,
    priced_cost_usd        double precision NOT NULL,
    unpriced_input_tokens  bigint           NOT NULL,
    unpriced_output_tokens bigint           NOT NULL,
    quality                bytea            NOT NULL,
    latency                bytea,
    cohorts                bytea            NOT NULL,
    appended_at            timestamptz      NOT NULL
);

CREATE INDEX tail_rollup_delta_task_idx ON tail_rollup_delta (task, hour);
