-- A stop Mithril confirmed while the task is still not over (its instances may still run and bill) is checked at
-- Mithril and the cancel re-sent with backoff (StopResender): how many times it was re-sent, when to look next, and
-- when Mithril showed the bid ended (the stop took; no more looks).
ALTER TABLE task ADD COLUMN stop_resends integer NOT NULL DEFAULT 0;
ALTER TABLE task ADD COLUMN stop_check_at timestamptz;
ALTER TABLE task ADD COLUMN stop_took_at timestamptz;
CREATE INDEX task_stops_not_over ON task (bid_cancelled_at)
    WHERE bid_cancelled_at IS NOT NULL AND stop_took_at IS NULL AND status NOT IN ('completed', 'failed', 'cancelled');
