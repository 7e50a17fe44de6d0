-- Schema 3: the shard a run is, for runs split over machines.
--
-- shard is the JSON of parity.Shard (index, count, the whole run's item
-- count and fingerprint) for the run of one shard, NULL for a whole run.
-- parity merge joins shard runs into the whole run they are part of.

ALTER TABLE runs ADD COLUMN shard TEXT;
