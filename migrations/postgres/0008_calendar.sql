-- The working-day calendar, editable by administrators: declared public
-- holidays and declared working weekend days (调休). Loaded from
-- seed/calendar.json on the first start; other days follow the weekday.
CREATE TABLE calendar_days (
    day         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    updated_by  TEXT,
    updated_at  BIGINT NOT NULL
);
