-- The store's generation and write log (issue 11). Every write transaction that changes anything
-- records one generation, with the standards keys it wrote and the other kinds of data it touched
-- (classification trees, committees, systems, schemes ...). Derived data (the search index, another
-- engine, replicas, caches) records the generation it reflects and catches up by replaying the
-- keys written since: "is everything in step" is one comparison of two numbers.
CREATE TABLE write_log (
    generation INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    scopes     TEXT NOT NULL DEFAULT '[]',   -- JSON list: standards, classifications, committees, systems ...
    key_count  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE write_log_keys (
    generation INTEGER NOT NULL,
    key        TEXT NOT NULL,
    PRIMARY KEY (generation, key)
) WITHOUT ROWID;

-- A catalogue that existed before the log starts at generation 1: everything in it was written
-- "before" that generation, so an index built earlier rebuilds once (it records no generation).
INSERT INTO write_log (at, scopes, key_count)
    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), '["migration"]', 0
    WHERE EXISTS (SELECT 1 FROM standards);
