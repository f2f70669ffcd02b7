-- A rotated secret keeps signing for 24 hours beside the new one (Standard Webhooks allows several
-- signatures), so that a receiver can switch secrets without losing a delivery.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_until TIMESTAMP;
