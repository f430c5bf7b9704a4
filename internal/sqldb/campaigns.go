package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// CampaignStore is the campaigns (专项行动) over backlog cases: the
// campaign, its targets and its cases. Progress is computed from the
// cases' states and events on each read (xinfang.CampaignProgressOf).
type CampaignStore struct{ *core }

// A campaign is seen by those whose subtree holds its organising unit, by
// those inside its subtree, and city-wide; its cases only within the case
// scope (caseScope), so that every figure opens to cases the reader sees.
func campaignVisible(u *xinfang.User, unitPath string) bool {
	s := xinfang.ScopeOf(u)
	if s.None {
		return false
	}
	return s.All || strings.HasPrefix(unitPath, s.UnitPath) || strings.HasPrefix(s.UnitPath, unitPath)
}

const campaignCols = `g.id, g.name, g.unit_id, u.name, u.path, g.start_on, g.end_on, g.resolve_target, g.note, g.version, g.created_by, g.created_by_name, g.created_at,
	(SELECT COUNT(*) FROM campaign_cases gc WHERE gc.campaign_id = g.id AND gc.removed_on = '')`

const campaignFrom = ` FROM campaigns g JOIN units u ON u.id = g.unit_id`

func scanCampaign(s scanner) (*xinfang.Campaign, string, error) {
	g := &xinfang.Campaign{Targets: []xinfang.CampaignTarget{}}
	var path, created string
	if err := s.Scan(&g.ID, &g.Name, &g.UnitID, &g.UnitName, &path, &g.StartOn, &g.EndOn, &g.ResolveTarget, &g.Note, &g.Version,
		&g.CreatedByID, &g.CreatedByName, &created, &g.Cases); err != nil {
		return nil, "", err
	}
	g.CreatedAt = parseTime(created)
	return g, path, nil
}

func (db *CampaignStore) loadTargets(ctx context.Context, q rowQuerier, g *xinfang.Campaign) error {
	rows, err := cq{db.core, q}.rows(ctx, `SELECT by_date, closed FROM campaign_targets WHERE campaign_id = ? ORDER BY by_date`, g.ID)
	g.Targets, err = scanAll(rows, err, func(r scanner) (xinfang.CampaignTarget, error) {
		var t xinfang.CampaignTarget
		return t, r.Scan(&t.By, &t.Closed)
	})
	return err
}

// findCampaign reads a campaign the actor sees, with its targets.
func (db *CampaignStore) findCampaign(ctx context.Context, q rowQuerier, actor *xinfang.User, id int64) (*xinfang.Campaign, error) {
	g, path, err := scanCampaign(cq{db.core, q}.row(ctx, `SELECT `+campaignCols+campaignFrom+` WHERE g.id = ?`, id))
	if err == nil && !campaignVisible(actor, path) {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, db.notFound(err, "专项行动不存在或无权查看")
	}
	return g, db.loadTargets(ctx, q, g)
}

// FindCampaignByID returns a campaign the reader sees.
func (db *CampaignStore) FindCampaignByID(ctx context.Context, id int64) (*xinfang.Campaign, error) {
	actor, err := allow(ctx, xinfang.CanReadCampaigns, "无权查看专项行动")
	if err != nil {
		return nil, err
	}
	var g *xinfang.Campaign
	err = db.read(ctx, func(q rowQuerier) error {
		g, err = db.findCampaign(ctx, q, actor, id)
		return err
	})
	return g, err
}

