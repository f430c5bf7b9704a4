-- 涉法涉诉 screening and transfer (甄别、转送政法机关): one row per petition,
-- written with the petition's legal_screen / legal_transfer events; the
-- judicial case (案号, 立案/不予立案/审结) is linked later by the 政法机关
-- or the bureau.
CREATE TABLE legal_referrals (
	id                  INTEGER PRIMARY KEY,
	petition_id         INTEGER NOT NULL UNIQUE REFERENCES petitions(id),
	finding             TEXT NOT NULL CHECK (finding IN ('legal','not_legal')),
	reason              TEXT NOT NULL,
	screened_by         INTEGER NOT NULL REFERENCES users(id),
	screened_by_name    TEXT NOT NULL,
	screened_at         TEXT NOT NULL,
	unit_id             INTEGER REFERENCES units(id),
	unit_path           TEXT NOT NULL DEFAULT '',
	body                TEXT NOT NULL DEFAULT '',
	route               TEXT NOT NULL DEFAULT '',
	transfer_note       TEXT NOT NULL DEFAULT '',
	transferred_by      INTEGER REFERENCES users(id),
	transferred_by_name TEXT NOT NULL DEFAULT '',
	transferred_at      TEXT NOT NULL DEFAULT '',
	status              TEXT NOT NULL DEFAULT '' CHECK (status IN ('','pending','filed','not_filed','closed')),
	case_number         TEXT NOT NULL DEFAULT '',
	filed_on            TEXT NOT NULL DEFAULT '',
	decided_on          TEXT NOT NULL DEFAULT '',
	result              TEXT NOT NULL DEFAULT '',
	recorded_by_name    TEXT NOT NULL DEFAULT '',
	version             INTEGER NOT NULL DEFAULT 1,
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL
);
CREATE INDEX legal_referrals_unit_path ON legal_referrals(unit_path);
CREATE INDEX legal_referrals_waiting ON legal_referrals(transferred_at) WHERE status = 'pending';
