-- Agreements (collaborations) and exceptions decided by Kommunstyrelsen.

CREATE TABLE agreements (
    id                      TEXT PRIMARY KEY,
    title                   TEXT NOT NULL,
    description             TEXT,
    agreement_type          TEXT NOT NULL CHECK (agreement_type IN ('SISTER_CITY', 'PROJECT', 'LETTER_OF_INTENT', 'MOU', 'NETWORK_MEMBERSHIP', 'KNOWLEDGE_EXCHANGE', 'OTHER')),
    unit_code               TEXT NOT NULL REFERENCES units (code),
    start_date              DATE,
    end_date                DATE,
    case_number             TEXT,
    external_funding_not_possible_reason TEXT,
    status                  TEXT NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'ENDED', 'CANCELLED')),
    -- The findings kept with the agreement (JSON array of {rule, pointer, partnerId, detail, detailSv}).
    warnings                TEXT NOT NULL DEFAULT '[]',
    registered_retroactively BOOLEAN NOT NULL DEFAULT FALSE,
    activated_at            TIMESTAMP,
    activated_by            TEXT,
    ended_at                TIMESTAMP,
    cancelled_at            TIMESTAMP,
    created_by              TEXT NOT NULL,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL,
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);
CREATE INDEX agreements_created_at ON agreements (created_at, id);
CREATE INDEX agreements_unit_status ON agreements (unit_code, status);
CREATE INDEX agreements_status ON agreements (status, agreement_type);
CREATE INDEX agreements_case_number ON agreements (case_number);

CREATE TABLE agreement_partners (
    agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, partner_id)
);
CREATE INDEX agreement_partners_partner ON agreement_partners (partner_id, agreement_id);

CREATE TABLE agreement_purposes (
    agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL CHECK (purpose IN ('OPERATIONAL_DEVELOPMENT', 'PROJECT_COLLABORATION', 'KNOWLEDGE_EXCHANGE', 'PROFILING', 'SOCIETAL_IMPACT', 'DEMOCRATIC_VALUES', 'SISTER_CITIES')),
    PRIMARY KEY (agreement_id, purpose)
);
CREATE INDEX agreement_purposes_purpose ON agreement_purposes (purpose, agreement_id);

CREATE TABLE agreement_sdgs (
    agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    sdg          INTEGER NOT NULL CHECK (sdg BETWEEN 1 AND 17),
    PRIMARY KEY (agreement_id, sdg)
);

CREATE TABLE agreement_fundings (
    agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('EU', 'NATIONAL', 'REGIONAL', 'PRIVATE', 'OTHER', 'OWN')),
    programme    TEXT,
    -- A decimal string, kept exact (never floating point).
    amount       TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    PRIMARY KEY (agreement_id, position)
);

CREATE TABLE exceptions (
    id                     TEXT PRIMARY KEY,
    agreement_id           TEXT NOT NULL REFERENCES agreements (id),
    partner_id             TEXT NOT NULL REFERENCES partners (id),
    unit_code              TEXT NOT NULL REFERENCES units (code),
    justification          TEXT NOT NULL,
    case_number            TEXT NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('REQUESTED', 'GRANTED', 'DENIED', 'WITHDRAWN', 'REVOKED')),
    requested_by           TEXT NOT NULL,
    withdrawn_at           TIMESTAMP,
    decision               TEXT CHECK (decision IN ('GRANTED', 'DENIED')),
    deciding_body          TEXT CHECK (deciding_body IN ('KOMMUNSTYRELSEN', 'DELEGATE')),
    delegation_reference   TEXT,
    decided_at             DATE,
    protocol_paragraph     TEXT,
    conditions             TEXT,
    valid_from             DATE,
    valid_until            DATE,
    decided_by             TEXT,
    decision_recorded_at   TIMESTAMP,
    revocation_deciding_body        TEXT CHECK (revocation_deciding_body IN ('KOMMUNSTYRELSEN', 'DELEGATE')),
    revocation_delegation_reference TEXT,
    revocation_decided_at           DATE,
    revocation_protocol_paragraph   TEXT,
    revocation_reason               TEXT,
    revoked_by                      TEXT,
    revocation_recorded_at          TIMESTAMP,
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until)
);
CREATE INDEX exceptions_partner ON exceptions (partner_id, agreement_id);
CREATE INDEX exceptions_agreement ON exceptions (agreement_id);
CREATE INDEX exceptions_created_at ON exceptions (created_at, id);
CREATE INDEX exceptions_status ON exceptions (status);
