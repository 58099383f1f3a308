-- Forecast alerts, enforcement and re-arming (issue 8).

-- What a budget does at 100 % of actual spend: null = alert only, 'stop_tasks' = also stop the project's running tasks.
alter table budget add column action text check (action in ('stop_tasks'));

-- A threshold is decided once per budget, period and kind (actual spend / forecast), independently.
alter table budget_alert add column kind text not null default 'actual' check (kind in ('actual', 'forecast'));
alter table budget_alert add column forecast numeric;
alter table budget_alert drop constraint budget_alert_once;
alter table budget_alert add constraint budget_alert_once unique (budget_id, period_start, threshold, kind);

-- One StopTask(BUDGET_STOP) per (budget, period, task): decided once, then sent from the row (outbox, like budget_alert).
create table budget_stop (
    id           text        primary key,
    budget_id    text        not null references budget (id) on delete cascade,
    project      text        not null,
    period_start timestamptz not null,
    task_id      text        not null,
    decided_at   timestamptz not null,
    published_at timestamptz,
    constraint budget_stop_once unique (budget_id, period_start, task_id)
);
create index budget_stop_unpublished on budget_stop (decided_at) where published_at is null;
