-- Appointments, the rest: consultations without a case (a booking with no
-- application, at a site's `consult` windows), walk-ins into free capacity,
-- reminders the day before and two hours before (each sent once: the
-- column is set by the conditional update that enqueues it), the language
-- the holder booked in, home visits (上门服务), and the site details an
-- administrator edits (a map link).
-- (SQLite cannot alter a CHECK or a NOT NULL: the tables concerned, which
-- nothing references, are rebuilt.)
CREATE TABLE site_services_new (
    site_code     TEXT NOT NULL REFERENCES sites (code),
    matter_group  TEXT NOT NULL CHECK (matter_group IN ('general', 'mortgage', 'consult')),
    windows       INTEGER NOT NULL CHECK (windows BETWEEN 1 AND 50),
    slot_minutes  INTEGER NOT NULL CHECK (slot_minutes IN (10, 15, 20, 30, 45, 60)),
    PRIMARY KEY (site_code, matter_group)
);
INSERT INTO site_services_new SELECT site_code, matter_group, windows, slot_minutes FROM site_services;
DROP TABLE site_services;
ALTER TABLE site_services_new RENAME TO site_services;
INSERT INTO site_services (site_code, matter_group, windows, slot_minutes)
    SELECT code, 'consult', CASE kind WHEN 'main' THEN 2 ELSE 1 END, 30 FROM sites;

ALTER TABLE sites ADD COLUMN map_url TEXT NOT NULL DEFAULT '';

CREATE TABLE bookings_new (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    application_id  TEXT REFERENCES applications (id),
    citizen_id      TEXT NOT NULL REFERENCES citizens (id),
    site_code       TEXT NOT NULL REFERENCES sites (code),
    matter_group    TEXT NOT NULL,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    seat            INTEGER NOT NULL CHECK (seat >= 1),
    status          TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'arrived', 'no_show')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    topic           TEXT,
    walk_in         INTEGER NOT NULL DEFAULT 0 CHECK (walk_in IN (0, 1)),
    lang            TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
    reminded_day_at BIGINT,
    reminded_soon_at BIGINT,
    CONSTRAINT bookings_case_or_topic CHECK (application_id IS NOT NULL OR topic IS NOT NULL)
);
INSERT INTO bookings_new (id, code, application_id, citizen_id, site_code, matter_group, starts_at,
                          ends_at, seat, status, created_at, updated_at)
    SELECT id, code, application_id, citizen_id, site_code, matter_group, starts_at,
           ends_at, seat, status, created_at, updated_at FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_new RENAME TO bookings;
CREATE UNIQUE INDEX bookings_live_seat ON bookings (site_code, matter_group, starts_at, seat)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX bookings_live_case ON bookings (application_id) WHERE status = 'booked';
CREATE INDEX bookings_day ON bookings (site_code, starts_at);
CREATE INDEX bookings_citizen ON bookings (citizen_id, starts_at);
CREATE INDEX bookings_upcoming ON bookings (status, starts_at);

-- Home visits: an applicant who cannot come (aged 80+, illness,
-- disability: self-declared with a note) asks for a visit on preferred
-- dates; a clerk or supervisor of the case's site schedules it for a clerk,
-- and it appears in that clerk's day plan. A case has at most one open
-- request; a clerk is never scheduled twice at the same start.
CREATE TABLE home_visits (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    citizen_id      TEXT NOT NULL REFERENCES citizens (id),
    site_code       TEXT NOT NULL REFERENCES sites (code),
    reason          TEXT NOT NULL CHECK (reason IN ('age', 'illness', 'disability')),
    note            TEXT NOT NULL,
    address         TEXT NOT NULL,
    preferred       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('requested', 'scheduled', 'done', 'cancelled')),
    clerk_id        TEXT REFERENCES staff (id),
    starts_at       BIGINT,
    lang            TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK (status <> 'scheduled' OR (clerk_id IS NOT NULL AND starts_at IS NOT NULL))
);
CREATE UNIQUE INDEX home_visits_open_case ON home_visits (application_id)
    WHERE status IN ('requested', 'scheduled');
CREATE UNIQUE INDEX home_visits_clerk_time ON home_visits (clerk_id, starts_at)
    WHERE status = 'scheduled';
CREATE INDEX home_visits_site ON home_visits (site_code, status);

CREATE TABLE application_events_new (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    seq             INTEGER NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                        'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                        'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received',
                        'paused', 'resumed', 'booked', 'booking_cancelled', 'booking_closed',
                        'walk_in', 'home_visit_requested', 'home_visit_scheduled',
                        'home_visit_cancelled')),
    note            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, seq)
);
INSERT INTO application_events_new (application_id, seq, at, kind, note)
    SELECT application_id, seq, at, kind, note FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_new RENAME TO application_events;
