-- Webhook subscriptions and their deliveries; the time sweep's lease and what it has announced.

CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    description   TEXT,
    -- JSON array of entity types (`AGREEMENT`) and event names (`AGREEMENT.ACTIVATED`); empty: all.
    event_types   TEXT NOT NULL DEFAULT '[]',
    -- The signing secret (`whsec_…`); never returned after creation.
    secret        TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT 1,
    -- The last change-log id turned into deliveries for this subscription (the dispatcher's cursor).
    last_event_id INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_created_at ON webhooks (created_at, id);

CREATE TABLE webhook_deliveries (
    id                 TEXT PRIMARY KEY,
    webhook_id         TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id           INTEGER NOT NULL,
    event_type         TEXT NOT NULL,
    -- The JSON body sent, as the feed serves the event to a reader.
    payload            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TIMESTAMP NOT NULL,
    -- A claimed delivery belongs to `locked_by` until `locked_until`; after that any instance retries it.
    locked_until       TIMESTAMP,
    locked_by          TEXT,
    last_attempt_at    TIMESTAMP,
    last_response_code INTEGER,
    last_error         TEXT,
    delivered_at       TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (webhook_id, created_at, id);

-- Named leases: one holder at a time until `expires_at` (the time sweep runs under one).
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- What the sweep has announced, so each time-caused event is written once.
CREATE TABLE sweep_marks (
    mark_key   TEXT PRIMARY KEY,
    event_id   INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
