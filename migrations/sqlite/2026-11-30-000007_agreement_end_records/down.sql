ALTER TABLE agreements DROP COLUMN cancel_reason;
ALTER TABLE agreements DROP COLUMN end_reason;
