-- Documents attached to an application's checklist items, and the resumable
-- uploads that produce them. File contents live in the document store
-- (content-addressed by SHA-256); these rows say who may see what.

-- A transfer in progress (tus 1.0 core + creation). `id` is random and
-- appears in the upload URL; the bytes so far are in <data>/uploads/tmp/<id>.part.
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    citizen_id      TEXT NOT NULL REFERENCES citizens (id),
    material        TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    length          BIGINT NOT NULL CHECK (length > 0),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX uploads_application ON uploads (application_id);

CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    material        TEXT NOT NULL,
    position        BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL CHECK (size > 0),
    mime            TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'application/pdf')),
    display_name    TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX documents_application ON documents (application_id, material, position);
CREATE INDEX documents_sha256 ON documents (sha256);
