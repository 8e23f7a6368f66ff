-- Cost model and task settings (editable through the API; defaults seeded here and in code).

-- Cloud prices, $ per 1M tokens. provider '' matches any provider for that model name.
CREATE TABLE model_price (
    provider        text COLLATE "C" NOT NULL DEFAULT '',
    model           text COLLATE "C" NOT NULL,
    input_per_mtok  double precision NOT NULL CHECK (input_per_mtok >= 0),
    output_per_mtok double precision NOT NULL CHECK (output_per_mtok >= 0),
    updated_at      timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, model)
);

-- List prices as published by the providers in 2025 (standard tier, no batch or cache discounts).
INSERT INTO model_price (provider, model, input_per_mtok, output_per_mtok) VALUES
    ('openai',    'gpt-4o',            2.50, 10.00),
    ('openai',    'gpt-4o-mini',       0.15,  0.60),
    ('openai',    'gpt-4.1',           2.00,  8.00),
    ('openai',    'gpt-4.1-mini',      0.40,  1.60),
    ('openai',    'o3-mini',           1.10,  4.40),
    ('anthropic', 'claude-sonnet-4',   3.00, 15.00),
    ('anthropic', 'claude-3-5-haiku',  0.80,  4.00),
    ('anthropic', 'claude-opus-4',    15.00, 75.00),
    ('google',    'gemini-2.0-flash',  0.10,  0.40),
    ('google',    'gemini-2.5-pro',    1.25, 10.00),
    ('mistral',   'mistral-large',     2.00,  6.00);

-- The local side of the comparison: one row (id = 1).
CREATE TABLE local_cost (
    id                       integer          PRIMARY KEY CHECK (id = 1),
    gpu_hourly_usd           double precision NOT NULL CHECK (gpu_hourly_usd >= 0),
    gpus                     integer          NOT NULL CHECK (gpus >= 1),
    throughput_tokens_per_s  double precision NOT NULL CHECK (throughput_tokens_per_s > 0),
    monthly_fixed_usd        double precision NOT NULL CHECK (monthly_fixed_usd >= 0),
    reference_provider       text COLLATE "C" NOT NULL,
    reference_model          text COLLATE "C" NOT NULL,
    updated_at               timestamptz      NOT NULL DEFAULT now()
);

-- One mid-range inference GPU at $1.20/h serving 2,500 tokens/s, $400/month of engineering and
-- maintenance per locally served task, compared against gpt-4o: break-even ~3.4M tokens/day at an
-- 80/20 input/output mix, inside the seed's 2-5M band.
INSERT INTO local_cost VALUES (1, 1.20, 1, 2500, 400, 'openai', 'gpt-4o', now());

-- Per-task overrides; a NULL column means "the category's default".
CREATE TABLE task_settings (
    task               text COLLATE "C" PRIMARY KEY,
    category           text,
    quality_floor      double precision CHECK (quality_floor BETWEEN 0 AND 1),
    latency_budget_ms  double precision CHECK (latency_budget_ms > 0),
    tail_absorbable    boolean,
    scope_constrained  boolean,
    tail_threshold     double precision CHECK (tail_threshold > 0 AND tail_threshold < 1),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
