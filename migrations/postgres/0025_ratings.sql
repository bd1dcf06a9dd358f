-- Ratings of the service (好差评, issue 19): each applicant of a case that
-- ended (issued, refused, withdrawn) rates it once. Ratings are never
-- changed or deleted (the triggers refuse it, whoever asks). A low rating
-- opens a follow-up for the site's supervisors, due in working days.
CREATE TABLE ratings (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    citizen_id      TEXT NOT NULL REFERENCES citizens (id),
    level           BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    reasons         TEXT NOT NULL DEFAULT '[]',
    comment         TEXT NOT NULL DEFAULT '',
    site_code       TEXT NOT NULL,
    matter_code     TEXT NOT NULL,
    -- The clerk who last moved the case (NULL when none did).
    clerk_id        TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (application_id, citizen_id)
);
CREATE INDEX ratings_site ON ratings (site_code, created_at);

CREATE FUNCTION ratings_never_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ratings cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ratings_never_change BEFORE UPDATE OR DELETE ON ratings
    FOR EACH ROW EXECUTE FUNCTION ratings_never_change();

CREATE TABLE rating_followups (
    rating_id   TEXT PRIMARY KEY REFERENCES ratings (id),
    site_code   TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'done')),
    action      TEXT NOT NULL DEFAULT '',
    staff_id    TEXT REFERENCES staff (id),
    done_at     BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX rating_followups_open ON rating_followups (site_code, status, due_on);
