-- Re-filing a returned unit keeps the return (issue 16): the returned line
-- stays in its batch with its reason; the new filing is a new line. So a
-- unit and contract are unique among the lines still live (pending or
-- passed) only. SQLite cannot drop a table's UNIQUE: the table is rebuilt.
CREATE TABLE filing_lines_new (
    id              TEXT PRIMARY KEY,
    batch_id        TEXT NOT NULL REFERENCES filing_batches (id),
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    kind            TEXT NOT NULL,
    unit_no         TEXT NOT NULL,
    contract_no     TEXT NOT NULL,
    buyer_id_last6  TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'returned')),
    review_note     TEXT NOT NULL DEFAULT '',
    application_id  TEXT REFERENCES applications (id),
    line_in_file    INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
INSERT INTO filing_lines_new SELECT id, batch_id, org_id, kind, unit_no, contract_no, buyer_id_last6, data,
    status, review_note, application_id, line_in_file, created_at, updated_at FROM filing_lines;
DROP TABLE filing_lines;
ALTER TABLE filing_lines_new RENAME TO filing_lines;
CREATE INDEX filing_lines_batch ON filing_lines (batch_id, unit_no);
CREATE INDEX filing_lines_unit ON filing_lines (unit_no, kind);
CREATE UNIQUE INDEX filing_lines_live ON filing_lines (org_id, unit_no, kind, contract_no)
    WHERE status <> 'returned';
