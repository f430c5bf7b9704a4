package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"xinfang"
)

// Accountability records (问责) and responsibility letters (责任书).

const accountabilityCols = `a.id, a.target, a.unit_id, u.name, a.official_name, a.official_position, a.measure, a.decided_on, a.decided_by,
	a.ground, a.note, COALESCE(a.investigation_id, 0), COALESCE(ai.number, ''), a.created_by, a.created_by_name, a.created_at`

const accountabilityFrom = ` FROM accountabilities a JOIN units u ON u.id = a.unit_id LEFT JOIN investigations ai ON ai.id = a.investigation_id`

func scanAccountability(s interface{ Scan(...any) error }) (*xinfang.Accountability, error) {
	a := &xinfang.Accountability{Unit: &xinfang.UnitRef{}}
	var created string
	if err := s.Scan(&a.ID, &a.Target, &a.UnitID, &a.Unit.Name, &a.OfficialName, &a.OfficialPosition, &a.Measure, &a.DecidedOn, &a.DecidedBy,
		&a.Ground, &a.Note, &a.InvestigationID, &a.InvestigationNumber, &a.CreatedByID, &a.CreatedByName, &created); err != nil {
		return nil, err
	}
	a.Unit.ID, a.CreatedAt = a.UnitID, parseTime(created)
	return a, nil
}

