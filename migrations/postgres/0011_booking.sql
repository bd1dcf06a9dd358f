-- Appointments (预约). Each site offers booking per matter group (the
-- windows that serve it = the capacity of each slot, and the slot length);
-- a slot's times come from the site's working hours on working days.
CREATE TABLE site_services (
    site_code     TEXT NOT NULL REFERENCES sites (code),
    matter_group  TEXT NOT NULL CHECK (matter_group IN ('general', 'mortgage')),
    windows       INTEGER NOT NULL CHECK (windows BETWEEN 1 AND 50),
    slot_minutes  INTEGER NOT NULL CHECK (slot_minutes IN (10, 15, 20, 30, 45, 60)),
    PRIMARY KEY (site_code, matter_group)
);
INSERT INTO site_services (site_code, matter_group, windows, slot_minutes)
    SELECT code, 'general', CASE kind WHEN 'main' THEN 6 WHEN 'sub' THEN 3 ELSE 1 END,
           CASE kind WHEN 'town' THEN 30 ELSE 20 END
      FROM sites;
INSERT INTO site_services (site_code, matter_group, windows, slot_minutes)
    SELECT code, 'mortgage', CASE kind WHEN 'main' THEN 3 ELSE 1 END, 20
      FROM sites WHERE kind IN ('main', 'sub');

-- Which windows a matter is served at.
ALTER TABLE matters ADD COLUMN booking_group TEXT NOT NULL DEFAULT 'general'
    CHECK (booking_group IN ('general', 'mortgage'));
UPDATE matters SET booking_group = 'mortgage'
 WHERE code IN ('MORTGAGE-FIRST', 'MORTGAGE-CANCEL', 'PREMORTGAGE-NOTICE');

-- One row per booked seat. Capacity is the seat number's range (1..windows,
-- checked by the insert) and the unique index on live seats: two requests
-- for the last seat of a slot cannot both insert it. A case holds at most
-- one live booking (the second unique index).
CREATE TABLE bookings (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    citizen_id      TEXT NOT NULL REFERENCES citizens (id),
    site_code       TEXT NOT NULL REFERENCES sites (code),
    matter_group    TEXT NOT NULL,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    seat            INTEGER NOT NULL CHECK (seat >= 1),
    status          TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'arrived', 'no_show')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX bookings_live_seat ON bookings (site_code, matter_group, starts_at, seat)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX bookings_live_case ON bookings (application_id) WHERE status = 'booked';
CREATE INDEX bookings_day ON bookings (site_code, starts_at);
CREATE INDEX bookings_citizen ON bookings (citizen_id, starts_at);

-- One-off closures of a site (an afternoon, a day): no slot inside one is
-- offered or bookable, and the bookings it covers are cancelled with a
-- message when it is declared. A closure and a booking of the same site
-- never interleave (a row lock on the site on PostgreSQL; SQLite has one
-- writer), so no booking survives on a closed slot.
CREATE TABLE site_closures (
    id          TEXT PRIMARY KEY,
    site_code   TEXT NOT NULL REFERENCES sites (code),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES staff (id),
    created_at  BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX site_closures_site ON site_closures (site_code, starts_at);
