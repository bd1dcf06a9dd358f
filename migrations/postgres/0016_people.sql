-- One case, all its people (issue 15). See the SQLite twin for the rules.
CREATE TABLE case_visits (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    booking_id      TEXT REFERENCES bookings (id),
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    present         TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX case_visits_case ON case_visits (application_id, recorded_at);

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

ALTER TABLE citizens ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en'));

ALTER TABLE applications ADD COLUMN objected_at BIGINT;

ALTER TABLE application_events DROP CONSTRAINT application_events_kind_check;
ALTER TABLE application_events ADD CONSTRAINT application_events_kind_check
    CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                    'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                    'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received',
                    'paused', 'resumed', 'booked', 'booking_cancelled', 'booking_closed',
                    'walk_in', 'home_visit_requested', 'home_visit_scheduled',
                    'home_visit_cancelled', 'visit_recorded', 'confirmed', 'objected'));

ALTER TABLE staff_alerts DROP CONSTRAINT staff_alerts_kind_check;
ALTER TABLE staff_alerts ADD CONSTRAINT staff_alerts_kind_check
    CHECK (kind IN ('due_soon', 'overdue', 'objection'));

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
