-- The submitter's own schema: its task read model and its transactional outbox. No other service reads these.

CREATE TABLE task (
    id                  varchar(32)    PRIMARY KEY,
    project             varchar(128)   NOT NULL,
    project_fid         varchar(64),
    name                varchar(64)    NOT NULL,
    created_by          varchar(256),
    status              varchar(16)    NOT NULL,
    reason              varchar(64),
    message             text,
    config              text           NOT NULL,  -- redacted TaskConfig JSON: env values are never stored
    instance_type       varchar(64),
    instance_type_name  varchar(64),
    instance_type_fid   varchar(64),
    region              varchar(64),
    num_instances       integer        NOT NULL,
    limit_price         numeric(14, 4),
    price_per_hour      numeric(14, 4),
    bid_name            varchar(64),
    bid_fid             varchar(64),
    instances           text           NOT NULL DEFAULT '[]',
    ssh_host            varchar(256),
    ssh_port            integer,
    created_at          timestamptz    NOT NULL,
    started_at          timestamptz,
    completed_at        timestamptz,
    status_at           timestamptz,
    restart_count       integer        NOT NULL DEFAULT 0,
    cancel_requested_at timestamptz,
    cancel_reason       varchar(64),
    bid_cancelled_at    timestamptz,
    updated_at          timestamptz    NOT NULL
);

CREATE INDEX task_project_created ON task (project, created_at DESC);
CREATE UNIQUE INDEX task_bid_fid ON task (bid_fid) WHERE bid_fid IS NOT NULL;
-- the cancel sweeper's question: cancels Mithril has not confirmed yet
CREATE INDEX task_cancel_pending ON task (cancel_requested_at) WHERE bid_cancelled_at IS NULL;

CREATE SEQUENCE outbox_id_seq INCREMENT BY 1;

CREATE TABLE outbox (
    id           bigint       PRIMARY KEY,
    aggregate_id varchar(64)  NOT NULL,
    topic        varchar(128) NOT NULL,
    event_type   varchar(128) NOT NULL,
    payload      text         NOT NULL,
    event_time   timestamptz  NOT NULL,
    created_at   timestamptz  NOT NULL,
    sent_at      timestamptz,
    attempts     integer      NOT NULL DEFAULT 0
);

-- the relay's question: what is not sent yet, oldest first
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
