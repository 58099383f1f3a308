-- Reconciliation with Mithril's billing: GET /v2/instances/pricing/history gives, per instance, the intervals it was
-- billed and their price in integer cents per hour. Once every ledger interval of an instance is closed, its priced
-- intervals are copied here and WIN over the status-based ones (which stay in cost_interval, untouched: they are the
-- function of the events that replay rebuilds).

-- One row per instance the reconciler looked at. status: RECONCILED (Mithril's segments below replace the ledger's
-- intervals of this instance), PENDING (Mithril still bills it: an open segment), NOT_FOUND (Mithril does not know it).
-- Amounts are exact dollar-microseconds (price per hour x microseconds), like the ledger's sums.
create table instance_reconciliation (
    instance_fid     text        primary key,
    task_id          text        not null,
    project          text        not null,
    status           text        not null check (status in ('RECONCILED', 'PENDING', 'NOT_FOUND')),
    attempts         integer     not null default 0,
    estimated        numeric     not null,
    reconciled       numeric,
    -- reconciled - estimated: what the status-based estimate missed (+) or over-billed (-)
    difference       numeric generated always as (reconciled - estimated) stored,
    checked_at       timestamptz not null
);
create index instance_reconciliation_task on instance_reconciliation (task_id);
create index instance_reconciliation_project on instance_reconciliation (project, status);

-- Mithril's priced intervals of a RECONCILED instance (deleted with its reconciliation when the instance is billed
-- again in the ledger, e.g. resumed after a pause, so it is reconciled anew when it stops).
create table mithril_price_segment (
    id               bigint generated always as identity primary key,
    instance_fid     text        not null,
    task_id          text        not null,
    project          text        not null,
    node             integer     not null,
    price_cents      bigint      not null check (price_cents >= 0),
    started_at       timestamptz not null,
    ended_at         timestamptz not null,
    constraint mithril_price_segment_key unique (instance_fid, started_at),
    constraint mithril_price_segment_order check (ended_at >= started_at)
);
create index mithril_price_segment_task on mithril_price_segment (task_id);
create index mithril_price_segment_project_time on mithril_price_segment (project, started_at);

-- the instance type of the task (TaskStatusChanged.instanceType), for costs grouped by instance type; null for
-- rows written before this column existed
alter table cost_interval add column instance_type text;
alter table mithril_price_segment add column instance_type text;
