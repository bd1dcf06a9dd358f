-- Fees paid online (issue 19): one live payment order per case, from the
-- catalogue's fee items. The order's id is what the payment channel knows
-- it by (out_trade_no); it moves open → paid (only on the channel's signed
-- callback or on the channel's own answer when asked) → refunding → refunded
-- when a paid case is withdrawn or refused; an open order is cancelled.
CREATE TABLE payment_orders (
    id                  TEXT PRIMARY KEY,
    application_id      TEXT NOT NULL REFERENCES applications (id),
    status              TEXT NOT NULL CHECK (status IN ('open', 'paid', 'refunding', 'refunded', 'cancelled')),
    property_use        TEXT NOT NULL CHECK (property_use IN ('residential', 'non_residential')),
    certificates        BIGINT NOT NULL CHECK (certificates BETWEEN 1 AND 20),
    lines               TEXT NOT NULL,
    total_fen           BIGINT NOT NULL CHECK (total_fen > 0),
    created_by          TEXT NOT NULL REFERENCES staff (id),
    created_at          BIGINT NOT NULL,
    channel             TEXT NOT NULL DEFAULT '',
    txn_id              TEXT,
    paid_at             BIGINT,
    refund_reason       TEXT NOT NULL DEFAULT '',
    refund_requested_at BIGINT,
    refund_txn          TEXT,
    refunded_at         BIGINT,
    attempts            BIGINT NOT NULL DEFAULT 0,
    next_attempt_at     BIGINT,
    last_error          TEXT NOT NULL DEFAULT '',
    updated_at          BIGINT NOT NULL
);
-- At most one order a case can still pay or be refunded on.
CREATE UNIQUE INDEX payment_orders_live ON payment_orders (application_id)
    WHERE status IN ('open', 'paid', 'refunding');
CREATE UNIQUE INDEX payment_orders_txn ON payment_orders (txn_id);
CREATE INDEX payment_orders_work ON payment_orders (status, next_attempt_at);

-- Every callback the channel sent, by its event id: a replayed one changes nothing.
CREATE TABLE payment_events (
    event_id     TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);

-- Taxes are the tax authority's: OneTrip only shows its signed confirmation.
ALTER TABLE applications ADD COLUMN tax_status TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN tax_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN tax_at BIGINT;

-- The timeline's new events: a refusal in review, the payment order and its
-- payment, cancellation and refund, the tax authority's word; the
-- certificate posted and delivered, the utilities asked to move (登记+X).
CREATE TABLE application_events_new (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    seq             INTEGER NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('submitted', 'withdrawn', 'returned', 'resubmitted',
                        'pre_accepted', 'rejected', 'accepted', 'review', 'register', 'certificate',
                        'fee_paid', 'issued', 'archived', 'sent_back', 'owed_received',
                        'paused', 'resumed', 'booked', 'booking_cancelled', 'booking_closed',
                        'walk_in', 'home_visit_requested', 'home_visit_scheduled',
                        'home_visit_cancelled', 'visit_recorded', 'confirmed', 'objected',
                        'refused', 'payment_due', 'paid_online', 'payment_cancelled', 'refunded', 'tax',
                        'posted', 'delivered', 'utilities_requested')),
    note            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, seq)
);
INSERT INTO application_events_new (application_id, seq, at, kind, note)
    SELECT application_id, seq, at, kind, note FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_new RENAME TO application_events;
