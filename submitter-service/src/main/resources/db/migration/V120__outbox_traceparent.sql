-- The W3C traceparent of the request that wrote the event: the relay sends the event later, from another context,
-- and puts it back as the Kafka record's parent so that the task's trace runs on through Kafka. Null: no trace.
ALTER TABLE outbox ADD COLUMN traceparent varchar(64);
