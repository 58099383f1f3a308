-- Commands (flow.task.commands) whose effect must happen once, by CloudEvents id: a row is written in the same
-- transaction as the effect's record, so a redelivered command (same ce_id) is recognised and does nothing more.
-- Today: ResubmitTask, whose redelivery would otherwise replace the bid it just placed (TaskEventConsumers).
CREATE TABLE consumed_command (
    event_id     varchar(256) PRIMARY KEY,
    event_type   varchar(128) NOT NULL,
    task_id      varchar(64)  NOT NULL,
    consumed_at  timestamptz  NOT NULL
);
