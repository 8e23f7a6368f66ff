-- The default tail rule watches what the verdict decides on: the visible-failure rate over all the busiest
-- deployment's traces (visible failures / traces, Wilson 95%), against each task's own tail threshold T. The
-- worst-5% share it watched until now passes T = 5% as soon as 0.25% of requests fail visibly; that metric
-- stays available for rules that set their own threshold.
--
-- Only the rule V6 seeded moves, and only as seeded in what matters: its name and metric, and no threshold
-- of its own (T means the same on both metrics; a threshold set by hand was meant for the worst-5% share).
-- Its states carry over: an alert firing on it resolves, and its receivers are told, once the visible-failure
-- rate falls below T x (1 - hysteresis). The history keeps the metric each event was on.
UPDATE alert_rule
   SET name = 'Visible failures above the task''s threshold', metric = 'visible_failure_rate', updated_at = now()
 WHERE name = 'Worst-5% visible failures above the task''s threshold'
   AND metric = 'worst5_visible_failure_rate'
   AND threshold IS NULL;

-- A seeded rule renamed or given a threshold is left as it is; the new default goes beside it, unless some
-- rule already watches the visible-failure rate.
INSERT INTO alert_rule (name, metric, threshold, window_name, for_seconds, severity, runbook_url)
SELECT 'Visible failures above the task''s threshold', 'visible_failure_rate', NULL, '1h', 300, 'critical',
       'https://github.com/tailaudit/tailaudit/blob/main/README.md#alerts'
 WHERE NOT EXISTS (SELECT 1 FROM alert_rule WHERE metric = 'visible_failure_rate')
ON CONFLICT (name) DO NOTHING;
