-- Appointments, the rest: consultations without a case (a booking with no
-- application, at a site's `consult` windows), walk-ins into free capacity,
-- reminders the day before and two hours before (each sent once: the
-- column is set by the conditional update that enqueues it), the language
-- the holder booked in, home visits (上门服务), and the site details an
-- administrator edits (a map link).
ALTER TABLE site_services DROP CONSTRAINT site_services_matter_group_check;
ALTER TABLE site_services ADD CONSTRAINT site_services_matter_group_check
    CHECK (matter_group IN ('general', 'mortgage', 'consult'));
INSERT INTO site_services (site_code, matter_group, windows, slot_minutes)
    SELECT code, 'consult', CASE kind WHEN 'main' THEN 2 ELSE 1 END, 30 FROM sites;

ALTER TABLE sites ADD COLUMN map_url TEXT NOT NULL DEFAULT '';

ALTER TABLE bookings ALTER COLUMN application_id DROP NOT NULL;
ALTER TABLE bookings ADD COLUMN topic TEXT;
ALTER TABLE bookings ADD COLUMN walk_in INTEGER NOT NULL DEFAULT 0 CHECK (walk_in IN (0, 1));
ALTER TABLE bookings ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en'));
ALTER TABLE bookings ADD COLUMN reminded_day_at BIGINT;
ALTER TABLE bookings ADD COLUMN reminded_soon_at BIGINT;
ALTER TABLE bookings ADD CONSTRAINT bookings_case_or_topic
    CHECK (application_id IS NOT NULL OR topic IS NOT NULL);
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

ALTER TABLE application_events DROP CONSTRAINT application_events_kind_check;
ALTER TABLE application_events ADD CONSTRAINT application_events_kind_check
    CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                    'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                    'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received',
                    'paused', 'resumed', 'booked', 'booking_cancelled', 'booking_closed',
                    'walk_in', 'home_visit_requested', 'home_visit_scheduled',
                    'home_visit_cancelled'));
