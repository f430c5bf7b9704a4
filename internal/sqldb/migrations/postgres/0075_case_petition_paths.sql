-- Who sees a backlog case through its petitions (scope.go, cases): the
-- registering and handling paths and the purpose of each linked petition,
-- kept beside the link, so that the cases a subtree sees through their
-- petitions are read off an index of the links instead of joining every
-- case's petitions for each case of the ledger. Storage writes them with
-- the link, and again when the petition's handling unit changes or a unit
-- moves.
ALTER TABLE case_petitions ADD COLUMN reg_path TEXT NOT NULL DEFAULT '';
ALTER TABLE case_petitions ADD COLUMN handling_path TEXT NOT NULL DEFAULT '';
ALTER TABLE case_petitions ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
UPDATE case_petitions SET
	reg_path = (SELECT p.reg_path FROM petitions p WHERE p.id = case_petitions.petition_id),
	handling_path = (SELECT p.handling_path FROM petitions p WHERE p.id = case_petitions.petition_id),
	purpose = (SELECT p.purpose FROM petitions p WHERE p.id = case_petitions.petition_id);
CREATE INDEX case_petitions_reg ON case_petitions(reg_path, case_id) WHERE purpose <> 'accusation';
CREATE INDEX case_petitions_handling ON case_petitions(handling_path, case_id) WHERE purpose <> 'accusation';
