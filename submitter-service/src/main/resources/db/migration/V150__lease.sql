-- Work that must run in one instance at a time (the outbox relay, the cancel sweeper, the submission reconciler) runs
-- only in the instance holding the lease: holder names the instance, expires_at ends its hold unless renewed. One
-- UPDATE takes or renews it (ActiveLease), so two instances (a rolling deploy) never both hold it.
CREATE TABLE lease (
    name       varchar(100) PRIMARY KEY,
    holder     varchar(255),
    expires_at timestamptz  NOT NULL
);
INSERT INTO lease (name, holder, expires_at) VALUES ('submitter-active', NULL, '1970-01-01T00:00:00Z');
