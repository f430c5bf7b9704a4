-- Personal data at rest: the ID number, phone and addresses of a
-- petitioner are stored sealed (SM4-GCM, keys outside the database; the
-- program seals the rows of older versions when it opens the database),
-- with blind indexes (HMAC-SM3) beside the ID number and the phone for
-- exact-match look-ups.
--
-- A petitioner row holds what was registered with one petition; it is
-- never changed by another registration. person_id groups the rows of one
-- person (the same ID number or credit code) for repeat detection and the
-- watch list: the id of the person's first row. Rows of older versions
-- were shared between petitions; each stays its own person.
ALTER TABLE petitioners ADD COLUMN person_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE petitioners ADD COLUMN id_index TEXT NOT NULL DEFAULT '';
ALTER TABLE petitioners ADD COLUMN phone_index TEXT NOT NULL DEFAULT '';
UPDATE petitioners SET person_id = id;
DROP INDEX petitioners_id_number;
DROP INDEX petitioners_phone;
CREATE INDEX petitioners_id_index ON petitioners(id_index) WHERE id_index <> '';
CREATE INDEX petitioners_phone_index ON petitioners(phone_index) WHERE phone_index <> '';
CREATE INDEX petitioners_person ON petitioners(person_id);

ALTER TABLE petitions ADD COLUMN person_id BIGINT NOT NULL DEFAULT 0;
UPDATE petitions SET person_id = petitioner_id;
CREATE INDEX petitions_person ON petitions(person_id);
DROP INDEX petitions_matter;
CREATE INDEX petitions_matter ON petitions(person_id, locality_id, category, received_at);
DROP INDEX petitions_repeat_chain;
CREATE INDEX petitions_repeat_chain ON petitions(repeat_of_id, id, person_id, received_at, channel, locality_id, category, purpose, reg_user_id, reg_path, handling_path, repeat_flag)
	WHERE repeat_of_id IS NOT NULL;

-- The fingerprint of the keys the data is sealed with, so that opening the
-- database with other keys stops at once instead of failing row by row;
-- sealed is 1 once the rows of older versions have been sealed.
CREATE TABLE keyring_check (
	fingerprint TEXT NOT NULL,
	sealed      INTEGER NOT NULL DEFAULT 0
);
