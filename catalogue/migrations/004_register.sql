-- The 对标达标 register (issue 16): enterprises, their products, benchmarking results with their
-- indicator comparisons, test reports and third-party evaluations, certificates with their status
-- events, and each result's history. Ids are opaque tokens (never sequential numbers): URLs use them.
CREATE TABLE enterprises (
    id          TEXT PRIMARY KEY,              -- 'e-' + 12 hex digits
    credit_code TEXT NOT NULL UNIQUE,          -- 统一社会信用代码, checked per GB 32100-2015
    names       TEXT NOT NULL DEFAULT '{}',    -- JSON {zh, en}
    district    TEXT NOT NULL DEFAULT '',      -- county or district (县市区)
    cluster     TEXT NOT NULL DEFAULT '',      -- industry cluster: a system id (/systems/<id>)
    source      TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);

CREATE TABLE products (
    id            TEXT PRIMARY KEY,            -- 'p-' + 12 hex digits
    enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
    names         TEXT NOT NULL DEFAULT '{}',
    model         TEXT NOT NULL DEFAULT '',
    standards     TEXT NOT NULL DEFAULT '[]',  -- JSON [{designation, key}]: the standards it declares it executes
    source        TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);
CREATE INDEX products_enterprise ON products(enterprise_id);

-- The configurable list of levels (水平), in order; the default four are seeded below.
CREATE TABLE benchmark_levels (
    code     TEXT PRIMARY KEY,
    names    TEXT NOT NULL DEFAULT '{}',
    position INTEGER NOT NULL
);
INSERT INTO benchmark_levels (code, names, position) VALUES
    ('leading', '{"en": "leading", "zh": "领先"}', 1),
    ('advanced', '{"en": "advanced", "zh": "先进"}', 2),
    ('average', '{"en": "average", "zh": "平均"}', 3),
    ('lagging', '{"en": "lagging", "zh": "落后"}', 4);

CREATE TABLE benchmark_results (
    id              TEXT PRIMARY KEY,          -- 'r-' + 12 hex digits
    natural_key     TEXT NOT NULL UNIQUE,      -- enterprise, product, scheme, date: what makes a duplicate
    enterprise_id   TEXT NOT NULL REFERENCES enterprises(id),
    product_id      TEXT NOT NULL REFERENCES products(id),
    scheme_id       TEXT NOT NULL,
    own_standard    TEXT NOT NULL DEFAULT '',  -- the enterprise's own standard, as written
    own_key         TEXT NOT NULL DEFAULT '',
    result_date     TEXT NOT NULL,             -- YYYY-MM-DD: compared editions are as of this date
    level           TEXT NOT NULL DEFAULT '',  -- a benchmark_levels code
    reached         TEXT NOT NULL DEFAULT '',  -- yes | no | partly
    published_on    TEXT NOT NULL DEFAULT '',
    platform        TEXT NOT NULL DEFAULT '',
    link            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'published',  -- published | updated | withdrawn (as declared)
    state           TEXT NOT NULL DEFAULT 'published',  -- draft | published | withdrawn (the workflow's)
    needs_review    INTEGER NOT NULL DEFAULT 0,         -- set by the review rule (catalogue.register)
    review_reasons  TEXT NOT NULL DEFAULT '[]',
    review_at       TEXT NOT NULL DEFAULT '',           -- when the rule last changed its answer
    source          TEXT NOT NULL DEFAULT '',
    added_at        TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX benchmark_results_enterprise ON benchmark_results(enterprise_id);
CREATE INDEX benchmark_results_product ON benchmark_results(product_id);
CREATE INDEX benchmark_results_scheme ON benchmark_results(scheme_id);

-- The compared standards, each the edition it was as of the result date. The index on edition_key
-- keeps flag_results_for_review(keys) in proportion to the keys a standards ingest wrote.
CREATE TABLE result_standards (
    result_id   TEXT NOT NULL REFERENCES benchmark_results(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    designation TEXT NOT NULL,
    edition_key TEXT NOT NULL,
    work        TEXT NOT NULL,
    as_given    TEXT NOT NULL DEFAULT '',      -- what the file said, when it was undated
    PRIMARY KEY (result_id, edition_key)
);
CREATE INDEX result_standards_key ON result_standards(edition_key);

CREATE TABLE test_reports (
    result_id     TEXT NOT NULL REFERENCES benchmark_results(id) ON DELETE CASCADE,
    number        TEXT NOT NULL,
    laboratory    TEXT NOT NULL DEFAULT '',
    accreditation TEXT NOT NULL DEFAULT '[]',  -- JSON ["CMA", "CNAS"]
    report_date   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (result_id, number)
);

CREATE TABLE evaluations (
    result_id    TEXT NOT NULL REFERENCES benchmark_results(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL DEFAULT '',
    conclusion   TEXT NOT NULL DEFAULT '',
    evaluated_on TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (result_id, position)
);

CREATE TABLE result_indicators (
    result_id   TEXT NOT NULL REFERENCES benchmark_results(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    indicator   INTEGER NOT NULL,              -- the scheme indicator's position (0-based, as scheme_indicators)
    names       TEXT NOT NULL DEFAULT '{}',    -- the scheme indicator's names as of ingest
    value       TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL DEFAULT '',
    value_kind  TEXT NOT NULL DEFAULT '',      -- declared | measured
    report      TEXT NOT NULL DEFAULT '',      -- test report number
    clause      TEXT NOT NULL DEFAULT '',      -- clause of the enterprise's own standard
    direction   TEXT NOT NULL DEFAULT '',      -- higher | lower | range | pass-fail
    outcome     TEXT NOT NULL DEFAULT '',      -- better | equal | worse | not-applicable | '' (not assessed)
    computed    INTEGER NOT NULL DEFAULT 0,    -- 1 when the outcome follows from the values
    cells       TEXT NOT NULL DEFAULT '[]',    -- JSON [{designation, key, value, unit, clause, outcome}]
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (result_id, position)
);

CREATE TABLE certificates (
    id            TEXT PRIMARY KEY,            -- 'c-' + 12 hex digits
    number        TEXT NOT NULL,
    cert_type     TEXT NOT NULL,               -- 浙江制造, CCC, API Monogram, CE ...
    enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
    product_id    TEXT NOT NULL DEFAULT '',
    issuer        TEXT NOT NULL DEFAULT '',
    basis         TEXT NOT NULL DEFAULT '',
    basis_key     TEXT NOT NULL DEFAULT '',
    scope         TEXT NOT NULL DEFAULT '',
    issued        TEXT NOT NULL DEFAULT '',
    expires       TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL,
    UNIQUE (cert_type, number)
);
CREATE INDEX certificates_enterprise ON certificates(enterprise_id);

CREATE TABLE certificate_events (
    certificate_id TEXT NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    status         TEXT NOT NULL,              -- valid | suspended | restored | revoked | cancelled | expired
    at             TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (certificate_id, position)
);

-- Who changed a result, when, and what: ingests, the review rule, later the accounts workflow.
CREATE TABLE result_history (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    result_id TEXT NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,                   -- added | updated | review_flagged | review_cleared ...
    changes   TEXT NOT NULL DEFAULT '{}'       -- JSON {field: [old, new]} or {reasons: [...]}
);
CREATE INDEX result_history_result ON result_history(result_id);
