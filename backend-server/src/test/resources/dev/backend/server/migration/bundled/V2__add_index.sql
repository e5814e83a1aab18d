-- migrate:no-transaction
CREATE INDEX CONCURRENTLY things_name_idx ON things (name);
