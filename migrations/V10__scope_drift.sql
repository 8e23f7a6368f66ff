-- Scope drift (the seed's first question). Per task a reference set of inputs: the redacted input texts of
-- the 7 x 24 h from its first trace, or of a window an engineer pinned; kept here, beyond the traces'
-- retention, so drift still answers after the reference traces are dropped.
CREATE TABLE scope_reference (
    task        text COLLATE "C" PRIMARY KEY,
    period_from timestamptz NOT NULL,
    period_to   timestamptz NOT NULL CHECK (period_to > period_from),
    pinned_by   text,                 -- null: the first week, chosen by the platform
    texts       integer     NOT NULL,
    built_at    timestamptz NOT NULL
);

CREATE TABLE scope_reference_text (
    task       text COLLATE "C" NOT NULL REFERENCES scope_reference (task) ON DELETE CASCADE,
    ord        integer NOT NULL,
    input_text text    NOT NULL,
    PRIMARY KEY (task, ord)
);

-- The last measurement per task and named window: novel inputs among a sample of the window's inputs after
-- the reference period, with the Wilson interval; or why it is not measured. Every api replica reads it.
CREATE TABLE scope_drift (
    task            text COLLATE "C" NOT NULL,
    window_name     text        NOT NULL,
    computed_at     timestamptz NOT NULL,
    window_from     timestamptz NOT NULL,
    window_to       timestamptz NOT NULL,
    inputs          bigint      NOT NULL,   -- inputs with text in the window after the reference period
    sampled         integer     NOT NULL,
    novel           integer     NOT NULL,
    share           double precision,
    low             double precision,
    high            double precision,
    reference_texts integer     NOT NULL,
    not_measured    text,                   -- why, when it is not measured
    examples        jsonb       NOT NULL DEFAULT '[]',   -- a few novel inputs (trace id, text, similarity)
    PRIMARY KEY (task, window_name)
);
