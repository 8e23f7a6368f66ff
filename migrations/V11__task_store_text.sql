-- A task whose inputs and outputs must not be kept (personal data, a customer's contract): with store_text
-- false, ingest stores no input or output text for it, the index holds none, scope drift is not measured,
-- and turning it off erases the text already stored. NULL means the default: text is stored (redacted).
ALTER TABLE task_settings ADD COLUMN store_text boolean;

-- ingest reads the tasks that store no text once per batch
CREATE INDEX task_settings_textless ON task_settings (task) WHERE store_text = false;