// CreateAccountability stores an accountability record. Linked petitions
// must be visible to the inspector, linked cases and the investigation
// must exist; the deciding body defaults to the inspector's unit.
func (db *DisciplineStore) CreateAccountability(ctx context.Context, a *xinfang.Accountability) error {
	actor, err := requireDisciplineWriter(ctx)
	if err != nil {
		return err
	}
	a.PetitionIDs, a.CaseIDs = discUniqueIDs(a.PetitionIDs), discUniqueIDs(a.CaseIDs)
	if err := a.Validate(db.todayDate()); err != nil {
		return err
	}
	if a.DecidedBy == "" {
		a.DecidedBy = actor.Unit.Name
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, a.UnitID)); err != nil {
			return db.notFoundField(err, "unit_id", "单位不存在")
		}
		for _, pid := range a.PetitionIDs {
			if _, err := db.findPetition(ctx, tx, pid); err != nil {
				return db.notFoundField(err, "petition_ids", "信访件 "+itoa(pid)+" 不存在或无权查看")
			}
		}
		for _, cid := range a.CaseIDs {
			if _, err := db.discCaseRef(ctx, tx, cid); err != nil {
				if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
					return xinfang.FieldError("case_ids", "信访积案 "+itoa(cid)+" 不存在")
				}
				return err
			}
		}
		if a.InvestigationID != 0 {
			if _, err := db.findInvestigation(ctx, tx, a.InvestigationID); err != nil {
				if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
					return xinfang.FieldError("investigation_id", "提级调查不存在")
				}
				return err
			}
		}
		a.CreatedByID, a.CreatedByName, a.CreatedAt = actor.ID, actor.Name, tx.now
		id, err := tx.insert(ctx, `INSERT INTO accountabilities (target, unit_id, official_name, official_position, measure, decided_on, decided_by, ground, note, investigation_id, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Target, a.UnitID, a.OfficialName, a.OfficialPosition, a.Measure, a.DecidedOn, a.DecidedBy,
			a.Ground, a.Note, nullID(a.InvestigationID), actor.ID, actor.Name, fmtTime(tx.now))
		if err != nil {
			return err
		}
		a.ID = id
		for _, pid := range a.PetitionIDs {
			if _, err := tx.exec(ctx, `INSERT INTO accountability_petitions (accountability_id, petition_id) VALUES (?, ?)`, id, pid); err != nil {
				return err
			}
		}
		for _, cid := range a.CaseIDs {
			if _, err := tx.exec(ctx, `INSERT INTO accountability_cases (accountability_id, case_id) VALUES (?, ?)`, id, cid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindAccountabilityByID(ctx, a.ID)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

func discUniqueIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// loadAccountabilityLinks fills the linked items the reader may see and
// the linked cases, reading through q.
func (db *DisciplineStore) loadAccountabilityLinks(ctx context.Context, q rowQuerier, list []*xinfang.Accountability) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.Accountability{}
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
		a.PetitionIDs, a.CaseIDs, a.Petitions = []int64{}, []int64{}, []xinfang.PetitionRef{}
	}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return err
	}
	r := cq{db.core, q}
	rows, err := r.rows(ctx, `SELECT ap.accountability_id, p.id, p.number FROM accountability_petitions ap JOIN petitions p ON p.id = ap.petition_id
		WHERE ap.accountability_id IN (`+placeholders(len(ids))+`) AND `+scope+` ORDER BY p.id`, append(idArgs(ids), sargs...)...)
	err = eachRow(rows, err, func(r scanner) error {
		var aid int64
		var ref xinfang.PetitionRef
		if err := r.Scan(&aid, &ref.ID, &ref.Number); err != nil {
			return err
		}
		a := byID[aid]
		a.PetitionIDs = append(a.PetitionIDs, ref.ID)
		a.Petitions = append(a.Petitions, ref)
		return nil
	})
	if err != nil {
		return err
	}
	cscope, cargs, err := caseScope(ctx)
	if err != nil {
		return err
	}
	rows, err = r.rows(ctx, `SELECT ac.accountability_id, ac.case_id, c.number FROM accountability_cases ac JOIN cases c ON c.id = ac.case_id
		WHERE ac.accountability_id IN (`+placeholders(len(ids))+`) AND `+cscope+` ORDER BY ac.case_id`, append(idArgs(ids), cargs...)...)
	err = eachRow(rows, err, func(r scanner) error {
		var aid, cid int64
		var number string
		if err := r.Scan(&aid, &cid, &number); err != nil {
			return err
		}
		byID[aid].CaseIDs = append(byID[aid].CaseIDs, cid)
		byID[aid].Cases = append(byID[aid].Cases, xinfang.CaseRef{ID: cid, Number: number})
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range list {
		a.Fill()
	}
	return nil
}

// FindAccountabilityByID returns one accountability record the reader may
// see, with its links, read as one view; one of another subtree is not
// found.
func (db *DisciplineStore) FindAccountabilityByID(ctx context.Context, id int64) (*xinfang.Accountability, error) {
	scope, args, err := recordScope(ctx)
	if err != nil {
		return nil, err
	}
	var a *xinfang.Accountability
	err = db.read(ctx, func(q rowQuerier) error {
		var err error
		if a, err = scanAccountability(cq{db.core, q}.row(ctx, `SELECT `+accountabilityCols+accountabilityFrom+` WHERE a.id = ? AND `+scope, append([]any{id}, args...)...)); err != nil {
			return db.notFound(err, "问责记录不存在或无权查看")
		}
		return db.loadAccountabilityLinks(ctx, q, []*xinfang.Accountability{a})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// FindAccountabilities lists the accountability records the reader may
// see, newest decision first; the count, the page and their links are one
// view.
func (db *DisciplineStore) FindAccountabilities(ctx context.Context, f xinfang.AccountabilityFilter) ([]*xinfang.Accountability, int, error) {
	scope, args, err := recordScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	where := scope
	if f.UnitID != 0 {
		u, err := db.findUnit(ctx, f.UnitID)
		if err != nil {
			return nil, 0, db.notFoundField(err, "unit_id", "单位不存在")
		}
		c, a := subtree(u.Path, "u.path")
		where += " AND " + c
		args = append(args, a...)
	}
	if f.Measure != "" {
		if !f.Measure.Valid() {
			return nil, 0, xinfang.FieldError("measure", "未知的问责方式")
		}
		where += " AND a.measure = ?"
		args = append(args, f.Measure)
	}
	if f.Year != 0 {
		where += " AND a.decided_on >= ? AND a.decided_on < ?"
		args = append(args, fmt.Sprintf("%04d-01-01", f.Year), fmt.Sprintf("%04d-01-01", f.Year+1))
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.Accountability
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*)`+accountabilityFrom+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+accountabilityCols+accountabilityFrom+` WHERE `+where+` ORDER BY a.decided_on DESC, a.id DESC LIMIT ? OFFSET ?`,
			append(args, f.Limit, f.Offset)...)
		if out, err = scanAll(rows, err, scanAccountability); err != nil {
			return err
		}
		return db.loadAccountabilityLinks(ctx, q, out)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

const letterCols = `l.id, l.unit_id, u.name, l.year, l.signed_on, l.targets, l.note, l.created_by, l.created_by_name, l.created_at, l.updated_at`

const letterFrom = ` FROM responsibility_letters l JOIN units u ON u.id = l.unit_id`

