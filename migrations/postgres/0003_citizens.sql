-- Citizens, sign-in codes, sessions, rate-limit hits, the notifications
-- outbox, and pre-applications with their parties and timeline.
-- Identical on SQLite and PostgreSQL: text keys (random, unguessable), times
-- as BIGINT Unix ms UTC, enumerations as TEXT with a CHECK.

-- A citizen is known by a verified mobile number, nothing more.
CREATE TABLE citizens (
    id          TEXT PRIMARY KEY,
    mobile      TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    last_sign_in_at BIGINT NOT NULL
);

-- One row per code sent. `id` is the public challenge token carried by the
-- verify page; the code itself is stored only as a keyed hash.
CREATE TABLE signin_codes (
    id          TEXT PRIMARY KEY,
    mobile      TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    used_at     BIGINT
);
CREATE INDEX signin_codes_mobile ON signin_codes (mobile, created_at);

-- Server-side sessions (shared by every replica). The cookie carries a
-- random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    citizen_id    TEXT NOT NULL REFERENCES citizens (id),
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_citizen ON sessions (citizen_id);

-- Fixed-window counters for rate limits, shared by every replica: one row
-- per hit, keyed by a bucket such as 'code:mobile:<hash>' or 'track:ip:<hash>'.
CREATE TABLE rate_hits (
    bucket  TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX rate_hits_bucket ON rate_hits (bucket, at);

-- The notifications outbox: written in the same transaction as the event
-- that causes the message, delivered by the background worker.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient        TEXT NOT NULL,
    template         TEXT NOT NULL,
    params           TEXT NOT NULL,
    lang             TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    sender           TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Pre-applications. While `status = 'draft'` the wizard's answers live in
-- `draft` (JSON, saved on every step); submitting freezes them, assigns the
-- receipt number and writes the parties below.
CREATE TABLE applications (
    id            TEXT PRIMARY KEY,
    filer_id      TEXT NOT NULL REFERENCES citizens (id),
    matter_code   TEXT NOT NULL REFERENCES matters (code),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'withdrawn')),
    receipt_no    TEXT UNIQUE,
    draft         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    submitted_at  BIGINT,
    CHECK ((status = 'draft') = (receipt_no IS NULL))
);
CREATE INDEX applications_filer ON applications (filer_id, updated_at);

-- Everyone named on a submitted application. `mobile` lets a named party who
-- signs in see the application; `id_last6` answers the public lookup.
CREATE TABLE application_parties (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    idx             BIGINT NOT NULL,
    role            TEXT NOT NULL,
    name            TEXT NOT NULL,
    id_type         TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    id_last6        TEXT NOT NULL,
    mobile          TEXT NOT NULL,
    share           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, idx)
);
CREATE INDEX application_parties_mobile ON application_parties (mobile);

-- The timeline every party (and the public lookup) sees.
CREATE TABLE application_events (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    seq             BIGINT NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('submitted', 'withdrawn')),
    PRIMARY KEY (application_id, seq)
);
