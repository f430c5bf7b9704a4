package sqldb

import (
	"context"
	_ "embed"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

//go:embed dictionary.txt
var defaultDictionary string

// seed fills the dictionaries and the holiday calendar on an empty
// database. It runs at every start and only inserts what is missing from
// an empty table, so an administrator's edits stay.
func (db *core) seed(ctx context.Context) error {
	return db.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM dictionary`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			sort := 0
			for _, line := range strings.Split(defaultDictionary, "\n") {
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				f := strings.Split(line, "|")
				sort++
				if _, err := tx.exec(ctx, `INSERT INTO dictionary (kind, code, parent, label, sort, active) VALUES (?, ?, ?, ?, ?, 1)`, f[0], f[1], f[2], f[3], sort); err != nil {
					return err
				}
			}
		}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM holidays`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			for _, o := range calendar.DefaultOverrides() {
				if _, err := tx.exec(ctx, `INSERT INTO holidays (day, kind, name) VALUES (?, ?, ?)`, o.Date.String(), string(o.Kind), o.Name); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Dictionary returns the entries of kind ("" for all), in order.
func (db *DirectoryStore) Dictionary(ctx context.Context, kind xinfang.DictKind) ([]xinfang.DictEntry, error) {
	rows, err := db.query(ctx, `SELECT kind, code, parent, label, sort, active FROM dictionary WHERE (? = '' OR kind = ?) ORDER BY kind, sort, code`, kind, kind)
	return scanAll(rows, err, func(r scanner) (xinfang.DictEntry, error) {
		var e xinfang.DictEntry
		err := r.Scan(&e.Kind, &e.Code, &e.Parent, &e.Label, &e.Sort, &e.Active)
		return e, err
	})
}

// DictLabel returns the label of code in kind, or code.
func (db *DirectoryStore) DictLabel(ctx context.Context, kind xinfang.DictKind, code string) string {
	return db.dictLabel(ctx, kind, code)
}

func (db *core) dictLabel(ctx context.Context, kind xinfang.DictKind, code string) string {
	l, err := db.dictEntry(ctx, kind, code)
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			// A label is for display; the code stands in for it.
			db.Logger.Warn("dictionary label", "kind", kind, "code", code, "err", err)
		}
		return code
	}
	return l
}

// dictEntry returns the label of code in kind, ENOTFOUND when there is none.
func (db *core) dictEntry(ctx context.Context, kind xinfang.DictKind, code string) (string, error) {
	var l string
	if err := db.queryRow(ctx, `SELECT label FROM dictionary WHERE kind = ? AND code = ?`, kind, code).Scan(&l); err != nil {
		return "", db.notFound(err, "字典条目不存在")
	}
	return l, nil
}

// SaveDictEntry adds or changes a dictionary entry (administrators only).
func (db *DirectoryStore) SaveDictEntry(ctx context.Context, e xinfang.DictEntry) error {
	if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
		return err
	}
	p := xinfang.Problems{}
	if !e.Kind.Valid() {
		p.Add("kind", "未知的字典")
	}
	e.Code = strings.TrimSpace(e.Code)
	if e.Code == "" || len(e.Code) > 32 || xinfang.LineProblem(e.Code) != "" {
		p.Add("code", "代码不能为空且不超过 32 位")
	}
	label, err := xinfang.CheckName("label", e.Label)
	if m := xinfang.ErrorFields(err)["label"]; m != "" {
		p.Add("label", m)
	}
	if e.Label = label; e.Label == "" {
		p.Add("label", "名称不能为空")
	}
	if err := p.Err(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if e.Parent != "" {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM dictionary WHERE kind = ? AND code = ?`, e.Kind, e.Parent).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return xinfang.FieldError("parent", "上级条目不存在")
			}
		}
		n, err := tx.change(ctx, `UPDATE dictionary SET parent = ?, label = ?, sort = ?, active = ? WHERE kind = ? AND code = ?`, e.Parent, e.Label, e.Sort, b2i(e.Active), e.Kind, e.Code)
		if err != nil {
			return err
		}
		if n == 0 {
			_, err = tx.exec(ctx, `INSERT INTO dictionary (kind, code, parent, label, sort, active) VALUES (?, ?, ?, ?, ?, ?)`, e.Kind, e.Code, e.Parent, e.Label, e.Sort, b2i(e.Active))
		}
		return err
	})
}

func (db *core) holidays(ctx context.Context) ([]calendar.Override, error) {
	rows, err := db.query(ctx, `SELECT day, kind, name FROM holidays ORDER BY day`)
	return scanAll(rows, err, func(r scanner) (calendar.Override, error) {
		var day, kind, name string
		if err := r.Scan(&day, &kind, &name); err != nil {
			return calendar.Override{}, err
		}
		d, err := calendar.ParseDate(day)
		return calendar.Override{Date: d, Kind: calendar.DayKind(kind), Name: name}, err
	})
}

// Holidays returns the calendar's overrides (holidays and make-up working days).
func (db *DirectoryStore) Holidays(ctx context.Context) ([]calendar.Override, error) {
	return db.holidays(ctx)
}

// SaveHoliday sets the kind of one day (administrators only); an empty kind
// removes the override, making the day an ordinary weekday or weekend.
func (db *DirectoryStore) SaveHoliday(ctx context.Context, o calendar.Override) error {
	if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
		return err
	}
	if o.Date.IsZero() {
		return xinfang.FieldError("date", "请填写日期")
	}
	if err := xinfang.CheckDate("date", o.Date, db.todayDate()); err != nil {
		return err
	}
	if o.Kind != "" && !o.Kind.Valid() {
		return xinfang.FieldError("kind", "类型须为 holiday（放假）或 workday（调休上班）")
	}
	var err error
	if o.Name, err = xinfang.CheckName("name", o.Name); err != nil {
		return err
	}
	if o.Kind != "" && o.Name == "" {
		return xinfang.FieldError("name", "请填写节日名称")
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM holidays WHERE day = ?`, o.Date.String()); err != nil {
			return err
		}
		if o.Kind == "" {
			return nil
		}
		_, err := tx.exec(ctx, `INSERT INTO holidays (day, kind, name) VALUES (?, ?, ?)`, o.Date.String(), string(o.Kind), strings.TrimSpace(o.Name))
		return err
	})
	db.invalidateCalendar()
	return err
}

// allow returns the acting user when the domain's rule (policy.go)
// admits it: EUNAUTHORIZED without a user, EFORBIDDEN "无权进行此操作"
// when the rule says no. Storage decides no "who may" of its own.
func allow(ctx context.Context, rule func(*xinfang.User) bool, refusal ...string) (*xinfang.User, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if !rule(u) {
		msg := "无权进行此操作"
		if len(refusal) > 0 {
			msg = refusal[0]
		}
		return nil, xinfang.Errorf(xinfang.EFORBIDDEN, "%s", msg)
	}
	return u, nil
}

// mayFileCase is CanWorkOnCase before there is a case: filing one, and
// splitting a petition into 三跨三分离 tasks.
func mayFileCase(u *xinfang.User) bool { return xinfang.CanWorkOnCase(u, nil) }
