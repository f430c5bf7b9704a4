package sqldb

import (
	"context"
	"database/sql"
	"strconv"

	"xinfang"
)

type sqlRow = sql.Row
type sqlRows = sql.Rows

const petitionerCols = `id, org, name, id_type, id_number, org_code, phone, gender, ethnicity, occupation, hukou_address, residence, address, key_person, key_reason, foreign_flag`

// scanPetitioner reads a row of petitionerCols and opens its sealed fields.
func (db *core) scanPetitioner(s interface{ Scan(...any) error }) (*xinfang.Petitioner, error) {
	p := &xinfang.Petitioner{}
	if err := s.Scan(petitionerFields(p)...); err != nil {
		return nil, err
	}
	return p, db.openPetitioner(p)
}

// petitionerFields are where the columns of petitionerCols go in p.
func petitionerFields(p *xinfang.Petitioner) []any {
	return []any{&p.ID, &p.Org, &p.Name, &p.IDType, &p.IDNumber, &p.OrgCode, &p.Phone, &p.Gender, &p.Ethnicity, &p.Occupation, &p.HukouAddress, &p.Residence, &p.Address, &p.KeyPerson, &p.KeyReason, &p.Foreign}
}

func (db *core) findPetitioner(ctx context.Context, q rowQuerier, id int64) (*xinfang.Petitioner, error) {
	p, err := db.scanPetitioner(cq{db, q}.row(ctx, `SELECT `+petitionerCols+` FROM petitioners WHERE id = ?`, id))
	if err != nil {
		return nil, db.notFound(err, "信访人不存在")
	}
	return p, nil
}

// personByIDIndex and personByOrgCode find the person of the first row
// with an ID number or credit code. They order by id + 0, not id: ordered
// by id, PostgreSQL walks the primary key from its start and filters each
// row by the key, expecting an early match, and for a person not seen
// before — most registrations — it reads every petitioner row (5 ms at
// 13,000 rows, growing with the table). An expression no index holds
// leaves it the key's own index and a sort of the person's few rows.
const (
	personByIDIndex = `(SELECT person_id FROM petitioners WHERE id_index = ? AND id_index <> '' ORDER BY id + 0 LIMIT 1)`
	personByOrgCode = `(SELECT person_id FROM petitioners WHERE org_code = ? AND org_code <> '' ORDER BY id + 0 LIMIT 1)`
)

// savePetitioner writes the petitioner as registered with one petition:
// a new row, sealed, whatever rows the same person has, so that a
// registration neither reads nor changes what another item holds. The
// row joins the person of the earlier rows with the same ID number or
// credit code (person_id), which only repeat detection and the watch list
// compare and which is never shown. It returns the row's id and the
// person's, and the row's registeredPetitionerCols as a read opens them,
// for the registered MAC.
func (db *core) savePetitioner(ctx context.Context, tx *Tx, p *xinfang.Petitioner) (saved savedPetitioner, err error) {
	if p.Gender == "" && p.IDNumber != "" && p.IDType == xinfang.IDCard {
		p.Gender = xinfang.GenderFromID(p.IDNumber)
	}
	idn := db.identityOf(p)
	// The person of the earlier rows with the same ID number or credit
	// code, or else the row's own id, in the INSERT itself: one statement.
	lookup, args := "NULL", []any{}
	switch {
	case idn.id != "":
		lookup, args = personByIDIndex, []any{idn.id}
	case p.OrgCode != "":
		lookup, args = personByOrgCode, []any{p.OrgCode}
	}
	seal := func(col, v string) string { return db.Keys.Seal(sealedField(col), v) }
	created := fmtTime(tx.now)
	args = append(args, b2i(p.Org), p.Name, p.IDType, seal("id_number", p.IDNumber), idn.id, p.OrgCode, seal("phone", p.Phone), idn.phone, p.Gender, p.Ethnicity, p.Occupation,
		seal("hukou_address", p.HukouAddress), seal("residence", p.Residence), seal("address", p.Address), b2i(p.KeyPerson), p.KeyReason, b2i(p.Foreign), created)
	var id, person int64
	err = tx.queryRow(ctx, `WITH n AS (SELECT `+db.dialect.nextID("petitioners")+` AS id)
		INSERT INTO petitioners (id, person_id, org, name, id_type, id_number, id_index, org_code, phone, phone_index, gender, ethnicity, occupation,
		hukou_address, residence, address, key_person, key_reason, foreign_flag, created_at)
		VALUES ((SELECT id FROM n), COALESCE(NULLIF(`+lookup+`, 0), (SELECT id FROM n)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id, person_id`, args...).Scan(&id, &person)
	if err != nil {
		return saved, err
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	// In the order of registeredPetitionerCols.
	vals := []string{itoa(id), itoa(person), itoa(int64(b2i(p.Org))), p.Name, string(p.IDType), p.IDNumber, idn.id, p.OrgCode, p.Phone, idn.phone,
		p.Gender, p.Ethnicity, p.Occupation, p.HukouAddress, p.Residence, p.Address, itoa(int64(b2i(p.KeyPerson))), p.KeyReason, itoa(int64(b2i(p.Foreign))), created}
	return savedPetitioner{id: id, person: person, vals: vals}, nil
}

// savedPetitioner is a petitioner row savePetitioner wrote.
type savedPetitioner struct {
	id, person int64
	vals       []string // registeredPetitionerCols, opened
}

// FindPersonMatches returns earlier petitions in scope whose petitioner has
// the same ID number, credit code or phone — shown while the registrar types.
func (db *PetitionerStore) FindPersonMatches(ctx context.Context, idNumber, orgCode, phone string, limit int) ([]xinfang.PersonMatch, error) {
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	idn := db.identityOf(&xinfang.Petitioner{IDNumber: idNumber, Phone: phone, OrgCode: xinfang.NormalizeIDNumber(orgCode)})
	type key struct{ col, val, why string }
	var keys []key
	if idn.id != "" {
		keys = append(keys, key{"id_index", idn.id, "同一身份证号"})
	}
	if idn.org != "" {
		keys = append(keys, key{"org_code", idn.org, "同一统一社会信用代码"})
	}
	if idn.phone != "" {
		keys = append(keys, key{"phone_index", idn.phone, "同一联系电话"})
	}
	seen := map[int64]bool{}
	out := []xinfang.PersonMatch{}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		args := append([]any{k.val}, sargs...)
		rows, err := db.query(ctx, `SELECT `+petitionCols+petitionFrom+` WHERE p.id IN (SELECT pp.petition_id FROM petition_petitioners pp JOIN petitioners x ON x.id = pp.petitioner_id WHERE x.`+k.col+` = ? AND x.`+k.col+` <> '') AND `+scope+
			` ORDER BY p.received_at DESC LIMIT ?`, append(args, limit)...)
		found, err := scanAll(rows, err, db.scanPetition)
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, xinfang.PersonMatch{Petition: p, Reason: k.why})
			}
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
