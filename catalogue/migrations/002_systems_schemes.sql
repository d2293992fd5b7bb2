-- Industry standard systems (trees of categories listing standards) and benchmarking schemes
-- (a product's key indicators compared across domestic and international standards).
CREATE TABLE systems (
    id         TEXT PRIMARY KEY,
    titles     TEXT NOT NULL DEFAULT '{}',
    notes      TEXT NOT NULL DEFAULT '{}',
    source     TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

CREATE TABLE system_nodes (
    system_id TEXT NOT NULL,
    code      TEXT NOT NULL,
    parent    TEXT NOT NULL DEFAULT '',
    titles    TEXT NOT NULL DEFAULT '{}',
    notes     TEXT NOT NULL DEFAULT '{}',
    position  INTEGER NOT NULL,
    PRIMARY KEY (system_id, code)
);

-- member_key is the key of the edition named, or the work key when the designation is undated.
CREATE TABLE system_members (
    system_id   TEXT NOT NULL,
    node_code   TEXT NOT NULL,
    designation TEXT NOT NULL,
    member_key  TEXT NOT NULL,
    member_work TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    PRIMARY KEY (system_id, node_code, member_key)
);
CREATE INDEX system_members_key ON system_members(member_key);
CREATE INDEX system_members_work ON system_members(member_work);

CREATE TABLE schemes (
    id         TEXT PRIMARY KEY,
    titles     TEXT NOT NULL DEFAULT '{}',
    product    TEXT NOT NULL DEFAULT '{}',
    enterprise TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '{}',
    source     TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

CREATE TABLE scheme_standards (
    scheme_id   TEXT NOT NULL,
    role        TEXT NOT NULL,          -- domestic | international | cited
    designation TEXT NOT NULL,
    member_key  TEXT NOT NULL,
    member_work TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (scheme_id, member_key)
);
CREATE INDEX scheme_standards_key ON scheme_standards(member_key);
CREATE INDEX scheme_standards_work ON scheme_standards(member_work);

CREATE TABLE scheme_indicators (
    scheme_id TEXT NOT NULL,
    position  INTEGER NOT NULL,
    names     TEXT NOT NULL DEFAULT '{}',   -- {zh, en}
    unit      TEXT NOT NULL DEFAULT '',
    cells     TEXT NOT NULL DEFAULT '[]',   -- [{designation, key, value, clause, source}]
    PRIMARY KEY (scheme_id, position)
);
