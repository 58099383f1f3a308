-- Invocations (the seed's invoke): one task each, whose runner prints one result line that the submitter reads back
-- from flow.task.logs. The invocation's id shares the task id's random part (inv-x ↔ task-x).
CREATE TABLE invocation (
    id            varchar(32)  PRIMARY KEY,
    task_id       varchar(32)  NOT NULL UNIQUE REFERENCES task (id),
    project       varchar(255) NOT NULL,
    created_by    varchar(255),
    module_name   varchar(255) NOT NULL,
    function_name varchar(255) NOT NULL,
    -- null while no result line was read; then succeeded | failed
    outcome       varchar(16),
    -- the function's return value as JSON (succeeded), or {type, message, traceback} (failed)
    result_json   text,
    error_json    text,
    finished_at   timestamptz,
    created_at    timestamptz  NOT NULL,
    updated_at    timestamptz  NOT NULL
);
CREATE INDEX invocation_project_created ON invocation (project, created_at DESC);
