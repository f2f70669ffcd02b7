-- The change log without a global lock (src/events/store.rs). Each event carries the id of the
-- transaction that wrote it (`txid`, the 64-bit `pg_current_xact_id()`), and readers go in
-- (txid, id) order, only over the transactions below the oldest one still in flight: every such
-- transaction has ended, and every later one gets a larger id, so a reader that moves past a
-- position never finds a new event before it. Event ids still come from the sequence, but are no
-- longer drawn one committed transaction at a time.
-- The events written before were committed in id order under a lock: they keep txid 0, so that
-- they come first and in their old order, and cursors held by clients and webhooks stay valid.
ALTER TABLE events ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX events_position ON events (txid, id);

-- The register's generation (src/db/derived.rs): two reads with the same snapshot see the same
-- committed transactions, so the same register. A 64-bit hash of the snapshot, compared for
-- equality only.
CREATE VIEW register_generation AS
SELECT hashtextextended(pg_current_snapshot()::text, 0) AS generation;
