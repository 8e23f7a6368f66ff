-- Alerting: rules, the state of each rule per subject, the history, silences, notification channels and the
-- notification outbox. The evaluator (one replica at a time, under an advisory lock) moves states and writes
-- the history and the outbox in one transaction; the sender delivers the outbox with retries.

-- A rule watches one metric for every task in its scope (all tasks, one category or one task), or the
-- platform. It fires when the condition has held for for_seconds: for a rate, when its Wilson 95% interval
-- lies above the threshold, not just the point estimate. It resolves when the value falls below
-- threshold x (1 - hysteresis). threshold NULL: the worst-5% rule uses each task's own tail threshold, the
-- trend and verdict rules need none.
CREATE TABLE alert_rule (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text COLLATE "C" NOT NULL UNIQUE,
    metric         text             NOT NULL,
    scope          text             NOT NULL DEFAULT 'all' CHECK (scope IN ('all', 'category', 'task', 'platform')),
    scope_value    text COLLATE "C",
    threshold      double precision,
    window_name    text             NOT NULL DEFAULT '1h',
    for_seconds    integer          NOT NULL DEFAULT 300 CHECK (for_seconds >= 0),
    hysteresis     double precision NOT NULL DEFAULT 0.2 CHECK (hysteresis >= 0 AND hysteresis < 1),
    severity       text             NOT NULL DEFAULT 'warning' CHECK (severity IN ('critical', 'warning', 'info')),
    labels         jsonb            NOT NULL DEFAULT '{}',
    runbook_url    text,
    repeat_seconds integer          NOT NULL DEFAULT 14400 CHECK (repeat_seconds > 0),
    enabled        boolean          NOT NULL DEFAULT true,
    updated_at     timestamptz      NOT NULL DEFAULT now()
);

-- A rule x subject that is pending (condition holding, for not yet reached) or firing. Resolving deletes the
-- row; alert_event keeps what happened. subject: the task, or '' for platform rules.
CREATE TABLE alert_state (
    rule_id          bigint           NOT NULL REFERENCES alert_rule ON DELETE CASCADE,
    subject          text COLLATE "C" NOT NULL,
    firing           boolean          NOT NULL,
    pending_since    timestamptz      NOT NULL,
    firing_since     timestamptz,
    notified         boolean          NOT NULL DEFAULT false,
    last_notified_at timestamptz,
    value            double precision,
    low              double precision,
    high             double precision,
    summary          text             NOT NULL,
    verdict          text,
    PRIMARY KEY (rule_id, subject)
);

-- The verdict each task had when the verdict-changed rules last looked.
CREATE TABLE alert_verdict (
    task       text COLLATE "C" PRIMARY KEY,
    verdict    text             NOT NULL,
    since      timestamptz      NOT NULL
);

-- History: every firing, repeat and resolution, silenced or not.
CREATE TABLE alert_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id     bigint REFERENCES alert_rule ON DELETE SET NULL,
    rule_name   text             NOT NULL,
    metric      text             NOT NULL,
    subject     text COLLATE "C" NOT NULL,
    severity    text             NOT NULL,
    kind        text             NOT NULL CHECK (kind IN ('firing', 'repeat', 'resolved')),
    at          timestamptz      NOT NULL,
    value       double precision,
    low         double precision,
    high        double precision,
    threshold   double precision,
    summary     text             NOT NULL,
    link        text             NOT NULL,
    silenced    boolean          NOT NULL,
    fingerprint text             NOT NULL
);

CREATE INDEX alert_event_at_idx ON alert_event (at DESC, id DESC);

-- A silence suppresses notifications of one rule, one subject, or both, until ends_at.
CREATE TABLE alert_silence (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id    bigint REFERENCES alert_rule ON DELETE CASCADE,
    subject    text COLLATE "C",
    ends_at    timestamptz NOT NULL,
    created_by text        NOT NULL,
    comment    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Where notifications go. secret: the webhook's HMAC-SHA256 key, or PagerDuty's routing key.
CREATE TABLE alert_channel (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text COLLATE "C" NOT NULL UNIQUE,
    kind         text             NOT NULL CHECK (kind IN ('webhook', 'slack', 'pagerduty', 'alertmanager')),
    url          text             NOT NULL,
    secret       text,
    min_severity text             NOT NULL DEFAULT 'info' CHECK (min_severity IN ('critical', 'warning', 'info')),
    enabled      boolean          NOT NULL DEFAULT true,
    updated_at   timestamptz      NOT NULL DEFAULT now()
);

-- The outbox: one rendered request per channel, written with the events it carries; the sender POSTs it,
-- retrying with backoff until the receiver accepts it (or give-up-after passes: status 'expired').
CREATE TABLE alert_notification (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id      bigint      NOT NULL REFERENCES alert_channel ON DELETE CASCADE,
    event_ids       bigint[]    NOT NULL,
    body            text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'expired')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL
);

CREATE INDEX alert_notification_due_idx ON alert_notification (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_notification_created_idx ON alert_notification (created_at DESC);

-- Defaults: every task on its own tail threshold, escalations, their trend, latency, cost and verdict
-- changes; the platform's dead letters, consumer lag and rollup lag.
INSERT INTO alert_rule (name, metric, threshold, window_name, for_seconds, severity, runbook_url) VALUES
    ('Worst-5% visible failures above the task''s threshold', 'worst5_visible_failure_rate', NULL, '1h', 300,
     'critical', 'https://github.com/tailaudit/tailaudit/blob/main/README.md#alerts'),
    ('Escalation rate above 15%', 'escalation_rate', 0.15, '1h', 300, 'warning',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#alerts'),
    ('Escalations rising', 'escalation_trend', NULL, '24h', 900, 'warning',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#alerts'),
    ('Over 10% of requests over the latency budget', 'latency_over_budget', 0.10, '1h', 300, 'warning',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#alerts'),
    ('Cloud spend past break-even', 'cost_over_break_even', 1.0, '24h', 3600, 'info',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#alerts'),
    ('Verdict changed', 'verdict_changed', NULL, '7d', 0, 'info',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#alerts');
INSERT INTO alert_rule (name, metric, scope, threshold, window_name, for_seconds, severity, runbook_url) VALUES
    ('Dead letters above 10 per minute', 'dlq_rate', 'platform', 10, '1h', 300, 'warning',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#how-ingest-works'),
    ('Ingest consumer lag above 100,000 records', 'consumer_lag', 'platform', 100000, '1h', 300, 'critical',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#how-ingest-works'),
    ('Rollups waiting over 5 minutes to be folded', 'rollup_lag', 'platform', 300, '1h', 300, 'warning',
     'https://github.com/tailaudit/tailaudit/blob/main/README.md#metrics');
