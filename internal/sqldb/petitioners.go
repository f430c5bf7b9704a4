package sqldb

import (
	"context"
	"database/sql"

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

// savePetitioner writes the petitioner as registered with one petition:
// a new row, sealed, whatever rows the same person has, so that a
// registration neither reads nor changes what another item holds. The
// row joins the person of the earlier rows with the same ID number or
// credit code (person_id), which only repeat detection and the watch list
// compare and which is never shown; it returns the row's id and the
// person's.
func (db *core) savePetitioner(ctx context.Context, tx *Tx, p *xinfang.Petitioner) (id, person int64, err error) {
	if p.Gender == "" && p.IDNumber != "" && p.IDType == xinfang.IDCard {
		p.Gender = xinfang.GenderFromID(p.IDNumber)
	}
	idn := db.identityOf(p)
	switch {
	case idn.id != "":
		err = tx.queryRow(ctx, `SELECT person_id FROM petitioners WHERE id_index = ? AND id_index <> '' ORDER BY id LIMIT 1`, idn.id).Scan(&person)
	case p.OrgCode != "":
		err = tx.queryRow(ctx, `SELECT person_id FROM petitioners WHERE org_code = ? AND org_code <> '' ORDER BY id LIMIT 1`, p.OrgCode).Scan(&person)
	default:
		err = sql.ErrNoRows
	}
	if err != nil && err != sql.ErrNoRows {
		return 0, 0, err
	}
	seal := func(col, v string) string { return db.Keys.Seal(sealedField(col), v) }
	id, err = tx.insert(ctx, `INSERT INTO petitioners (person_id, org, name, id_type, id_number, id_index, org_code, phone, phone_index, gender, ethnicity, occupation,
		hukou_address, residence, address, key_person, key_reason, foreign_flag, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		person, b2i(p.Org), p.Name, p.IDType, seal("id_number", p.IDNumber), idn.id, p.OrgCode, seal("phone", p.Phone), idn.phone, p.Gender, p.Ethnicity, p.Occupation,
		seal("hukou_address", p.HukouAddress), seal("residence", p.Residence), seal("address", p.Address), b2i(p.KeyPerson), p.KeyReason, b2i(p.Foreign), fmtTime(tx.now))
	if err != nil {
		return 0, 0, err
	}
	if person == 0 {
		person = id
		if _, err := tx.exec(ctx, `UPDATE petitioners SET person_id = ? WHERE id = ?`, id, id); err != nil {
			return 0, 0, err
		}
	}
	return id, person, nil
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
