-- The catalogue of record: standards, their relations both ways, holdings, provenance per field,
-- classification trees, committees, and the change log that feeds watching and the Atom feed.
CREATE TABLE standards (
    key         TEXT PRIMARY KEY,
    work        TEXT NOT NULL,
    designation TEXT NOT NULL,
    publisher   TEXT NOT NULL DEFAULT '',
    doc_type    TEXT NOT NULL DEFAULT '',
    number      TEXT NOT NULL DEFAULT '',
    part        TEXT NOT NULL DEFAULT '',
    year        TEXT NOT NULL DEFAULT '',
    supplement  TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    published   TEXT NOT NULL DEFAULT '',
    in_force    TEXT NOT NULL DEFAULT '',
    withdrawn   TEXT NOT NULL DEFAULT '',
    ccs         TEXT NOT NULL DEFAULT '',
    committee   TEXT NOT NULL DEFAULT '',
    edition     TEXT NOT NULL DEFAULT '',
    pages       TEXT NOT NULL DEFAULT '',
    titles      TEXT NOT NULL DEFAULT '{}',   -- JSON {lang: text}
    scope       TEXT NOT NULL DEFAULT '{}',   -- JSON {lang: text}
    ics         TEXT NOT NULL DEFAULT '[]',   -- JSON [code]
    languages   TEXT NOT NULL DEFAULT '[]',
    keywords    TEXT NOT NULL DEFAULT '[]',
    added_at    TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX standards_work ON standards(work);
CREATE INDEX standards_updated ON standards(updated_at);

-- Stored both ways: a source row and its inverse. target_key may name a record not catalogued yet;
-- "resolved" is answered by a join when asked, so a relation resolves the moment its target arrives.
CREATE TABLE relations (
    key        TEXT NOT NULL,
    type       TEXT NOT NULL,
    target     TEXT NOT NULL,
    target_key TEXT NOT NULL,
    degree     TEXT,
    origin     TEXT NOT NULL,      -- source | inverse | inferred
    PRIMARY KEY (key, type, target_key, target)
);
CREATE INDEX relations_target ON relations(target_key);

CREATE TABLE holdings (
    key        TEXT NOT NULL,
    format     TEXT NOT NULL DEFAULT '',
    shelf_mark TEXT NOT NULL DEFAULT '',
    access     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (key, format, shelf_mark)
);

CREATE TABLE provenance (
    key    TEXT NOT NULL,
    field  TEXT NOT NULL,
    source TEXT NOT NULL,
    at     TEXT NOT NULL,
    value  TEXT,                     -- JSON
    PRIMARY KEY (key, field, source)
);

CREATE TABLE classifications (
    scheme TEXT NOT NULL,            -- ics | ccs
    code   TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    titles TEXT NOT NULL DEFAULT '{}',
    notes  TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (scheme, code)
);

CREATE TABLE committees (
    reference TEXT PRIMARY KEY,
    publisher TEXT NOT NULL DEFAULT '',
    titles    TEXT NOT NULL DEFAULT '{}',
    scope     TEXT NOT NULL DEFAULT ''
);

-- What changed, when: status and edition-in-force changes feed watching and /feed.atom.
CREATE TABLE changes (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    key   TEXT NOT NULL,
    at    TEXT NOT NULL,
    field TEXT NOT NULL,
    old   TEXT,
    new   TEXT
);
CREATE INDEX changes_at ON changes(at);
CREATE INDEX changes_key ON changes(key);
