-- The petitions registered whose repeat-detection grams, gram counts and
-- search document are still to be written. A registration writes its
-- fingerprint and a row here, with its folded search text, in its own
-- transaction; the indexer writes the rest for many petitions at a time
-- and deletes their rows in the same transaction. Readers of the index
-- (search, the ledger's text filter, repeat candidates) read these rows
-- beside it, so an item is findable from its commit on.
CREATE TABLE index_queue (
	petition_id BIGINT PRIMARY KEY REFERENCES petitions(id),
	text        TEXT NOT NULL
);
