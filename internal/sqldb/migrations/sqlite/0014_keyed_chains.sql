-- Tamper evidence keyed with the keys file (HMAC-SM3; the keys are never in
-- the database), so that only whoever holds the keys can write a chain that
-- verifies.
--
-- head_mac is the MAC of a petition's head hash and of the projection
-- written with it (state, handling unit, outcome, deadlines): a deleted last
-- event shows even when head_hash is rewritten to match the shortened
-- chain, and the deadlines, which depend on the calendar of the day they
-- were computed, are compared with what was written rather than with a
-- replay under today's calendar.
--
-- chained is 1 once the program has re-sealed the unkeyed (plain SM3)
-- chains of older versions, which it does at the first start after this
-- migration: each chain is verified with the old rule first, and one that
-- fails is left as it is and logged, so that the evidence is not erased.
ALTER TABLE petitions ADD COLUMN head_mac TEXT NOT NULL DEFAULT '';
ALTER TABLE keyring_check ADD COLUMN chained INTEGER NOT NULL DEFAULT 0;
