-- Developer organisations (issue 7): the organisation (by its Unified Social
-- Credit Code), verified by a centre administrator; its members (admin or
-- filer), invited by SMS link, signed in by password + one-time code; their
-- sessions; projects → buildings → units (the 楼盘表); batches of filings,
-- one line per unit, and the spreadsheet uploads that fill them, checked in
-- the background.

CREATE TABLE orgs (
    id              TEXT PRIMARY KEY,
    credit_code     TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    contact_name    TEXT NOT NULL,
    contact_mobile  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected')),
    decided_by      TEXT REFERENCES staff (id),
    decided_at      BIGINT,
    reject_reason   TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX orgs_status ON orgs (status, created_at);

-- A mobile number belongs to at most one organisation: it is the sign-in name.
CREATE TABLE org_members (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs (id),
    mobile            TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('admin', 'filer')),
    password_hash     TEXT,
    invite_hash       TEXT UNIQUE,
    invite_expires_at BIGINT,
    active            BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_logins     BIGINT NOT NULL DEFAULT 0,
    locked_until      BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    CHECK (password_hash IS NOT NULL OR invite_hash IS NOT NULL)
);
CREATE INDEX org_members_org ON org_members (org_id);

-- Password checked, code sent: the second step of a member's sign-in.
CREATE TABLE org_challenges (
    id          TEXT PRIMARY KEY,
    member_id   TEXT NOT NULL REFERENCES org_members (id),
    code_hash   TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    used_at     BIGINT
);

CREATE TABLE org_sessions (
    token_hash    TEXT PRIMARY KEY,
    member_id     TEXT NOT NULL REFERENCES org_members (id),
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX org_sessions_member ON org_sessions (member_id);

CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    name        TEXT NOT NULL,
    site_code   TEXT NOT NULL REFERENCES sites (code),
    address     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE buildings (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id),
    name        TEXT NOT NULL,
    UNIQUE (project_id, name)
);

-- A unit number (不动产单元号) is unique in the whole register.
CREATE TABLE units (
    unit_no      TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id),
    building_id  TEXT NOT NULL REFERENCES buildings (id),
    floor        BIGINT NOT NULL,
    area_centi   BIGINT NOT NULL CHECK (area_centi > 0),
    use_kind     TEXT NOT NULL
);
CREATE INDEX units_project ON units (project_id, building_id, unit_no);

CREATE TABLE filing_batches (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    project_id      TEXT NOT NULL REFERENCES projects (id),
    kind            TEXT NOT NULL CHECK (kind IN ('dual_notice', 'notice', 'conversion', 'first_registration')),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'reviewed')),
    batch_no        TEXT NOT NULL UNIQUE,
    created_by      TEXT NOT NULL REFERENCES org_members (id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    submitted_at    BIGINT,
    idempotency_key TEXT,
    UNIQUE (org_id, idempotency_key)
);
CREATE INDEX filing_batches_org ON filing_batches (org_id, created_at);
CREATE INDEX filing_batches_status ON filing_batches (status, submitted_at);

-- One line per unit. The natural key (organisation + unit + matter +
-- contract number) is unique: filing the same row again amends it (while its
-- batch is a draft) and never makes a second one.
CREATE TABLE filing_lines (
    id              TEXT PRIMARY KEY,
    batch_id        TEXT NOT NULL REFERENCES filing_batches (id),
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    kind            TEXT NOT NULL,
    unit_no         TEXT NOT NULL,
    contract_no     TEXT NOT NULL,
    buyer_id_last6  TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'returned')),
    review_note     TEXT NOT NULL DEFAULT '',
    application_id  TEXT REFERENCES applications (id),
    line_in_file    BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (org_id, unit_no, kind, contract_no)
);
CREATE INDEX filing_lines_batch ON filing_lines (batch_id, unit_no);
CREATE INDEX filing_lines_unit ON filing_lines (unit_no, kind);

-- A spreadsheet taken in for a batch (or a project's unit list). The file is
-- kept until it has been checked, so a restart loses nothing: the worker
-- takes any upload whose lease ran out.
CREATE TABLE filing_uploads (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    batch_id      TEXT REFERENCES filing_batches (id),
    project_id    TEXT NOT NULL REFERENCES projects (id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('batch', 'units')),
    file_name     TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
    content       BYTEA,
    status        TEXT NOT NULL CHECK (status IN ('checking', 'done')),
    total_rows    BIGINT NOT NULL,
    checked_rows  BIGINT NOT NULL DEFAULT 0,
    accepted_rows BIGINT NOT NULL DEFAULT 0,
    failed_rows   BIGINT NOT NULL DEFAULT 0,
    lease_until   BIGINT NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL REFERENCES org_members (id),
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX filing_uploads_work ON filing_uploads (status, lease_until);
CREATE INDEX filing_uploads_batch ON filing_uploads (batch_id, created_at);

-- The failing rows of an upload, with their cells as given (for the error
-- report) and the errors per cell.
CREATE TABLE filing_upload_errors (
    upload_id  TEXT NOT NULL REFERENCES filing_uploads (id),
    line       BIGINT NOT NULL,
    cells      TEXT NOT NULL,
    errors     TEXT NOT NULL,
    PRIMARY KEY (upload_id, line)
);
