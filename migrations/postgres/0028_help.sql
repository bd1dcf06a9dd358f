-- Help (issue 19): questions and answers administrators write, found by
-- Chinese, English or pinyin initials (worked out when saved), linked from
-- the matters' notices (matters: codes, space separated) and the wizard's
-- steps (steps: slugs). Never deleted: an administrator unpublishes.
CREATE TABLE help_articles (
    id           TEXT PRIMARY KEY,
    position     BIGINT NOT NULL DEFAULT 100,
    question_zh  TEXT NOT NULL,
    answer_zh    TEXT NOT NULL,
    question_en  TEXT NOT NULL DEFAULT '',
    answer_en    TEXT NOT NULL DEFAULT '',
    keywords     TEXT NOT NULL DEFAULT '',
    initials     TEXT NOT NULL DEFAULT '',
    matters      TEXT NOT NULL DEFAULT '',
    steps        TEXT NOT NULL DEFAULT '',
    published    BIGINT NOT NULL DEFAULT 1,
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT
);

-- What an administrator typed into the article form when it was refused
-- (a plain form post cannot carry a long answer back in the address): shown
-- again with the messages, so nothing typed is lost. One per administrator.
CREATE TABLE help_drafts (
    staff_id    TEXT PRIMARY KEY,
    original    TEXT NOT NULL,
    form        TEXT NOT NULL,
    errors      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
