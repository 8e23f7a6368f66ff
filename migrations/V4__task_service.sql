-- The services that send each task's traces, per day, for the console's service filter (the rollups have
-- no service dimension). Ingest counts traces per task, day and service ('' when the trace names none).
ALTER TABLE task_volume_daily ADD COLUMN service text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE task_volume_daily DROP CONSTRAINT task_volume_daily_pkey;
ALTER TABLE task_volume_daily ADD PRIMARY KEY (task, day, service);
