-- Time limits in working minutes (the "60 minutes" promised for mortgages
-- and ordinary transfers). A minute limit runs only during a site's opening
-- periods on working days of the official calendar, so every site states
-- its hours on a working day (`HH:MM-HH:MM[,HH:MM-HH:MM]`, parsed by
-- domain::hours). A case under such a limit is due at an instant
-- (`due_at`, Unix ms); `due_on` keeps the China-time day of it for queues
-- and alerts.
ALTER TABLE sites ADD COLUMN work_hours TEXT NOT NULL DEFAULT '08:30-12:00,13:30-17:00';
UPDATE sites SET work_hours = '08:30-17:00' WHERE code IN ('MAIN', 'SUB-BG');

ALTER TABLE matters ADD COLUMN time_limit_minutes INTEGER
    CHECK (time_limit_minutes IS NULL OR time_limit_minutes BETWEEN 10 AND 1440);
UPDATE matters SET time_limit_minutes = 60
 WHERE code IN ('MORTGAGE-FIRST', 'MORTGAGE-CANCEL', 'RESALE-TRANSFER');

ALTER TABLE applications ADD COLUMN due_at BIGINT;

-- The statutory clock stops while a formal case waits on the applicant
-- (`paused_at` = since when; NULL = running). Resuming moves the deadline
-- on by the working time paused. The timeline records both (the events
-- table, which nothing references, is rebuilt: SQLite cannot alter a CHECK).
ALTER TABLE applications ADD COLUMN paused_at BIGINT;

CREATE TABLE application_events_new (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    seq             INTEGER NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                        'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                        'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received',
                        'paused', 'resumed', 'booked', 'booking_cancelled', 'booking_closed')),
    note            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, seq)
);
INSERT INTO application_events_new (application_id, seq, at, kind, note)
    SELECT application_id, seq, at, kind, note FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_new RENAME TO application_events;
