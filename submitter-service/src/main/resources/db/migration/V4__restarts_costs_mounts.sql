-- Issue 5/6/8 on the submitter side.
-- The cost-accountant's figure for the task (TaskCostUpdated on flow.cost.updates): total_cost wins over the
-- submitter's own estimate once the first update arrived; cost_at orders updates (an older one changes nothing).
ALTER TABLE task ADD COLUMN total_cost    numeric(18, 6);
ALTER TABLE task ADD COLUMN cost_per_hour numeric(18, 6);
ALTER TABLE task ADD COLUMN cost_at       timestamptz;
-- The bids a task had before its current one (resubmissions after preemption), comma-separated fids: kept so a
-- cancel also reaches an old bid whose cancel was not confirmed, and for the record.
ALTER TABLE task ADD COLUMN previous_bids text;
-- Keyset paging of GET /v1/tasks: newest first by (created_at, id) within the caller's projects.
CREATE INDEX task_project_created_id ON task (project, created_at DESC, id DESC);
CREATE INDEX task_project_name ON task (project, name);
