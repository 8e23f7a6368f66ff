-- Hourly rollups per task x deployment (kind, provider, model), written by ingest in the batch's
-- transaction and corrected by late feedback. Aggregate pages read these, never the trace table.
-- Histograms: 100 effective-quality bins (all traces; "hard" failures whatever the quality floor;
-- "flagged" = escalated or rated negative) and the qe sum per bin, so the worst-5% slice, its visible
-- failures and CVaR can be computed under any quality floor. Latency: a DDSketch (1% relative accuracy).
CREATE TABLE tail_rollup_hour (
    task                   text COLLATE "C" NOT NULL,
    deployment_kind        text             NOT NULL,
    provider               text COLLATE "C" NOT NULL,
    model                  text COLLATE "C" NOT NULL,
    hour                   timestamptz      NOT NULL,
    category               text             NOT NULL,
    traces                 bigint           NOT NULL DEFAULT 0,
    escalations            bigint           NOT NULL DEFAULT 0,
    status_error           bigint           NOT NULL DEFAULT 0,
    status_timeout         bigint           NOT NULL DEFAULT 0,
    status_refused         bigint           NOT NULL DEFAULT 0,
    status_invalid_output  bigint           NOT NULL DEFAULT 0,
    escalated              bigint           NOT NULL DEFAULT 0,
    negative               bigint           NOT NULL DEFAULT 0,
    schema_invalid         bigint           NOT NULL DEFAULT 0,
    input_tokens           bigint           NOT NULL DEFAULT 0,
    output_tokens          bigint           NOT NULL DEFAULT 0,
    priced_cost_usd        double precision NOT NULL DEFAULT 0,
    unpriced_input_tokens  bigint           NOT NULL DEFAULT 0,
    unpriced_output_tokens bigint           NOT NULL DEFAULT 0,
    qe_all                 bigint[]         NOT NULL,
    qe_hard                bigint[]         NOT NULL,
    qe_flagged             bigint[]         NOT NULL,
    qe_sum                 double precision[] NOT NULL,
    latency                bytea,
    PRIMARY KEY (task, deployment_kind, provider, model, hour)
);

CREATE INDEX tail_rollup_hour_hour_idx ON tail_rollup_hour (hour);
