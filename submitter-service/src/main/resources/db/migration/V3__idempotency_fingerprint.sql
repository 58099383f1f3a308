-- What an Idempotency-Key was first used with: SHA-256 (hex) of the canonical request JSON (object keys sorted, no
-- blanks). The same key with another body is refused instead of silently answering with the first task. Rows from
-- before this column have none, and are replayed without the comparison.
ALTER TABLE task ADD COLUMN request_sha256 varchar(64);
