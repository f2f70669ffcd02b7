-- The change log's transaction column, as on PostgreSQL (src/events/store.rs). SQLite has one
-- writer at a time, so ids are assigned and committed in order: every event keeps txid 0 and
-- readers go in id order (no index on txid is needed).
ALTER TABLE events ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;

-- The register's generation (src/db/derived.rs): the newest change-log id, which on SQLite is
-- exact (ids are committed in order and never handed out again after a commit).
CREATE VIEW register_generation AS
SELECT COALESCE(MAX(id), 0) AS generation FROM events;
