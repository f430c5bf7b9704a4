package sqldb

import (
	"context"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// FirstVisitStore computes the 首访责任制 figures (firstvisit.go in the
// domain) over the petitions in the reader's scope.
type FirstVisitStore struct{ *core }

// yearRange is the received_at range of a Shanghai year.
func yearRange(year int) (string, string) {
	loc := calendar.Location()
	return fmtTime(time.Date(year, 1, 1, 0, 0, 0, 0, loc)), fmtTime(time.Date(year+1, 1, 1, 0, 0, 0, 0, loc))
}

func requireFirstVisitReader(ctx context.Context) error {
	_, err := allow(ctx, xinfang.CanReadCases, "首访责任制统计仅供有数据范围的工作人员查看")
	if err != nil {
		return err
	}
	return nil
}

// FirstVisitFigures returns the figures of every first unit of the items
// received in year that the reader sees, in the unit tree's order.
func (db *FirstVisitStore) FirstVisitFigures(ctx context.Context, year int) ([]xinfang.FirstVisitRow, error) {
	if err := requireFirstVisitReader(ctx); err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, xinfang.FieldError("year", "年度须在 2000–2100 之间")
	}
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	from, to := yearRange(year)
	rows, err := db.query(ctx, `SELECT p.first_unit_id, u.name, COUNT(*),
		SUM(CASE WHEN p.handling_unit_id IS NOT NULL AND p.handling_unit_id <> p.first_unit_id THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.state IN (?, ?) AND (p.handling_unit_id IS NULL OR p.handling_unit_id = p.first_unit_id) THEN 1 ELSE 0 END)
		FROM petitions p JOIN units u ON u.id = p.first_unit_id
		WHERE `+scope+` AND p.state <> ? AND p.received_at >= ? AND p.received_at < ?
		GROUP BY p.first_unit_id, u.name, u.path ORDER BY u.path`,
		append(append([]any{string(xinfang.StateConcluded), string(xinfang.StateTerminated)}, args...), string(xinfang.StateMerged), from, to)...)
	out := []xinfang.FirstVisitRow{}
	err = eachRow(rows, err, func(r scanner) error {
		var x xinfang.FirstVisitRow
		if err := r.Scan(&x.UnitID, &x.UnitName, &x.Received, &x.PassedOn, &x.Concluded); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// FirstVisitPassedOn lists the items received in year whose first unit
// was unitID and that it passed on, newest first (at most 500).
func (db *FirstVisitStore) FirstVisitPassedOn(ctx context.Context, unitID int64, year int) ([]xinfang.PassedOnItem, error) {
	if err := requireFirstVisitReader(ctx); err != nil {
		return nil, err
	}
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	from, to := yearRange(year)
	rows, err := db.query(ctx, `SELECT p.id, p.number, p.summary, p.received_at, COALESCE(h.name, ''), p.state
		FROM petitions p LEFT JOIN units h ON h.id = p.handling_unit_id
		WHERE `+scope+` AND p.first_unit_id = ? AND p.handling_unit_id IS NOT NULL AND p.handling_unit_id <> p.first_unit_id AND p.state <> ?
		AND p.received_at >= ? AND p.received_at < ? ORDER BY p.received_at DESC, p.id DESC LIMIT 500`,
		append(args, unitID, string(xinfang.StateMerged), from, to)...)
	out := []xinfang.PassedOnItem{}
	err = eachRow(rows, err, func(r scanner) error {
		var x xinfang.PassedOnItem
		var at string
		if err := r.Scan(&x.PetitionID, &x.Number, &x.Summary, &at, &x.HandlingUnit, &x.State); err != nil {
			return err
		}
		x.ReceivedAt = parseTime(at)
		out = append(out, x)
		return nil
	})
	return out, err
}
