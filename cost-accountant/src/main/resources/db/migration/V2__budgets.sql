-- Spending limits per project and period, and the threshold crossings already decided.

create table budget (
    id           text        primary key,
    project      text        not null,
    period       text        not null check (period in ('daily', 'weekly', 'monthly', 'total')),
    limit_amount numeric     not null check (limit_amount > 0),
    -- percents of the limit, ascending, comma-separated: "50,80,100"
    thresholds   text        not null,
    created_by   text        not null,
    created_at   timestamptz not null,
    constraint budget_one_per_period unique (project, period)
);

-- One row per (budget, period, threshold) crossed: the decision to alert, taken once. The row is also an outbox:
-- published_at stays null until the alert is on Kafka; its id is the event's CloudEvents id, so a resend after a
-- crash is a recognisable duplicate.
create table budget_alert (
    id           text        primary key,
    budget_id    text        not null references budget (id) on delete cascade,
    project      text        not null,
    period_start timestamptz not null,
    threshold    integer     not null,
    spent        numeric     not null,
    crossed_at   timestamptz not null,
    published_at timestamptz,
    constraint budget_alert_once unique (budget_id, period_start, threshold)
);
create index budget_alert_unpublished on budget_alert (crossed_at) where published_at is null;
