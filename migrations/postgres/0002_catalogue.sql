-- The matter catalogue: matters, the material dictionary, each matter's
-- checklist, and the parts of combined matters (组合办). Loaded from
-- seed/matters.json at the first start that finds no matters; afterwards the
-- database is the source of truth and staff edit it without a deploy.
-- Lists of codes (filers, parties) are comma-separated TEXT: they are short,
-- fixed vocabularies read as a whole.

CREATE TABLE materials (
    code        TEXT PRIMARY KEY,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE matters (
    code             TEXT PRIMARY KEY,
    family           INTEGER NOT NULL CHECK (family IN (100, 200, 300, 400, 500, 600, 700, 800, 900)),
    name_zh          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    keywords         TEXT NOT NULL DEFAULT '',
    filers           TEXT NOT NULL,
    parties          TEXT NOT NULL,
    time_limit_days  INTEGER NOT NULL CHECK (time_limit_days BETWEEN 1 AND 30),
    visit_required   INTEGER NOT NULL CHECK (visit_required IN (0, 1)),
    risk_notice      INTEGER NOT NULL CHECK (risk_notice IN (0, 1)),
    fee_zh           TEXT NOT NULL,
    fee_en           TEXT NOT NULL,
    sort_order       INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- A simple matter's own checklist. Combined matters have none: theirs is the
-- union of their parts' lists, computed when read, so editing a part updates
-- every combination that uses it.
CREATE TABLE matter_materials (
    matter_code    TEXT NOT NULL REFERENCES matters (code) ON DELETE CASCADE,
    material_code  TEXT NOT NULL REFERENCES materials (code),
    position       INTEGER NOT NULL,
    requirement    TEXT NOT NULL CHECK (requirement IN ('required', 'tolerable')),
    form           TEXT NOT NULL CHECK (form IN ('original', 'copy', 'both')),
    copies         INTEGER NOT NULL DEFAULT 1 CHECK (copies BETWEEN 1 AND 20),
    note_zh        TEXT NOT NULL DEFAULT '',
    note_en        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (matter_code, material_code)
);

CREATE TABLE matter_parts (
    matter_code  TEXT NOT NULL REFERENCES matters (code) ON DELETE CASCADE,
    part_code    TEXT NOT NULL REFERENCES matters (code),
    position     INTEGER NOT NULL,
    PRIMARY KEY (matter_code, part_code),
    CHECK (matter_code <> part_code)
);
