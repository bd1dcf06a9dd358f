-- Tolerated deficiencies (容缺受理): materials a case was accepted without,
-- which the applicant promised to bring. A case with any not yet received
-- cannot be issued.
CREATE TABLE owed_materials (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    material        TEXT NOT NULL,
    promised_at     BIGINT NOT NULL,
    received_at     BIGINT,
    received_by     TEXT REFERENCES staff (id),
    PRIMARY KEY (application_id, material)
);

-- The timeline records an owed material received (the table, which nothing
-- references, is rebuilt: SQLite cannot alter a CHECK).
CREATE TABLE application_events_new (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    seq             INTEGER NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                        'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                        'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received')),
    note            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, seq)
);
INSERT INTO application_events_new (application_id, seq, at, kind, note)
    SELECT application_id, seq, at, kind, note FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_new RENAME TO application_events;
