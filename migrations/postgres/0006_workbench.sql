-- Staff accounts, the case lifecycle, correction notices and the audit trail.

-- Registration-centre staff. `role` decides what they may do, `staff_sites`
-- where. Passwords are argon2id PHC strings; after 5 failures in a row the
-- account is locked for 15 minutes.
CREATE TABLE staff (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('clerk', 'reviewer', 'supervisor', 'admin')),
    active         BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE staff_sites (
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    site_code  TEXT NOT NULL REFERENCES sites (code),
    PRIMARY KEY (staff_id, site_code)
);

-- Staff sessions, apart from citizens' (another cookie, shorter idle time).
CREATE TABLE staff_sessions (
    token_hash    TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff (id),
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- The case lifecycle on the application row. `stage` is meaningful once
-- submitted; `version` grows with every change (optimistic concurrency:
-- an action names the version its page showed); `assigned_to` is the
-- clerk working the case (taken by a conditional update, so one wins).
ALTER TABLE applications ADD COLUMN stage TEXT NOT NULL DEFAULT 'none'
    CHECK (stage IN ('none', 'pre_review', 'returned', 'pre_accepted', 'rejected', 'accepted',
                     'review', 'register', 'certificate', 'fee_paid', 'issued', 'archived'));
ALTER TABLE applications ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN site_code TEXT NOT NULL DEFAULT 'MAIN';
ALTER TABLE applications ADD COLUMN assigned_to TEXT REFERENCES staff (id);
ALTER TABLE applications ADD COLUMN case_no TEXT;
ALTER TABLE applications ADD COLUMN accepted_at BIGINT;
-- The statutory deadline (YYYY-MM-DD, China time), set at acceptance.
ALTER TABLE applications ADD COLUMN due_on TEXT;
ALTER TABLE applications ADD COLUMN priority BIGINT NOT NULL DEFAULT 0 CHECK (priority IN (0, 1));
CREATE UNIQUE INDEX applications_case_no ON applications (case_no);
CREATE INDEX applications_queue ON applications (stage, site_code, due_on);
UPDATE applications SET stage = 'pre_review' WHERE status = 'submitted';

-- A one-time correction notice (一次性补正告知): every item to fix, at once.
-- `snapshot` is the documents of the named items when the notice was made
-- (JSON), so the clerk later sees exactly what changed.
CREATE TABLE notices (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    created_at      BIGINT NOT NULL,
    answered_at     BIGINT,
    snapshot        TEXT NOT NULL
);
CREATE INDEX notices_application ON notices (application_id, created_at);

CREATE TABLE notice_items (
    notice_id  TEXT NOT NULL REFERENCES notices (id),
    material   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (notice_id, material)
);

-- Append-only audit trail, hash-chained: `hash` = SHA-256 over the previous
-- row's hash and this row's fields, so an edited or deleted row breaks the
-- chain. Appends are serialised (one writer on SQLite, an advisory lock on
-- PostgreSQL).
CREATE TABLE audit (
    seq             BIGINT PRIMARY KEY,
    at              BIGINT NOT NULL,
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    action          TEXT NOT NULL,
    application_id  TEXT,
    before_state    TEXT NOT NULL DEFAULT '',
    after_state     TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_application ON audit (application_id, seq);

-- The citizen's timeline learns the lifecycle's events.
ALTER TABLE application_events DROP CONSTRAINT application_events_kind_check;
ALTER TABLE application_events ADD CONSTRAINT application_events_kind_check
    CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                    'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                    'fee_paid', 'issued', 'archived', 'sent_back'));
ALTER TABLE application_events ADD COLUMN note TEXT NOT NULL DEFAULT '';
