-- The tokens of each bucket's > 8k context cohort (context_tokens, else input_tokens, above 8192), input
-- and output apart: a what-if that routes that cohort to the cloud moves these tokens, priced at the task's
-- own input share. The other context cohorts' tokens are the rest. Rows folded before this version count
-- none (0), so a window reaching back before it understates the moved tokens until those days age out.
ALTER TABLE tail_rollup
    ADD COLUMN over8k_input_tokens  bigint NOT NULL DEFAULT 0,
    ADD COLUMN over8k_output_tokens bigint NOT NULL DEFAULT 0;

-- Read with the same columns as tail_rollup by the compactor's fold of what a server before V5 left.
ALTER TABLE tail_rollup_delta
    ADD COLUMN over8k_input_tokens  bigint NOT NULL DEFAULT 0,
    ADD COLUMN over8k_output_tokens bigint NOT NULL DEFAULT 0;
