-- What an upload carried (issue 16): the SHA-256 of its file, so the same
-- Idempotency-Key sent again with different rows is refused (409) rather
-- than answered with the first upload. Older uploads have none and are
-- taken as the same.
ALTER TABLE filing_uploads ADD COLUMN content_sha256 TEXT;
