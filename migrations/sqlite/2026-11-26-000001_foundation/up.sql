-- The foundation: organisation units, countries, the change log and idempotency keys.

CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT,
    unit_type   TEXT NOT NULL CHECK (unit_type IN ('COUNCIL', 'EXECUTIVE_BOARD', 'COMMITTEE', 'ADMINISTRATION', 'COMPANY')),
    parent_code TEXT REFERENCES units (code),
    valid_from  DATE,
    valid_until DATE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until),
    CHECK (parent_code IS NULL OR parent_code <> code)
);
CREATE INDEX units_parent_code ON units (parent_code);
CREATE INDEX units_created_at ON units (created_at, code);

CREATE TABLE countries (
    code       TEXT PRIMARY KEY CHECK (length(code) = 2),
    alpha3     TEXT NOT NULL,
    name_sv    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Append-only. SQLite has one writer at a time, so ids are assigned and committed in order and a
-- poller that remembers the last id misses nothing.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    data        TEXT,
    visible_to  TEXT
);
CREATE INDEX events_entity ON events (entity_type, entity_id, id);

CREATE TABLE idempotency_keys (
    owner           TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('IN_FLIGHT', 'DONE')),
    response_status INTEGER,
    response_body   TEXT,
    response_etag   TEXT,
    response_location TEXT,
    created_at      TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, method, path, idempotency_key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
