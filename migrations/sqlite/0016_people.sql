-- One case, all its people (issue 15).
--
-- The visit. For matters that need one, formal acceptance requires that a
-- clerk of the case's site has recorded the applicants' visit since the case
-- was last pre-accepted, with the parties present ticked (`present`: the
-- comma-separated indices of application_parties). Recording it completes
-- the booking it came from (status 'arrived'); a walk-in has no booking.
CREATE TABLE case_visits (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    booking_id      TEXT REFERENCES bookings (id),
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    present         TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX case_visits_case ON case_visits (application_id, recorded_at);

-- Confirmations and objections of the named parties, append-only: who
-- (party index; the citizen or, at the window, the clerk who checked the ID),
-- what (the SHA-256 of the application's content as the person read it:
-- matter, property, parties, agent and every document's hash), when and by
-- which channel. A party counts as confirmed while their latest confirmation
-- names the current content; a changed application needs confirming again.
-- The partial unique index: one confirmation per person and content.
CREATE TABLE party_confirmations (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    party_idx       INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'objected')),
    content_hash    TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('online', 'window', 'filing')),
    actor_id        TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
CREATE UNIQUE INDEX party_confirmations_once ON party_confirmations (application_id, party_idx, content_hash)
    WHERE kind = 'confirmed';
CREATE INDEX party_confirmations_case ON party_confirmations (application_id, at);

-- The language a citizen last signed in with: messages to them (as a
-- named party, a booking holder, a filer) go in it.
ALTER TABLE citizens ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en'));

-- An objection by a named party stops the case: no pre-acceptance or
-- acceptance while it stands.
ALTER TABLE applications ADD COLUMN objected_at BIGINT;

-- New timeline events (SQLite cannot alter a CHECK: the table is rebuilt).
CREATE TABLE application_events_new (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    seq             INTEGER NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                        'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                        'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received',
                        'paused', 'resumed', 'booked', 'booking_cancelled', 'booking_closed',
                        'walk_in', 'home_visit_requested', 'home_visit_scheduled',
                        'home_visit_cancelled', 'visit_recorded', 'confirmed', 'objected')),
    note            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, seq)
);
INSERT INTO application_events_new (application_id, seq, at, kind, note)
    SELECT application_id, seq, at, kind, note FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_new RENAME TO application_events;

-- Objections alert the site's supervisors.
CREATE TABLE staff_alerts_new (
    id              TEXT PRIMARY KEY,
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    application_id  TEXT NOT NULL REFERENCES applications (id),
    kind            TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue', 'objection')),
    due_on          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT,
    UNIQUE (staff_id, application_id, due_on, kind)
);
INSERT INTO staff_alerts_new SELECT id, staff_id, application_id, kind, due_on, created_at, read_at FROM staff_alerts;
DROP TABLE staff_alerts;
ALTER TABLE staff_alerts_new RENAME TO staff_alerts;
CREATE INDEX staff_alerts_unread ON staff_alerts (staff_id, read_at);

-- Fees as data (issue 15): each simple matter's fee items in fen (分), as a
-- centre's administrator sets them; a matter without a row takes the
-- defaults of domain::fees (80 / 550 / 10 yuan; seizures and corrections
-- free). A combined matter costs the sum of its parts.
CREATE TABLE matter_fees (
    matter_code  TEXT NOT NULL REFERENCES matters (code) ON DELETE CASCADE,
    item         TEXT NOT NULL CHECK (item IN ('residential', 'non_residential', 'extra_certificate')),
    amount_fen   BIGINT NOT NULL CHECK (amount_fen >= 0 AND amount_fen <= 100000000),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (matter_code, item)
);

-- What was paid for a case, recorded by the clerk who marked it paid: the
-- property's use, the number of certificates, the lines (JSON, as the
-- applicant reads them), the total and how it was paid.
CREATE TABLE fee_payments (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    property_use    TEXT NOT NULL CHECK (property_use IN ('residential', 'non_residential')),
    certificates    INTEGER NOT NULL CHECK (certificates BETWEEN 1 AND 20),
    lines           TEXT NOT NULL,
    total_fen       BIGINT NOT NULL CHECK (total_fen >= 0),
    method          TEXT NOT NULL CHECK (method IN ('wechat', 'alipay', 'unionpay', 'card', 'cash', 'exempt')),
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    paid_at         BIGINT NOT NULL
);
CREATE INDEX fee_payments_case ON fee_payments (application_id, paid_at);
