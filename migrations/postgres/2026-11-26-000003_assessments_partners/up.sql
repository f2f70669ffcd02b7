-- Issue 3: partners, their contacts (personal data), imported indicators and assessments.

CREATE TABLE partners (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('CITY', 'REGION', 'AUTHORITY', 'UNIVERSITY', 'ORGANISATION', 'COMPANY', 'NETWORK', 'OTHER')),
    country_code        TEXT NOT NULL REFERENCES countries (code),
    city                TEXT,
    eu_pic              TEXT,
    organisation_number TEXT,
    website             TEXT,
    archived            BOOLEAN NOT NULL DEFAULT FALSE,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX partners_created_at ON partners (created_at, id);
CREATE INDEX partners_country_code ON partners (country_code, created_at);

-- Personal data: rows are erased (not archived) on request or at retention_until.
CREATE TABLE contacts (
    id              TEXT PRIMARY KEY,
    partner_id      TEXT NOT NULL REFERENCES partners (id),
    name            TEXT NOT NULL,
    role            TEXT,
    email           TEXT,
    phone           TEXT,
    retention_until DATE NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX contacts_partner ON contacts (partner_id, created_at, id);
CREATE INDEX contacts_retention_until ON contacts (retention_until);

-- Every imported value is kept; the latest per country, source and metric is the newest import.
CREATE TABLE indicators (
    id           TEXT PRIMARY KEY,
    import_id    TEXT NOT NULL,
    country_code TEXT NOT NULL REFERENCES countries (code),
    source       TEXT NOT NULL CHECK (source IN ('FREEDOM_HOUSE', 'VDEM', 'EIU', 'WJP', 'WGI', 'OHCHR', 'UD_MR')),
    edition      TEXT NOT NULL,
    metric       TEXT NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    category     TEXT,
    url          TEXT,
    imported_at  TIMESTAMP NOT NULL,
    imported_by  TEXT NOT NULL
);
CREATE INDEX indicators_latest ON indicators (country_code, source, metric, imported_at, id);

-- subject_key is 'country:XX' or 'partner:<id>': one column to find a subject's history by.
-- published_at/superseded_at let the eligibility engine ask what was published at a past instant.
CREATE TABLE assessments (
    id                     TEXT PRIMARY KEY,
    subject_key            TEXT NOT NULL,
    country_code           TEXT NOT NULL REFERENCES countries (code),
    partner_id             TEXT REFERENCES partners (id),
    human_rights           TEXT NOT NULL CHECK (human_rights IN ('MEETS', 'DOES_NOT_MEET', 'UNCERTAIN')),
    human_rights_rationale TEXT NOT NULL,
    democracy              TEXT NOT NULL CHECK (democracy IN ('MEETS', 'DOES_NOT_MEET', 'UNCERTAIN')),
    democracy_rationale    TEXT NOT NULL,
    rule_of_law            TEXT NOT NULL CHECK (rule_of_law IN ('MEETS', 'DOES_NOT_MEET', 'UNCERTAIN')),
    rule_of_law_rationale  TEXT NOT NULL,
    indicators             TEXT NOT NULL,
    assessed_at            DATE NOT NULL,
    valid_until            DATE NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('DRAFT', 'PUBLISHED', 'SUPERSEDED')),
    drafted_by             TEXT NOT NULL,
    published_at           TIMESTAMP,
    published_by           TEXT,
    superseded_at          TIMESTAMP,
    superseded_by          TEXT REFERENCES assessments (id),
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    CHECK (assessed_at <= valid_until),
    CHECK ((status = 'DRAFT') = (published_at IS NULL)),
    CHECK ((status = 'SUPERSEDED') = (superseded_at IS NOT NULL))
);
CREATE INDEX assessments_created_at ON assessments (created_at, id);
CREATE INDEX assessments_subject ON assessments (subject_key, published_at);
CREATE INDEX assessments_country ON assessments (country_code, created_at);
CREATE INDEX assessments_partner ON assessments (partner_id, created_at);
-- At most one published assessment per subject, so that two racing publishes cannot both win.
CREATE UNIQUE INDEX assessments_one_published ON assessments (subject_key) WHERE status = 'PUBLISHED';
