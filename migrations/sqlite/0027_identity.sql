-- Zero trips (issue 19): how sure the centre must be of who confirms a
-- matter online — 0 the SMS code only, 1 real-name verification (name and
-- ID number matched by the identity service), 2 face verification — kept
-- per matter with whether a visit is needed; the matters done without a
-- visit start at face verification.
ALTER TABLE matters ADD COLUMN identity_level BIGINT NOT NULL DEFAULT 0;
UPDATE matters SET identity_level = 2 WHERE visit_required = 0;

-- Each verification a citizen went through for a party of an application
-- (the party's name and ID number are sent to the identity service; only a
-- keyed hash of the ID number is kept here).
CREATE TABLE identity_checks (
    id              TEXT PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES citizens (id),
    application_id  TEXT NOT NULL REFERENCES applications (id),
    party_idx       BIGINT NOT NULL,
    id_hash         TEXT NOT NULL,
    level           BIGINT NOT NULL CHECK (level IN (1, 2)),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed')),
    method          TEXT NOT NULL DEFAULT '',
    provider_ref    TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    done_at         BIGINT
);
CREATE INDEX identity_checks_citizen ON identity_checks (citizen_id, id_hash, status);

-- A confirmation is an electronic signature: who was verified how, and the
-- hash of the application form they signed (content_hash).
ALTER TABLE party_confirmations ADD COLUMN identity_level BIGINT NOT NULL DEFAULT 0;
ALTER TABLE party_confirmations ADD COLUMN identity_method TEXT NOT NULL DEFAULT '';
ALTER TABLE party_confirmations ADD COLUMN identity_check TEXT;
