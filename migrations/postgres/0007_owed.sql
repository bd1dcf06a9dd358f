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

-- The timeline records an owed material received.
ALTER TABLE application_events DROP CONSTRAINT application_events_kind_check;
ALTER TABLE application_events ADD CONSTRAINT application_events_kind_check
    CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                    'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                    'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received'));
