-- An outbox row Kafka can never take (too large for the broker, unencodable) is set aside instead of blocking the
-- relay for every task: dead_at/dead_reason say when and why; the relay skips such rows.
ALTER TABLE outbox ADD COLUMN dead_at timestamptz;
ALTER TABLE outbox ADD COLUMN dead_reason varchar(1000);

DROP INDEX outbox_unsent;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND dead_at IS NULL;

-- SSH host keys of task nodes, pinned on first connect (trust on first use); a node offering another key is refused.
-- node = <instance fid>@<host>:<port>, so an address reused for another instance gets a pin of its own.
CREATE TABLE ssh_host_key (
    node        varchar(512) PRIMARY KEY,
    fingerprint varchar(128) NOT NULL,
    pinned_at   timestamptz  NOT NULL
);