// FindCampaigns lists the campaigns the reader sees, the latest first.
func (db *CampaignStore) FindCampaigns(ctx context.Context) ([]*xinfang.Campaign, error) {
	actor, err := allow(ctx, xinfang.CanReadCampaigns, "无权查看专项行动")
	if err != nil {
		return nil, err
	}
	out := []*xinfang.Campaign{}
	err = db.read(ctx, func(q rowQuerier) error {
		rows, err := cq{db.core, q}.rows(ctx, `SELECT `+campaignCols+campaignFrom+` ORDER BY g.start_on DESC, g.id DESC LIMIT 500`)
		err = eachRow(rows, err, func(r scanner) error {
			g, path, err := scanCampaign(r)
			if err == nil && campaignVisible(actor, path) {
				out = append(out, g)
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, g := range out {
			if err := db.loadTargets(ctx, q, g); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// checkCampaignUnit checks that the organising unit exists and lies in the
// actor's subtree (a unit organises drives of its own subtree), and
// returns its path.
func (db *CampaignStore) checkCampaignUnit(ctx context.Context, tx *Tx, actor *xinfang.User, unitID int64) (string, error) {
	var path string
	var disabled bool
	if err := tx.queryRow(ctx, `SELECT path, disabled FROM units WHERE id = ?`, unitID).Scan(&path, &disabled); err != nil {
		return "", db.notFoundField(err, "unit_id", "单位不存在")
	}
	if disabled {
		return "", xinfang.FieldError("unit_id", "单位已停用")
	}
	if s := xinfang.ScopeOf(actor); !s.All && !strings.HasPrefix(path, s.UnitPath) {
		return "", xinfang.FieldError("unit_id", "组织单位须为本单位或下级单位")
	}
	return path, nil
}

func (db *CampaignStore) writeTargets(ctx context.Context, tx *Tx, g *xinfang.Campaign) error {
	if _, err := tx.exec(ctx, `DELETE FROM campaign_targets WHERE campaign_id = ?`, g.ID); err != nil {
		return err
	}
	for _, t := range g.Targets {
		if _, err := tx.exec(ctx, `INSERT INTO campaign_targets (campaign_id, by_date, closed) VALUES (?, ?, ?)`, g.ID, t.By, t.Closed); err != nil {
			return err
		}
	}
	return nil
}

// CreateCampaign opens a campaign with its targets, in one transaction.
func (db *CampaignStore) CreateCampaign(ctx context.Context, g *xinfang.Campaign) error {
	actor, err := allow(ctx, xinfang.CanManageCampaigns, "无权组织专项行动")
	if err != nil {
		return err
	}
	if err := g.Validate(db.todayDate()); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		path, err := db.checkCampaignUnit(ctx, tx, actor, g.UnitID)
		if err != nil {
			return err
		}
		now := fmtTime(tx.now)
		g.ID, err = tx.insert(ctx, `INSERT INTO campaigns (name, unit_id, unit_path, start_on, end_on, resolve_target, note, created_by, created_by_name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, g.Name, g.UnitID, path, g.StartOn, g.EndOn, g.ResolveTarget, g.Note, actor.ID, actor.Name, now, now)
		if err != nil {
			return err
		}
		tx.created("campaign", g.ID)
		return db.writeTargets(ctx, tx, g)
	})
	if err != nil {
		return err
	}
	got, err := db.FindCampaignByID(ctx, g.ID)
	if err == nil {
		*g = *got
	}
	return err
}

// changeCampaign reads a campaign the actor sees in a write, checks the
// version the client read and lets fn change it; the version moves on.
func (db *CampaignStore) changeCampaign(ctx context.Context, id int64, version int, fn func(tx *Tx, actor *xinfang.User, g *xinfang.Campaign) error) (*xinfang.Campaign, error) {
	actor, err := allow(ctx, xinfang.CanManageCampaigns, "无权组织专项行动")
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		g, err := db.findCampaign(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if g.Version != version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该专项行动已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		if err := fn(tx, actor, g); err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE campaigns SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, fmtTime(tx.now), id, version)
		if err == nil && n != 1 {
			err = &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该专项行动已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindCampaignByID(ctx, id)
}

// UpdateCampaign replaces a campaign's name, unit, period, targets and note.
func (db *CampaignStore) UpdateCampaign(ctx context.Context, id int64, version int, in *xinfang.Campaign) (*xinfang.Campaign, error) {
	return db.changeCampaign(ctx, id, version, func(tx *Tx, actor *xinfang.User, g *xinfang.Campaign) error {
		if err := in.Validate(db.todayDate()); err != nil {
			return err
		}
		path, err := db.checkCampaignUnit(ctx, tx, actor, in.UnitID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE campaigns SET name = ?, unit_id = ?, unit_path = ?, start_on = ?, end_on = ?, resolve_target = ?, note = ? WHERE id = ?`,
			in.Name, in.UnitID, path, in.StartOn, in.EndOn, in.ResolveTarget, in.Note, id); err != nil {
			return err
		}
		in.ID = id
		return db.writeTargets(ctx, tx, in)
	})
}

// AddCampaignCases adds cases the actor sees to a campaign: by filter, the
// cases whose responsible unit lies in a.UnitID's subtree and that were
// open on the campaign's start day (filed by then, and not resolved
// before it); or the cases named by number, each of which must exist in
// the actor's scope (a case removed earlier comes back). It returns how
// many cases came in.
func (db *CampaignStore) AddCampaignCases(ctx context.Context, id int64, a xinfang.CampaignAdd) (*xinfang.Campaign, int, error) {
	if err := a.Validate(); err != nil {
		return nil, 0, err
	}
	added := 0
	g, err := db.changeCampaign(ctx, id, a.Version, func(tx *Tx, actor *xinfang.User, g *xinfang.Campaign) error {
		scope, sargs, err := caseScope(ctx)
		if err != nil {
			return err
		}
		if a.ByFilter {
			var path string
			if err := tx.queryRow(ctx, `SELECT path FROM units WHERE id = ?`, a.UnitID).Scan(&path); err != nil {
				return db.notFoundField(err, "unit_id", "单位不存在")
			}
			w := newConds(scope, sargs)
			w.clause(subtree(path, "c.responsible_path"))
			w.and("c.created_at < ?", fmtTime(g.StartOn.AddDays(1).Time()))
			resolved := caseResolvedAt
			w.and("("+resolved+" IS NULL OR "+resolved+" >= ?)", fmtTime(g.StartOn.Time()))
			w.and("NOT EXISTS (SELECT 1 FROM campaign_cases x WHERE x.campaign_id = ? AND x.case_id = c.id)", id)
			n, err := tx.change(ctx, `INSERT INTO campaign_cases (campaign_id, case_id, added_on, added_by)
				SELECT CAST(? AS BIGINT), c.id, CAST(? AS TEXT), CAST(? AS BIGINT) FROM cases c WHERE `+w.where(), append([]any{id, db.todayDate(), actor.ID}, w.args...)...)
			added = int(n)
			return err
		}
		p := xinfang.Problems{}
		for _, num := range a.CaseNumbers {
			num = strings.TrimSpace(num)
			var cid int64
			err := tx.queryRow(ctx, `SELECT c.id FROM cases c WHERE c.number = ? AND `+scope, append([]any{num}, sargs...)...).Scan(&cid)
			if err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					p.Add("case_numbers", "积案 "+num+" 不存在或无权查看")
					continue
				}
				return err
			}
			n, err := tx.change(ctx, `INSERT INTO campaign_cases (campaign_id, case_id, added_on, added_by) VALUES (?, ?, ?, ?)
				ON CONFLICT (campaign_id, case_id) DO UPDATE SET removed_on = '', remove_reason = '' WHERE campaign_cases.removed_on <> ''`, id, cid, db.todayDate(), actor.ID)
			if err != nil {
				return err
			}
			added += int(n)
		}
		return p.Err()
	})
	return g, added, err
}

// RemoveCampaignCase takes a case out of a campaign with a reason; the row
// stays, so that the campaign's list says why it left.
func (db *CampaignStore) RemoveCampaignCase(ctx context.Context, id int64, version int, caseID int64, reason string) (*xinfang.Campaign, error) {
	reason, err := xinfang.CheckRemoveReason(reason)
	if err != nil {
		return nil, err
	}
	return db.changeCampaign(ctx, id, version, func(tx *Tx, _ *xinfang.User, g *xinfang.Campaign) error {
		scope, sargs, err := caseScope(ctx)
		if err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE campaign_cases SET removed_on = ?, remove_reason = ? WHERE campaign_id = ? AND case_id = ? AND removed_on = ''
			AND EXISTS (SELECT 1 FROM cases c WHERE c.id = campaign_cases.case_id AND `+scope+`)`, append([]any{db.todayDate(), reason, id, caseID}, sargs...)...)
		if err == nil && n != 1 {
			err = xinfang.Errorf(xinfang.ENOTFOUND, "该积案不在专项行动中")
		}
		return err
	})
}

// caseResolvedAt is the instant case c was resolved (化解), while it is
// still 已化解 or 销号: its last 认定已化解, or its 销号 when it was struck
// off without one; NULL otherwise.
var caseResolvedAt = `(CASE WHEN c.state IN ('resolved', 'closed') THEN COALESCE(
	(SELECT MAX(ce.at) FROM case_events ce WHERE ce.case_id = c.id AND ce.what = 'resolve'),
	(SELECT MAX(ce.at) FROM case_events ce WHERE ce.case_id = c.id AND ce.what = 'close')) END)`

// caseClosedAt is the instant of its 销号 while it is struck off.
var caseClosedAt = `(CASE WHEN c.state = 'closed' THEN (SELECT MAX(ce.at) FROM case_events ce WHERE ce.case_id = c.id AND ce.what = 'close') END)`

// FindCampaignCases returns the cases of a campaign the reader sees (the
// removed ones too, with their reasons), with the days they were resolved
// and struck off read from their history.
func (db *CampaignStore) FindCampaignCases(ctx context.Context, id int64) (*xinfang.Campaign, []*xinfang.CampaignCase, error) {
	actor, err := allow(ctx, xinfang.CanReadCampaigns, "无权查看专项行动")
	if err != nil {
		return nil, nil, err
	}
	scope, sargs, err := caseScope(ctx)
	if err != nil {
		return nil, nil, err
	}
	var g *xinfang.Campaign
	var out []*xinfang.CampaignCase
	err = db.read(ctx, func(q rowQuerier) error {
		if g, err = db.findCampaign(ctx, q, actor, id); err != nil {
			return err
		}
		rows, err := cq{db.core, q}.rows(ctx, `SELECT c.id, c.number, c.title, c.state, c.responsible_unit_id, ru.name, COALESCE(c.leader_id, 0), COALESCE(lu.name, ''), c.deadline,
			COALESCE(`+caseResolvedAt+`, ''), COALESCE(`+caseClosedAt+`, ''), gc.added_on, gc.removed_on, gc.remove_reason
			FROM campaign_cases gc JOIN cases c ON c.id = gc.case_id JOIN units ru ON ru.id = c.responsible_unit_id LEFT JOIN users lu ON lu.id = c.leader_id
			WHERE gc.campaign_id = ? AND `+scope+` ORDER BY c.number`, append([]any{id}, sargs...)...)
		out, err = scanAll(rows, err, func(r scanner) (*xinfang.CampaignCase, error) {
			c := &xinfang.CampaignCase{}
			var resolved, closed string
			err := r.Scan(&c.CaseID, &c.Number, &c.Title, &c.State, &c.ResponsibleUnitID, &c.ResponsibleUnitName, &c.LeaderID, &c.LeaderName, &c.Deadline,
				&resolved, &closed, &c.AddedOn, &c.RemovedOn, &c.RemoveReason)
			if resolved != "" {
				c.ResolvedOn = calendar.DateOf(parseTime(resolved))
			}
			if closed != "" {
				c.ClosedOn = calendar.DateOf(parseTime(closed))
			}
			return c, err
		})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return g, out, nil
}

// CampaignProgress returns a campaign, its progress on today bucketed by
// week or month, and its cases.
func (db *CampaignStore) CampaignProgress(ctx context.Context, id int64, by string) (*xinfang.Campaign, *xinfang.CampaignProgress, []*xinfang.CampaignCase, error) {
	g, cases, err := db.FindCampaignCases(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return g, xinfang.CampaignProgressOf(g, cases, db.todayDate(), by), cases, nil
}
