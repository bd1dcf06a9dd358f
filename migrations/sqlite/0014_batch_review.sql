-- Pre-review of developers' batches (issue 7): each submitted line is a
-- case of its own, linked to its batch (the workbench shows the batch as one
-- case until its lines are passed); who reviewed a batch, and when.
ALTER TABLE applications ADD COLUMN filing_batch_id TEXT REFERENCES filing_batches (id);
CREATE INDEX applications_filing_batch ON applications (filing_batch_id);
ALTER TABLE filing_batches ADD COLUMN reviewed_by TEXT REFERENCES staff (id);
ALTER TABLE filing_batches ADD COLUMN reviewed_at BIGINT;

-- Tokens of the batch API (issue 7): made and revoked by an organisation's
-- administrator, shown once, stored as SHA-256 only.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES org_members (id),
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_tokens_org ON api_tokens (org_id, created_at);

-- The Idempotency-Key of an API upload: the same key answers the same upload.
ALTER TABLE filing_uploads ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX filing_uploads_idempotency ON filing_uploads (org_id, idempotency_key);
