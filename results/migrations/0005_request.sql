-- Schema 5: the request body of each sample, byte for byte as the client
-- sent it (parity.Completion.Request), so what a model was asked can be
-- shown exactly. Samples stored before it have none.

ALTER TABLE samples ADD COLUMN request TEXT NOT NULL DEFAULT '';
