-- Derived images: one small preview (a thumbnail of an image, the first page
-- of a PDF) per stored content, made in the background. Keyed by the source's
-- SHA-256, like the store, so identical files are previewed once.
CREATE TABLE previews (
    sha256          TEXT PRIMARY KEY,
    mime            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'unsupported', 'failed')),
    thumb_sha256    TEXT,
    width           BIGINT,
    height          BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX previews_due ON previews (state, next_attempt_at);
CREATE INDEX previews_thumb ON previews (thumb_sha256);

-- Contents that may no longer be referenced, to be deleted from the store at
-- `due_at` if by then no document and no preview uses them. Deleting a
-- document only adds a row here; an upload or a preview about to put the same
-- content moves `due_at` an hour ahead first, so the collector (a conditional
-- delete of this row, then the unlink, in one transaction) can never remove a
-- file that a document is about to point at.
CREATE TABLE content_gc (
    sha256  TEXT PRIMARY KEY,
    due_at  BIGINT NOT NULL
);
CREATE INDEX content_gc_due ON content_gc (due_at);
