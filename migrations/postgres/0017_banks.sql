-- Banks (issue 15): an organisation is a developer (bulk filings) or a bank
-- (the mortgagee on citizens' applications). A verified organisation named
-- on an application by its Unified Social Credit Code confirms it through
-- its own account: channel 'org', the member who pressed it as the actor.
ALTER TABLE orgs ADD COLUMN kind TEXT NOT NULL DEFAULT 'developer' CHECK (kind IN ('developer', 'bank'));

ALTER TABLE party_confirmations DROP CONSTRAINT party_confirmations_channel_check;
ALTER TABLE party_confirmations ADD CONSTRAINT party_confirmations_channel_check
    CHECK (channel IN ('online', 'window', 'filing', 'org'));

-- The applications naming an organisation, found by its code.
CREATE INDEX application_parties_org ON application_parties (id_number) WHERE id_type = 'organisation';

-- Texts to one person within a minute go as one (the worker looks up what
-- else waits for the same recipient).
CREATE INDEX outbox_recipient ON outbox (recipient, status, created_at);
