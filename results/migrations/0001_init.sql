-- Schema 1: runs and their samples.
--
-- Times are unix nanoseconds (INTEGER, NULL when unknown) so they round-trip
-- exactly and sort numerically. Lists and nested structs are JSON text.
-- In samples the small columns come first and the large texts last: SQLite
-- reads a row front to back, so report queries that skip the large texts
-- never touch their overflow pages.

CREATE TABLE runs (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT, -- ids are never reused, so "run 12" stays unambiguous
    fingerprint          TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    model_id             TEXT    NOT NULL,
    model_provider       TEXT    NOT NULL DEFAULT '',
    model_name           TEXT    NOT NULL DEFAULT '',
    model_origin         TEXT    NOT NULL DEFAULT '',
    model_reported       TEXT    NOT NULL DEFAULT '',
    base_url             TEXT    NOT NULL DEFAULT '',
    suite_name           TEXT    NOT NULL,
    suite_version        TEXT    NOT NULL DEFAULT '',
    suite_language       TEXT    NOT NULL DEFAULT '',
    suite_license        TEXT    NOT NULL DEFAULT '',
    suite_description    TEXT    NOT NULL DEFAULT '',
    suite_items          INTEGER NOT NULL DEFAULT 0,
    suite_data_sha256    TEXT    NOT NULL DEFAULT '',
    suite_prompt_hash    TEXT    NOT NULL DEFAULT '',
    suite_scorer         TEXT    NOT NULL DEFAULT '',
    suite_scorer_version TEXT    NOT NULL DEFAULT '',
    suite_kind           TEXT    NOT NULL DEFAULT '',
    suite_non_commercial INTEGER NOT NULL DEFAULT 0,
    params               TEXT    NOT NULL DEFAULT '{}',
    samples              INTEGER NOT NULL DEFAULT 1,
    item_limit           INTEGER NOT NULL DEFAULT 0,
    seed                 INTEGER NOT NULL DEFAULT 0,
    subject              TEXT    NOT NULL DEFAULT '',
    items                INTEGER NOT NULL DEFAULT 0,
    parity_version       TEXT    NOT NULL DEFAULT '',
    git_revision         TEXT    NOT NULL DEFAULT '',
    started_at           INTEGER,
    finished_at          INTEGER,
    price                TEXT,
    warnings             TEXT,
    note                 TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX runs_fingerprint ON runs (fingerprint);
CREATE INDEX runs_model_suite ON runs (model_id, suite_name);

CREATE TABLE samples (
    id                   INTEGER PRIMARY KEY,
    run_id               INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    item_id              TEXT    NOT NULL,
    idx                  INTEGER NOT NULL,
    outcome              TEXT    NOT NULL CHECK (outcome IN ('correct', 'wrong', 'unparsed', 'truncated', 'refused', 'error')),
    extracted            TEXT    NOT NULL DEFAULT '',
    scorer               TEXT    NOT NULL DEFAULT '',
    scorer_version       TEXT    NOT NULL DEFAULT '',
    detail               TEXT    NOT NULL DEFAULT '',
    judge_outcome        TEXT,   -- NULL: no judge verdict
    judge_extracted      TEXT,
    judge_scorer         TEXT,
    judge_scorer_version TEXT,
    judge_detail         TEXT,
    gold                 TEXT    NOT NULL DEFAULT '',
    finish_reason        TEXT    NOT NULL DEFAULT '',
    model_reported       TEXT    NOT NULL DEFAULT '',
    prompt_tokens        INTEGER NOT NULL DEFAULT 0,
    completion_tokens    INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens     INTEGER NOT NULL DEFAULT 0,
    cached_tokens        INTEGER NOT NULL DEFAULT 0,
    latency_ns           INTEGER NOT NULL DEFAULT 0,
    ttft_ns              INTEGER NOT NULL DEFAULT 0,
    attempts             INTEGER NOT NULL DEFAULT 0,
    error                TEXT    NOT NULL DEFAULT '',
    error_code           TEXT    NOT NULL DEFAULT '',
    warnings             TEXT,
    cost                 REAL    NOT NULL DEFAULT 0,
    started_at           INTEGER,
    content              TEXT    NOT NULL DEFAULT '',
    reasoning            TEXT    NOT NULL DEFAULT '',
    messages             TEXT,
    raw                  TEXT    NOT NULL DEFAULT '',
    UNIQUE (run_id, item_id, idx)
);

CREATE INDEX samples_run_outcome ON samples (run_id, outcome);
