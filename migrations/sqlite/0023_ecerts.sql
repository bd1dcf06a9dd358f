-- Electronic certificates and proofs (issue 19): made when a case is issued,
-- in the same transaction. The statement (canonical JSON) is what the
-- centre's seal signs; the PDF is drawn from it once, kept in the document
-- store, and found again by its SHA-256 when someone checks a file. A later
-- document of the same kind on the same unit supersedes the earlier one.
CREATE TABLE ecerts (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    kind            TEXT NOT NULL CHECK (kind IN ('certificate', 'proof')),
    number          TEXT NOT NULL UNIQUE,
    unit_number     TEXT NOT NULL,
    statement       TEXT NOT NULL,
    signature       TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'superseded', 'revoked')),
    superseded_by   TEXT REFERENCES ecerts (id),
    reason          TEXT NOT NULL DEFAULT '',
    pdf_sha256      TEXT UNIQUE,
    issued_at       BIGINT NOT NULL,
    changed_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX ecerts_application_kind ON ecerts (application_id, kind);
CREATE INDEX ecerts_unit ON ecerts (unit_number, kind, status);

-- Certificate numbers: a serial per year and kind (浙(2026)明州市不动产权第0000001号).
CREATE TABLE ecert_serials (
    year  INTEGER NOT NULL,
    kind  TEXT NOT NULL,
    last  BIGINT NOT NULL,
    PRIMARY KEY (year, kind)
);
