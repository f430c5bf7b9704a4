package sqldb

import (
	"context"
	"fmt"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// SaveHolidayYear sets the whole schedule of one year at once, as the
// State Council publishes it (国务院办公厅关于某年部分节假日安排的通知):
// the year's holidays and make-up working days become exactly days, in one
// transaction; a day named twice, a day of another year, a kind or a name
// missing refuses the whole, naming the day. Administrators only.
func (db *DirectoryStore) SaveHolidayYear(ctx context.Context, year int, days []calendar.Override) error {
	if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
		return err
	}
	today := db.todayDate()
	if err := xinfang.CheckDate("year", calendar.MakeDate(year, 1, 1), today); err != nil || year < 2000 {
		return xinfang.FieldError("year", fmt.Sprintf("年份 %d 不合理", year))
	}
	p := xinfang.Problems{}
	seen := map[calendar.Date]bool{}
	for i := range days {
		o := &days[i]
		field := "days." + o.Date.String()
		switch {
		case o.Date.Year != year:
			p.Add(field, fmt.Sprintf("%s 不在 %d 年", o.Date, year))
		case seen[o.Date]:
			p.Add(field, o.Date.String()+" 重复")
		case !o.Kind.Valid():
			p.Add(field, o.Date.String()+" 的类型须为放假或调休上班")
		}
		seen[o.Date] = true
		name, err := xinfang.CheckName(field, o.Name)
		if err != nil {
			p.Add(field, xinfang.ErrorFields(err)[field])
		} else if o.Name = strings.TrimSpace(name); o.Name == "" {
			p.Add(field, o.Date.String()+" 须写明节日名称")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM holidays WHERE day >= ? AND day <= ?`, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)); err != nil {
			return err
		}
		for _, o := range days {
			if _, err := tx.exec(ctx, `INSERT INTO holidays (day, kind, name) VALUES (?, ?, ?)`, o.Date.String(), string(o.Kind), o.Name); err != nil {
				return err
			}
		}
		return nil
	})
	db.invalidateCalendar()
	return err
}
