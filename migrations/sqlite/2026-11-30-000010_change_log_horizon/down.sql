DROP VIEW register_generation;
ALTER TABLE events DROP COLUMN txid;
