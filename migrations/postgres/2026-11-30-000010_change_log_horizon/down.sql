DROP VIEW register_generation;
DROP INDEX events_position;
ALTER TABLE events DROP COLUMN txid;
