-- Schema 2: the groups an item belongs to, for the samples that have any.
--
-- rotation_of is the item a CircularEval rotation was made from, pair the
-- key translations of one problem share (parity.Item.RotationOf and Pair).
-- Most items have neither, so they live here rather than in two columns of
-- samples that every row would carry; a report reads one run's rows once.

CREATE TABLE item_groups (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    item_id     TEXT    NOT NULL,
    rotation_of TEXT    NOT NULL DEFAULT '',
    pair        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, item_id)
) WITHOUT ROWID;

-- Samples written before schema 2 said the same in their item ids: "q@r2"
-- is rotation 2 of item q, and an item of a run of subject s whose id is
-- "<s>-<key>" (MGSM's "zh-17") is translation key <key>. Reports read them
-- that way then; they are read that way once more here, never again.
INSERT INTO item_groups (run_id, item_id, rotation_of, pair)
SELECT run_id, item_id, rotation_of, pair FROM (
    SELECT DISTINCT s.run_id, s.item_id,
        CASE WHEN rtrim(s.item_id, '0123456789') <> s.item_id AND rtrim(s.item_id, '0123456789') GLOB '?*@r'
             THEN substr(s.item_id, 1, length(rtrim(s.item_id, '0123456789')) - 2) ELSE '' END AS rotation_of,
        CASE WHEN r.subject <> '' AND substr(s.item_id, 1, length(r.subject) + 1) = r.subject || '-'
             THEN substr(s.item_id, length(r.subject) + 2) ELSE '' END AS pair
    FROM samples s JOIN runs r ON r.id = s.run_id
) WHERE rotation_of <> '' OR pair <> '';
