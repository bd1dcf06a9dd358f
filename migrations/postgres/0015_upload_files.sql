-- The bytes of a developer's spreadsheet live in their own table until the
-- worker has checked it (issue 7). Kept on the upload's row, every progress
-- update rewrote the whole file (SQLite rewrites a row with its overflow
-- pages): 13 MB per step for a 100,000-row CSV.
CREATE TABLE filing_upload_files (
    upload_id  TEXT PRIMARY KEY REFERENCES filing_uploads (id),
    content    BYTEA NOT NULL
);
INSERT INTO filing_upload_files (upload_id, content)
    SELECT id, content FROM filing_uploads WHERE content IS NOT NULL;
ALTER TABLE filing_uploads DROP COLUMN content;
