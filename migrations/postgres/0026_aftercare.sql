-- After issue (issue 19): the paper certificate collected at the window or
-- posted by EMS (tracking number, delivered), and the utilities asked to
-- move to the new owner (登记+X). The utility requests are their own outbox:
-- the utilities worker sends each queued one, retried with back-off.
CREATE TABLE deliveries (
    application_id  TEXT PRIMARY KEY REFERENCES applications (id),
    method          TEXT NOT NULL CHECK (method IN ('window', 'post')),
    recipient       TEXT NOT NULL DEFAULT '',
    mobile          TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    tracking_no     TEXT,
    status          TEXT NOT NULL CHECK (status IN ('chosen', 'posted', 'delivered')),
    posted_at       BIGINT,
    delivered_at    BIGINT,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE utility_requests (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    utility         TEXT NOT NULL CHECK (utility IN ('water', 'power', 'gas', 'broadband')),
    account_no      TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('queued', 'accepted', 'done', 'rejected', 'failed')),
    reference       TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (application_id, utility)
);
CREATE INDEX utility_requests_due ON utility_requests (status, next_attempt_at);
