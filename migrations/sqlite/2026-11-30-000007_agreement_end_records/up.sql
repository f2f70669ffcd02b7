-- Ending and cancelling keep why: the agreement is an official record (DESIGN "Agreements end with
-- a record"). The timestamps and the activating user are already columns.
ALTER TABLE agreements ADD COLUMN end_reason TEXT;
ALTER TABLE agreements ADD COLUMN cancel_reason TEXT;
