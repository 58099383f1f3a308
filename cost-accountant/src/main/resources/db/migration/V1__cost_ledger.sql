-- The cost ledger of the cost-accountant; this schema belongs to this service alone.

-- One priced interval per instance of a task: opened when the instance starts being billed (the task is running and
-- the instance is past "Starting"), closed when it stops. Times are event times (TaskStatusChanged.at), so
-- replaying the same events rebuilds the same rows.
create table cost_interval (
    id              bigint generated always as identity primary key,
    task_id         text        not null,
    project         text        not null,
    instance_fid    text        not null,
    node            integer     not null,
    -- USD per instance-hour at full precision (spot prices may have more than 2 decimals)
    price_per_hour  numeric     not null check (price_per_hour >= 0),
    started_at      timestamptz not null,
    ended_at        timestamptz,
    opened_by       text        not null,
    closed_by       text,
    constraint cost_interval_key unique (task_id, node, instance_fid, started_at),
    constraint cost_interval_order check (ended_at is null or ended_at >= started_at)
);

-- at most one open interval per task node: a second open would bill the node twice
create unique index cost_interval_one_open_per_node on cost_interval (task_id, node) where ended_at is null;
create index cost_interval_project_time on cost_interval (project, started_at);

-- Every status event applied to the ledger (whether it changed it or not), written in the same transaction as the
-- interval rows: a redelivered event finds its row and is skipped. It also tells which project a task belongs to,
-- so a task that never ran has a zero cost rather than no cost at all.
create table consumed_event (
    event_id        text        primary key,
    topic           text        not null,
    kafka_partition integer     not null,
    kafka_offset    bigint      not null,
    task_id         text,
    project         text,
    event_type      text,
    consumed_at     timestamptz not null default now()
);
create index consumed_event_task on consumed_event (task_id);
