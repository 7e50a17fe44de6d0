-- Schema 3: an index that holds what a leaderboard reads of each sample.
--
-- A report folds every sample of a run in key order but needs only a dozen
-- small columns; the rows themselves carry the answer, reasoning, request
-- and raw response, kilobytes each, so reading the columns from the table
-- touches every page of the file. This index keeps those columns in key
-- order, about a twentieth of the table's size, and SQLite answers the
-- report's query from it alone (a covering index). It must list every
-- column of results.scoreColumns.

CREATE INDEX samples_scores ON samples (
    run_id, item_id, idx, outcome, extracted, scorer, scorer_version, judge_outcome,
    prompt_tokens, completion_tokens, reasoning_tokens, latency_ns, cost
);
