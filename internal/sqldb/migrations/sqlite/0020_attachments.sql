-- Files kept with petitions and backlog cases (附件). The content is in
-- the database, so that one backup holds everything and every instance
-- serves it, split into chunks of 256 KiB so that no row is large and a
-- download streams. kind and type are read from the content; sha256 is
-- of the whole file and checked when it is served; thumb is a small JPEG
-- of an image.
CREATE TABLE attachments (
	id            INTEGER PRIMARY KEY,
	owner         TEXT NOT NULL CHECK (owner IN ('petition', 'case')),
	owner_id      INTEGER NOT NULL,
	name          TEXT NOT NULL,
	type          TEXT NOT NULL,
	size          INTEGER NOT NULL,
	sha256        TEXT NOT NULL,
	uploaded_by   INTEGER NOT NULL REFERENCES users(id),
	uploader_name TEXT NOT NULL,
	uploaded_at   TEXT NOT NULL,
	thumb         BLOB
);
CREATE INDEX attachments_owner ON attachments(owner, owner_id, id);

CREATE TABLE attachment_chunks (
	attachment_id INTEGER NOT NULL REFERENCES attachments(id),
	n             INTEGER NOT NULL,
	data          BLOB NOT NULL,
	PRIMARY KEY (attachment_id, n)
);
