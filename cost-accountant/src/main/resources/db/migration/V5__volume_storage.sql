-- Storage cost: every volume of a project, as Mithril's volume list (GET /v2/volumes?include_deleted=true) shows it.
-- A volume accrues size_gb x the configured price per GB-month from created_at to deleted_at (Mithril's times when
-- it gives them; a volume that vanished from the list without a deleted_at is taken as deleted at the first poll
-- that missed it: deleted_by = 'poll', precise to the poll interval).
create table volume_cost (
    volume_fid      text        primary key,
    project         text        not null,
    name            text,
    region          text,
    size_gb         bigint      not null check (size_gb >= 0),
    created_at      timestamptz not null,
    deleted_at      timestamptz,
    deleted_by      text        check (deleted_by in ('mithril', 'poll')),
    last_seen_at    timestamptz not null,
    constraint volume_cost_order check (deleted_at is null or deleted_at >= created_at)
);
create index volume_cost_project on volume_cost (project, created_at);
