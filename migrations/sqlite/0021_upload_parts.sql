-- Resumable uploads on a cluster (issue 18): when documents live in an object
-- store, each PATCH of a tus upload is stored there as one part, so a transfer
-- begun on one replica continues on any other. A part counts once its row is
-- here; the primary key lets exactly one of two racing PATCHes at the same
-- offset win. The upload's offset is the sum of its parts' sizes.
CREATE TABLE upload_parts (
    upload_id   TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    start_at    BIGINT NOT NULL CHECK (start_at >= 0),
    size        BIGINT NOT NULL CHECK (size > 0),
    object_key  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (upload_id, start_at)
);
