-- The register's editing workflow (issue 16, Deliver 4): enterprise users draft, edit and publish
-- their own results; librarians approve (publish), withdraw and correct any. Each line of a
-- result's history says who made the change as a user of the accounts layer (users.id and role;
-- NULL and '' for an ingest or the review rule) and the result's state after it, so the public
-- is shown only what happened while the result was public (docs/register.md, "History").
ALTER TABLE result_history ADD COLUMN actor_id INTEGER;
ALTER TABLE result_history ADD COLUMN actor_role TEXT NOT NULL DEFAULT '';
ALTER TABLE result_history ADD COLUMN state TEXT NOT NULL DEFAULT '';
-- Lines written before this migration take the result's state now (ingests name no user).
UPDATE result_history SET state = COALESCE(
    (SELECT r.state FROM benchmark_results r WHERE r.id = result_history.result_id), '');
-- The workspace lists an enterprise's results in every state, and librarians the drafts of all.
CREATE INDEX benchmark_results_state ON benchmark_results(state, enterprise_id)
