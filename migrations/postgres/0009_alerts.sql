-- Deadline alerts for staff (超时预警): written by the background job for
-- the assigned clerk and the site's supervisors when a case is due today or
-- on the next working day, or overdue. The UNIQUE constraint makes the job
-- idempotent: one alert per person, case, deadline and kind, however many
-- servers run it.
CREATE TABLE staff_alerts (
    id              TEXT PRIMARY KEY,
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    application_id  TEXT NOT NULL REFERENCES applications (id),
    kind            TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    due_on          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT,
    UNIQUE (staff_id, application_id, due_on, kind)
);
CREATE INDEX staff_alerts_unread ON staff_alerts (staff_id, read_at);