func scanLetter(s interface{ Scan(...any) error }) (*xinfang.ResponsibilityLetter, error) {
	l := &xinfang.ResponsibilityLetter{Unit: &xinfang.UnitRef{}}
	var targets, created, updated string
	if err := s.Scan(&l.ID, &l.UnitID, &l.Unit.Name, &l.Year, &l.SignedOn, &targets, &l.Note, &l.CreatedByID, &l.CreatedByName, &created, &updated); err != nil {
		return nil, err
	}
	l.Unit.ID, l.CreatedAt, l.UpdatedAt = l.UnitID, parseTime(created), parseTime(updated)
	if err := json.Unmarshal([]byte(targets), &l.Targets); err != nil {
		return nil, fmt.Errorf("letter %d targets: %w", l.ID, err)
	}
	if l.Targets == nil {
		l.Targets = []string{}
	}
	return l, nil
}

// SaveResponsibilityLetter creates a letter (ID 0) or replaces one. A unit
// has one letter a year: a second is EINVALID naming year.
func (db *DisciplineStore) SaveResponsibilityLetter(ctx context.Context, l *xinfang.ResponsibilityLetter) error {
	actor, err := allow(ctx, xinfang.CanWriteLetters, "只有纪检监察员和市级督查员可以登记责任书")
	if err != nil {
		return err
	}
	if err := l.Validate(db.todayDate()); err != nil {
		return err
	}
	targets, err := json.Marshal(l.Targets)
	if err != nil {
		return err
	}
	dup := func() error {
		return xinfang.FieldError("year", fmt.Sprintf("该单位 %d 年度的责任书已存在", l.Year))
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, l.UnitID)); err != nil {
			return db.notFoundField(err, "unit_id", "单位不存在")
		}
		var others int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM responsibility_letters WHERE unit_id = ? AND year = ? AND id <> ?`, l.UnitID, l.Year, l.ID).Scan(&others); err != nil {
			return err
		}
		if others > 0 {
			return dup()
		}
		now := fmtTime(tx.now)
		if l.ID == 0 {
			id, err := tx.insert(ctx, `INSERT INTO responsibility_letters (unit_id, year, signed_on, targets, note, created_by, created_by_name, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.UnitID, l.Year, l.SignedOn, string(targets), l.Note, actor.ID, actor.Name, now, now)
			if db.dialect.unique(err) {
				return dup()
			}
			l.ID = id
			return err
		}
		n, err := tx.change(ctx, `UPDATE responsibility_letters SET unit_id = ?, year = ?, signed_on = ?, targets = ?, note = ?, updated_at = ? WHERE id = ?`,
			l.UnitID, l.Year, l.SignedOn, string(targets), l.Note, now, l.ID)
		if db.dialect.unique(err) {
			return dup()
		} else if err != nil {
			return err
		}
		if n != 1 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "责任书不存在")
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindResponsibilityLetterByID(ctx, l.ID)
	if err != nil {
		return err
	}
	*l = *got
	return nil
}

// FindResponsibilityLetterByID returns a letter the reader may see.
func (db *DisciplineStore) FindResponsibilityLetterByID(ctx context.Context, id int64) (*xinfang.ResponsibilityLetter, error) {
	scope, args, err := recordScope(ctx)
	if err != nil {
		return nil, err
	}
	l, err := scanLetter(db.queryRow(ctx, `SELECT `+letterCols+letterFrom+` WHERE l.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "责任书不存在或无权查看")
	}
	return l, nil
}

// FindResponsibilityLetters lists the letters the reader may see, of a
// unit's subtree and a year when given, by year (newest) and unit.
func (db *DisciplineStore) FindResponsibilityLetters(ctx context.Context, unitID int64, year int) ([]*xinfang.ResponsibilityLetter, error) {
	scope, args, err := recordScope(ctx)
	if err != nil {
		return nil, err
	}
	where := scope
	if unitID != 0 {
		u, err := db.findUnit(ctx, unitID)
		if err != nil {
			return nil, db.notFoundField(err, "unit_id", "单位不存在")
		}
		c, a := subtree(u.Path, "u.path")
		where += " AND " + c
		args = append(args, a...)
	}
	if year != 0 {
		where += " AND l.year = ?"
		args = append(args, year)
	}
	rows, err := db.query(ctx, `SELECT `+letterCols+letterFrom+` WHERE `+where+` ORDER BY l.year DESC, u.path, l.id LIMIT 1000`, args...)
	return scanAll(rows, err, scanLetter)
}
