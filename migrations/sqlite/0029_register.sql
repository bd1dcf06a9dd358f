-- An identity check may now be made outside an application (to see one's
-- own register): application_id becomes optional. SQLite cannot drop NOT
-- NULL in place, so the table is rebuilt with its rows.
CREATE TABLE identity_checks_new (
    id              TEXT PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES citizens (id),
    application_id  TEXT REFERENCES applications (id),
    party_idx       BIGINT NOT NULL,
    id_hash         TEXT NOT NULL,
    level           BIGINT NOT NULL CHECK (level IN (1, 2)),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed')),
    method          TEXT NOT NULL DEFAULT '',
    provider_ref    TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    done_at         BIGINT
);
INSERT INTO identity_checks_new SELECT id, citizen_id, application_id, party_idx, id_hash, level, status, method, provider_ref, created_at, done_at FROM identity_checks;
DROP TABLE identity_checks;
ALTER TABLE identity_checks_new RENAME TO identity_checks;
CREATE INDEX identity_checks_citizen ON identity_checks (citizen_id, id_hash, status);

-- The register (不动产登记簿, issue 20): units, the rights and restrictions
-- registered on them with who holds them, each entry current until a later
-- registration ends it (valid_to) and never erased; every entry names the
-- case that made it and the case that ended it (or the import it came from).

CREATE TABLE reg_units (
    unit_number   TEXT PRIMARY KEY,
    address       TEXT NOT NULL,
    area          TEXT NOT NULL DEFAULT '',
    usage         TEXT NOT NULL DEFAULT '',
    project       TEXT NOT NULL DEFAULT '',
    building      TEXT NOT NULL DEFAULT '',
    made_by_case  TEXT REFERENCES applications (id),
    import_id     TEXT,
    -- The import's content for this unit (a second import of the same
    -- content changes nothing; different content is refused).
    fingerprint   TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX reg_units_project ON reg_units (project, building);

CREATE TABLE reg_rights (
    id              TEXT PRIMARY KEY,
    unit_number     TEXT NOT NULL REFERENCES reg_units (unit_number),
    kind            TEXT NOT NULL CHECK (kind IN ('ownership', 'mortgage', 'notice', 'mortgage_notice', 'seizure', 'objection')),
    certificate_no  TEXT NOT NULL DEFAULT '',
    amount_fen      BIGINT,
    -- The other side, in words (the mortgagors of a mortgage, the obligor
    -- of a notice), and a note (the court of a seizure, an objection's ground).
    obligors        TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    valid_from      BIGINT NOT NULL,
    valid_to        BIGINT,
    made_by_case    TEXT REFERENCES applications (id),
    ended_by_case   TEXT REFERENCES applications (id),
    import_id       TEXT,
    entered_at      BIGINT NOT NULL
);
CREATE INDEX reg_rights_unit ON reg_rights (unit_number, valid_to);
CREATE INDEX reg_rights_certificate ON reg_rights (certificate_no);
CREATE INDEX reg_rights_case ON reg_rights (made_by_case);

-- Who holds a right: a person or organisation, its ID number (and a keyed
-- hash of it, to find an owner's units from a verified identity), and the
-- share (percent; '' for a sole or joint holder).
CREATE TABLE reg_holders (
    right_id   TEXT NOT NULL REFERENCES reg_rights (id),
    position   BIGINT NOT NULL,
    name       TEXT NOT NULL,
    id_number  TEXT NOT NULL,
    id_hash    TEXT NOT NULL,
    share      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (right_id, position)
);
CREATE INDEX reg_holders_hash ON reg_holders (id_hash);
CREATE INDEX reg_holders_id ON reg_holders (id_number);

-- Each import of a centre's export, once per file content.
CREATE TABLE reg_imports (
    id           TEXT PRIMARY KEY,
    sha256       TEXT NOT NULL UNIQUE,
    file_name    TEXT NOT NULL,
    rows_read    BIGINT NOT NULL,
    units_new    BIGINT NOT NULL,
    units_same   BIGINT NOT NULL,
    rights_new   BIGINT NOT NULL,
    imported_at  BIGINT NOT NULL
);

-- Proofs of registration (不动产登记信息查询结果): what the register held
-- for a verified owner when they asked, sealed like the certificates.
CREATE TABLE register_proofs (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    citizen_id  TEXT NOT NULL REFERENCES citizens (id),
    statement   TEXT NOT NULL,
    signature   TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    issued_at   BIGINT NOT NULL
);
CREATE INDEX register_proofs_citizen ON register_proofs (citizen_id, issued_at);

-- An identity check made to see one's register belongs to no application:
-- the name and number typed are kept with it (sent to the identity service
-- when the citizen goes there) and cleared once it is answered.
CREATE TABLE identity_subjects (
    check_id   TEXT PRIMARY KEY REFERENCES identity_checks (id),
    name       TEXT NOT NULL,
    id_type    TEXT NOT NULL,
    id_number  TEXT NOT NULL
);
