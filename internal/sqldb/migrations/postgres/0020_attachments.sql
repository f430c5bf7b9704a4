-- Files kept with petitions and backlog cases (附件). The content is in
-- the database, so that one backup holds everything and every instance
-- serves it, split into chunks of 256 KiB so that no row is large and a
-- download streams. kind and type are read from the content; sha256 is
-- of the whole file and checked when it is served; thumb is a small JPEG
-- of an image.
CREATE TABLE attachments (
	id            BIGSERIAL PRIMARY KEY,
	owner         TEXT NOT NULL CHECK (owner IN ('petition', 'case')),
	owner_id      BIGINT NOT NULL,
	name          TEXT NOT NULL,
	type          TEXT NOT NULL,
	size          BIGINT NOT NULL,
	sha256        TEXT NOT NULL,
	uploaded_by   BIGINT NOT NULL REFERENCES users(id),
	uploader_name TEXT NOT NULL,
	uploaded_at   TEXT NOT NULL,
	thumb         BYTEA
);
CREATE INDEX attachments_owner ON attachments(owner, owner_id, id);

CREATE TABLE attachment_chunks (
	attachment_id BIGINT NOT NULL REFERENCES attachments(id),
	n             INTEGER NOT NULL,
	data          BYTEA NOT NULL,
	PRIMARY KEY (attachment_id, n)
);
