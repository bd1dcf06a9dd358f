-- Banks (issue 15): an organisation is a developer (bulk filings) or a bank
-- (the mortgagee on citizens' applications). A verified organisation named
-- on an application by its Unified Social Credit Code confirms it through
-- its own account: channel 'org', the member who pressed it as the actor.
ALTER TABLE orgs ADD COLUMN kind TEXT NOT NULL DEFAULT 'developer' CHECK (kind IN ('developer', 'bank'));

-- SQLite cannot alter a CHECK: the table is rebuilt.
CREATE TABLE party_confirmations_new (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    party_idx       INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'objected')),
    content_hash    TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('online', 'window', 'filing', 'org')),
    actor_id        TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
INSERT INTO party_confirmations_new (id, application_id, party_idx, kind, content_hash, channel, actor_id, note, at)
    SELECT id, application_id, party_idx, kind, content_hash, channel, actor_id, note, at FROM party_confirmations;
DROP TABLE party_confirmations;
ALTER TABLE party_confirmations_new RENAME TO party_confirmations;
CREATE UNIQUE INDEX party_confirmations_once ON party_confirmations (application_id, party_idx, content_hash)
    WHERE kind = 'confirmed';
CREATE INDEX party_confirmations_case ON party_confirmations (application_id, at);

-- The applications naming an organisation, found by its code.
CREATE INDEX application_parties_org ON application_parties (id_number) WHERE id_type = 'organisation';

-- Texts to one person within a minute go as one (the worker looks up what
-- else waits for the same recipient).
CREATE INDEX outbox_recipient ON outbox (recipient, status, created_at);
