-- A client's Idempotency-Key: the same key in the same project returns the first task instead of placing a second bid.
ALTER TABLE task ADD COLUMN idempotency_key varchar(128);
CREATE UNIQUE INDEX task_idempotency_key ON task (project, idempotency_key) WHERE idempotency_key IS NOT NULL;
