package sqldb

import (
	"context"
	"database/sql"

	"xinfang"
)

type sqlRow = sql.Row
type sqlRows = sql.Rows

const petitionerCols = `id, org, name, id_type, id_number, org_code, phone, gender, ethnicity, occupation, hukou_address, residence, address, key_person, key_reason, foreign_flag`

func scanPetitioner(s interface{ Scan(...any) error }) (*xinfang.Petitioner, error) {
	p := &xinfang.Petitioner{}
	err := s.Scan(&p.ID, &p.Org, &p.Name, &p.IDType, &p.IDNumber, &p.OrgCode, &p.Phone, &p.Gender, &p.Ethnicity, &p.Occupation, &p.HukouAddress, &p.Residence, &p.Address, &p.KeyPerson, &p.KeyReason, &p.Foreign)
	return p, err
}

func (db *core) findPetitioner(ctx context.Context, q rowQuerier, id int64) (*xinfang.Petitioner, error) {
	p, err := scanPetitioner(cq{db, q}.row(ctx, `SELECT `+petitionerCols+` FROM petitioners WHERE id = ?`, id))
	if err != nil {
		return nil, db.notFound(err, "信访人不存在")
	}
	return p, nil
}

// savePetitioner finds the petitioner by identity (ID number or credit
// code) and fills in what the record lacks, or creates it.
func (db *core) savePetitioner(ctx context.Context, tx *Tx, p *xinfang.Petitioner) (int64, error) {
	var id int64
	var err error
	switch {
	case p.IDNumber != "":
		err = tx.queryRow(ctx, `SELECT id FROM petitioners WHERE id_number = ? AND id_number <> '' ORDER BY id LIMIT 1`, p.IDNumber).Scan(&id)
	case p.OrgCode != "":
		err = tx.queryRow(ctx, `SELECT id FROM petitioners WHERE org_code = ? AND org_code <> '' ORDER BY id LIMIT 1`, p.OrgCode).Scan(&id)
	default:
		err = sql.ErrNoRows
	}
	if err == nil {
		_, err = tx.exec(ctx, `UPDATE petitioners SET
			phone = CASE WHEN ? <> '' THEN ? ELSE phone END,
			address = CASE WHEN ? <> '' THEN ? ELSE address END,
			residence = CASE WHEN ? <> '' THEN ? ELSE residence END WHERE id = ?`,
			p.Phone, p.Phone, p.Address, p.Address, p.Residence, p.Residence, id)
		return id, err
	} else if err != sql.ErrNoRows {
		return 0, err
	}
	if p.Gender == "" && p.IDNumber != "" && p.IDType == xinfang.IDCard {
		p.Gender = xinfang.GenderFromID(p.IDNumber)
	}
	return tx.insert(ctx, `INSERT INTO petitioners (org, name, id_type, id_number, org_code, phone, gender, ethnicity, occupation, hukou_address, residence, address, key_person, key_reason, foreign_flag, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b2i(p.Org), p.Name, p.IDType, p.IDNumber, p.OrgCode, p.Phone, p.Gender, p.Ethnicity, p.Occupation, p.HukouAddress, p.Residence, p.Address, b2i(p.KeyPerson), p.KeyReason, b2i(p.Foreign), fmtTime(tx.now))
}

// FindPersonMatches returns earlier petitions in scope whose petitioner has
// the same ID number, credit code or phone — shown while the registrar types.
func (db *PetitionerStore) FindPersonMatches(ctx context.Context, idNumber, orgCode, phone string, limit int) ([]xinfang.PersonMatch, error) {
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	idNumber, orgCode = xinfang.NormalizeIDNumber(idNumber), xinfang.NormalizeIDNumber(orgCode)
	type key struct{ col, val, why string }
	var keys []key
	if idNumber != "" {
		keys = append(keys, key{"id_number", idNumber, "同一身份证号"})
	}
	if orgCode != "" {
		keys = append(keys, key{"org_code", orgCode, "同一统一社会信用代码"})
	}
	if phone != "" {
		keys = append(keys, key{"phone", phone, "同一联系电话"})
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
		found, err := scanAll(rows, err, scanPetition)
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
