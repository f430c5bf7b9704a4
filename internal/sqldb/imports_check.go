package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/xlsx"
)

// importChecker reads the rows of an import and checks each against the
// template's columns, the dictionaries, the units, the numbers already
// in the file and those in the database. Everything it looks up per file
// (units, categories, leaders) is read once, through q.
type importChecker struct {
	db    *core
	ctx   context.Context
	q     rowQuerier
	tx    *Tx // set when committing
	im    *xinfang.Import
	actor *xinfang.User
	scope xinfang.Scope
	now   time.Time
	cols  []xlsx.Column

	unitsByCode map[string]*xinfang.Unit
	unitsByName map[string][]*xinfang.Unit
	unitsByID   map[int64]*xinfang.Unit
	categories  map[string]string // code or label → code
	leaders     map[string][]int64
	ownNumber   *regexp.Regexp // the bureau's own numbers, which an import may not take
	seen        map[string]int // number → the row that has it first
}

func (db *core) newImportChecker(ctx context.Context, q rowQuerier, im *xinfang.Import) (*importChecker, error) {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil || actor.Unit == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	k := &importChecker{db: db, ctx: ctx, q: q, im: im, actor: actor, scope: xinfang.ScopeOf(actor), now: db.Now(), cols: xlsx.ImportColumns(im.Kind),
		unitsByCode: map[string]*xinfang.Unit{}, unitsByName: map[string][]*xinfang.Unit{}, unitsByID: map[int64]*xinfang.Unit{},
		categories: map[string]string{}, leaders: map[string][]int64{}, seen: map[string]int{}}
	r := cq{db, q}
	rows, err := r.rows(ctx, `SELECT `+unitCols+` FROM units`)
	units, err := scanAll(rows, err, scanUnit)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, u := range units {
		k.unitsByID[u.ID] = u
		if u.Disabled {
			continue
		}
		k.unitsByCode[strings.ToUpper(u.Code)] = u
		k.unitsByName[u.Name] = append(k.unitsByName[u.Name], u)
		codes = append(codes, regexp.QuoteMeta(u.Code))
	}
	if len(codes) > 0 {
		k.ownNumber = regexp.MustCompile(`^(?:` + strings.Join(codes, "|") + `)-(?:JA-)?(\d{4})-\d+$`)
	}
	rows, err = r.rows(ctx, `SELECT code, label FROM dictionary WHERE kind = ? AND active = 1`, string(xinfang.DictCategory))
	err = eachRow(rows, err, func(s scanner) error {
		var code, label string
		if err := s.Scan(&code, &label); err != nil {
			return err
		}
		k.categories[code], k.categories[label] = code, code
		return nil
	})
	if err != nil {
		return nil, err
	}
	if im.Kind == xinfang.ImportCases {
		rows, err = r.rows(ctx, `SELECT id, username, name, roles FROM users WHERE disabled = 0`)
		err = eachRow(rows, err, func(s scanner) error {
			var id int64
			var username, name, roles string
			if err := s.Scan(&id, &username, &name, &roles); err != nil {
				return err
			}
			if xinfang.CanLeadCase(&xinfang.User{ID: id, Roles: parseRoles(roles)}) {
				k.leaders[username] = append(k.leaders[username], id)
				if name != username {
					k.leaders[name] = append(k.leaders[name], id)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return k, nil
}

// walk reads the file's rows; each good row goes to commit when it is set
// (a commit), and the problems of every row are gathered. A file that
// cannot be read at all is one problem of row 1.
func (k *importChecker) walk(data []byte, done *atomic.Int64, commit func(*importRow) error) (importResult, error) {
	var res importResult
	rr, err := xlsx.OpenRows(data)
	if err != nil {
		res.add(xinfang.ImportProblem{Row: 1, Column: "文件", Message: err.Error()})
		return res, nil
	}
	defer rr.Close()
	head, _, err := rr.Next()
	if err == io.EOF {
		res.add(xinfang.ImportProblem{Row: 1, Column: "文件", Message: "文件是空的"})
		return res, nil
	}
	if err != nil {
		res.add(xinfang.ImportProblem{Row: 1, Column: "文件", Message: err.Error()})
		return res, nil
	}
	idx, probs := xlsx.HeadIndex(head, k.cols)
	if len(probs) > 0 {
		res.add(probs...)
		return res, nil
	}
	// The file is parsed on a goroutine of its own, a few hundred rows
	// ahead of the checks and writes, so that on two cores the XML of a
	// workbook is read while the database works.
	type parsed struct {
		cells []string
		line  int
		err   error
	}
	ahead := make(chan parsed, 256)
	stop := make(chan struct{})
	defer func() {
		// Stop the reader and wait for it, before the file is closed.
		close(stop)
		for range ahead {
		}
	}()
	go func() {
		defer close(ahead)
		for {
			select {
			case <-stop:
				return
			default:
			}
			cells, line, err := rr.Next()
			select {
			case ahead <- parsed{cells, line, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		next := <-ahead
		cells, line, err := next.cells, next.line, next.err
		if err == io.EOF {
			break
		}
		if err != nil {
			res.add(xinfang.ImportProblem{Row: line, Column: "文件", Message: err.Error()})
			break
		}
		if blank(cells) {
			continue
		}
		res.rows++
		if res.rows > xinfang.MaxImportRows {
			res.add(xinfang.ImportProblem{Row: line, Column: "文件", Message: fmt.Sprintf("一个文件至多 %d 行，请分开导入", xinfang.MaxImportRows)})
			break
		}
		row, probs, err := k.row(idx, cells, line)
		if err != nil {
			return res, err
		}
		done.Store(int64(res.rows))
		if len(probs) > 0 {
			res.add(probs...)
			continue
		}
		if row.unchanged {
			res.unchanged++
			continue
		}
		res.fresh++
		if commit != nil && res.errors == 0 {
			if err := commit(row); err != nil {
				var pe *rowError
				if errors.As(err, &pe) {
					res.add(xinfang.ImportProblem{Row: line, Column: pe.column, Message: pe.msg})
					continue
				}
				return res, err
			}
		}
	}
	if res.rows == 0 && res.errors == 0 {
		res.add(xinfang.ImportProblem{Row: 2, Column: "文件", Message: "文件中没有数据行"})
	}
	return res, nil
}

// rowError is a problem of a row met while writing it.
type rowError struct{ column, msg string }

func (e *rowError) Error() string { return e.column + "：" + e.msg }

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// importRow is a checked row: the item it brings in.
type importRow struct {
	line      int
	number    string
	hash      string
	unchanged bool // imported before with the same content

	p       *xinfang.Petition
	state   xinfang.State
	stateOn calendar.Date
	unitID  int64 // the handling unit
	outcome xinfang.Outcome

	c *xinfang.Case
}

// rowProblems gathers the problems of one row by column head.
type rowProblems struct {
	line  int
	probs []xinfang.ImportProblem
	seen  map[string]bool
}

func (rp *rowProblems) add(col, msg string) {
	if rp.seen == nil {
		rp.seen = map[string]bool{}
	}
	if rp.seen[col] {
		return
	}
	rp.seen[col] = true
	rp.probs = append(rp.probs, xinfang.ImportProblem{Row: rp.line, Column: col, Message: msg})
}

// row checks one row of cells.
func (k *importChecker) row(idx map[string]int, cells []string, line int) (*importRow, []xinfang.ImportProblem, error) {
	get := func(key string) string {
		if i, ok := idx[key]; ok && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	rp := &rowProblems{line: line}
	h := sha256.New()
	fmt.Fprintf(h, "xinfang import v1 %s\n", k.im.Kind)
	for _, c := range k.cols {
		v := get(c.Key)
		fmt.Fprintf(h, "%s=%q\n", c.Key, v)
		if c.Required && v == "" {
			rp.add(c.Head, "不能为空")
		}
	}
	row := &importRow{line: line, number: get("number"), hash: hex.EncodeToString(h.Sum(nil))}
	head := k.heads()
	if row.number != "" {
		if len([]rune(row.number)) > 64 || strings.ContainsAny(row.number, " \t\r\n") {
			rp.add(head["number"], "编号不超过 64 个字符，且不含空白")
		} else if first, dup := k.seen[row.number]; dup {
			rp.add(head["number"], fmt.Sprintf("与第 %d 行的原编号重复", first))
		} else {
			k.seen[row.number] = line
			if m := k.ownNumberYear(row.number); m >= calendar.DateOf(k.now).Year {
				rp.add(head["number"], "与本系统的编号规则（单位代码-年份-序号）相同，会与今后登记的编号冲突，请保留原台账的编号格式或加前缀")
			}
		}
	}
	if !rp.seen[head["number"]] && row.number != "" {
		table := "petitions"
		if k.im.Kind == xinfang.ImportCases {
			table = "cases"
		}
		var hash string
		var imported int64
		err := cq{k.db, k.q}.row(k.ctx, `SELECT import_hash, COALESCE(import_id, 0) FROM `+table+` WHERE number = ?`, row.number).Scan(&hash, &imported)
		switch {
		case err == nil && imported != 0 && hash == row.hash:
			row.unchanged = true
			return row, nil, nil
		case err == nil && imported != 0:
			rp.add(head["number"], "该编号已于此前导入，内容与本行不同；已导入的信访件请在系统中办理，不能以导入修改")
		case err == nil:
			rp.add(head["number"], "系统中已有此编号")
		case !isNoRows(err):
			return nil, nil, err
		}
	}
	if k.im.Kind == xinfang.ImportCases {
		k.caseRow(row, get, rp)
	} else {
		k.petitionRow(row, get, rp)
	}
	return row, rp.probs, nil
}

func (k *importChecker) heads() map[string]string {
	m := make(map[string]string, len(k.cols))
	for _, c := range k.cols {
		m[c.Key] = c.Head
	}
	return m
}

// ownNumberYear returns the year of a number made by the bureau's own
// rule for one of its units, 0 for any other number.
func (k *importChecker) ownNumberYear(n string) int {
	if k.ownNumber == nil {
		return 0
	}
	m := k.ownNumber.FindStringSubmatch(strings.ToUpper(n))
	if m == nil {
		return 0
	}
	y, _ := strconv.Atoi(m[1])
	return y
}

// unit finds a unit by code or by name; a name that several units bear
// must be given as a code.
func (k *importChecker) unit(v string) (*xinfang.Unit, string) {
	if u := k.unitsByCode[strings.ToUpper(v)]; u != nil {
		return u, ""
	}
	switch us := k.unitsByName[v]; len(us) {
	case 0:
		return nil, "没有名称或代码为“" + v + "”的单位（见模板的“字典”）"
	case 1:
		return us[0], ""
	default:
		return nil, "有 " + strconv.Itoa(len(us)) + " 个单位名为“" + v + "”，请填写单位代码"
	}
}

// inScope reports whether the importer's data scope holds unit u.
func (k *importChecker) inScope(u *xinfang.Unit) bool {
	return k.scope.All || strings.HasPrefix(u.Path, k.scope.UnitPath)
}

// labelled finds v among labels by code or label.
func labelled(labels []xinfang.Label, v string) (string, bool) {
	for _, l := range labels {
		if v == l.Code || v == l.Label {
			return l.Code, true
		}
	}
	return "", false
}

func labelNames(labels []xinfang.Label) string {
	names := make([]string, 0, len(labels))
	for _, l := range labels {
		names = append(names, l.Label)
	}
	return strings.Join(names, "、")
}

// parseImportDate reads a date, with or without a time, as a ledger
// writes one, or an Excel date serial; times are Shanghai's.
func parseImportDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 20000 && f < 80000 && !strings.ContainsAny(v, "-/") {
		// Excel's serial: days since 1899-12-30, the fraction the time.
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, calendar.Location())
		days := int(f)
		secs := int((f-float64(days))*86400 + 0.5)
		return base.AddDate(0, 0, days).Add(time.Duration(secs) * time.Second), nil
	}
	v = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-", "T", " ").Replace(v)
	for _, layout := range []string{"2006-1-2 15:04:05", "2006-1-2 15:04", "2006-1-2", "20060102"} {
		if t, err := time.ParseInLocation(layout, v, calendar.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("日期格式应为 YYYY-MM-DD（可带时间 HH:MM）")
}

// petitionFields map the fields Petition.Validate names to the columns.
var petitionFields = map[string]string{
	"channel": "channel", "received_at": "received_at", "summary": "summary", "content": "content", "request": "request",
	"category": "category", "purpose": "purpose", "locality_id": "locality", "person_count": "person_count", "involved_count": "person_count",
	"petitioner.name": "name", "petitioner.id_number": "id_number", "petitioner.phone": "phone", "petitioner.address": "address",
	"petitioner.id_type": "id_number",
}

// stateUnit says which states need the handling unit, and which the
// outcome.
func stateNeedsUnit(s xinfang.State) bool {
	switch s {
	case xinfang.StatePendingSign, xinfang.StateSigned, xinfang.StateHandling, xinfang.StateReplied, xinfang.StateConcluded:
		return true
	}
	return false
}

func stateNeedsOutcome(s xinfang.State) bool {
	return s == xinfang.StateReplied || s == xinfang.StateConcluded
}

func (k *importChecker) petitionRow(row *importRow, get func(string) string, rp *rowProblems) {
	head := k.heads()
	p := &xinfang.Petition{Number: row.number, Summary: get("summary"), Content: get("content"), Request: get("request"),
		Petitioner: &xinfang.Petitioner{Name: get("name"), IDNumber: get("id_number"), Phone: get("phone"), Address: get("address")}}
	row.p = p
	if v := get("received_at"); v != "" {
		if t, err := parseImportDate(v); err != nil {
			rp.add(head["received_at"], err.Error())
		} else {
			p.ReceivedAt = t
		}
	}
	if v := get("channel"); v != "" {
		if c, ok := labelled(xinfang.Channels, v); ok {
			p.Channel = xinfang.Channel(c)
		} else {
			rp.add(head["channel"], "应为 "+labelNames(xinfang.Channels))
		}
	}
	if p.Petitioner.Name == "匿名" {
		p.Anonymous = true
	}
	if v := get("person_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			rp.add(head["person_count"], "应为正整数")
		}
		p.PersonCount = n
	}
	if v := get("category"); v != "" {
		if c, ok := k.categories[v]; ok {
			p.Category = c
		} else {
			rp.add(head["category"], "内容分类“"+v+"”不在字典中")
		}
	}
	if v := get("purpose"); v != "" {
		if c, ok := labelled(xinfang.Purposes, v); ok {
			p.Purpose = xinfang.Purpose(c)
		} else {
			rp.add(head["purpose"], "应为 "+labelNames(xinfang.Purposes))
		}
	}
	if v := get("locality"); v != "" {
		if u, msg := k.unit(v); u != nil {
			p.LocalityID, p.Locality = u.ID, u
		} else {
			rp.add(head["locality"], msg)
		}
	}
	p.RegUnitID = k.actor.UnitID
	if v := get("reg_unit"); v != "" {
		if u, msg := k.unit(v); u == nil {
			rp.add(head["reg_unit"], msg)
		} else if !k.inScope(u) {
			rp.add(head["reg_unit"], "登记单位须在本人数据范围内")
		} else {
			p.RegUnitID = u.ID
		}
	}
	switch v := get("legal_case"); v {
	case "", "否", "0", "N", "n":
	case "是", "1", "Y", "y":
		p.LegalCase = true
	default:
		rp.add(head["legal_case"], "应为 是 或 否")
	}
	if v := get("state"); v != "" {
		if c, ok := labelled(xinfang.ImportableStateLabels(), v); ok {
			row.state = xinfang.State(c)
		} else {
			rp.add(head["state"], "应为 "+labelNames(xinfang.ImportableStateLabels()))
		}
	}
	if v := get("handling_unit"); v != "" {
		if u, msg := k.unit(v); u == nil {
			rp.add(head["handling_unit"], msg)
		} else {
			row.unitID = u.ID
		}
	} else if stateNeedsUnit(row.state) {
		rp.add(head["handling_unit"], "状态为“"+row.state.Label()+"”须填写承办单位")
	}
	if v := get("outcome"); v != "" {
		if c, ok := labelled(xinfang.Outcomes, v); ok {
			row.outcome = xinfang.Outcome(c)
		} else {
			rp.add(head["outcome"], "应为 "+labelNames(xinfang.Outcomes))
		}
	} else if stateNeedsOutcome(row.state) {
		rp.add(head["outcome"], "状态为“"+row.state.Label()+"”须填写处理结果")
	}
	if !p.ReceivedAt.IsZero() {
		row.stateOn = calendar.DateOf(p.ReceivedAt)
	}
	if v := get("state_on"); v != "" {
		t, err := parseImportDate(v)
		switch {
		case err != nil:
			rp.add(head["state_on"], err.Error())
		case !p.ReceivedAt.IsZero() && calendar.DateOf(t).Before(calendar.DateOf(p.ReceivedAt)):
			rp.add(head["state_on"], "状态日期不能早于收到日期")
		case calendar.DateOf(t).After(calendar.DateOf(k.now)):
			rp.add(head["state_on"], "状态日期不能晚于今天")
		default:
			row.stateOn = calendar.DateOf(t)
		}
	}
	// The registration's own rules, each named by its column.
	if err := p.Validate(k.now); err != nil {
		for field, msg := range xinfang.ErrorFields(err) {
			key, ok := petitionFields[field]
			if !ok {
				key = "number"
			}
			if (field == "locality_id" && get("locality") != "") || (field == "received_at" && p.ReceivedAt.IsZero() && get("received_at") != "") {
				continue // said above
			}
			rp.add(head[key], msg)
		}
	}
}

func (k *importChecker) caseRow(row *importRow, get func(string) string, rp *rowProblems) {
	head := k.heads()
	c := &xinfang.Case{Number: row.number, Title: get("title"), Summary: get("summary"), Petitioners: get("petitioners"), PetitionIDs: []int64{}}
	row.c = c
	if v := get("source"); v != "" {
		if s, ok := labelled(xinfang.CaseSources, v); ok {
			c.Source = xinfang.CaseSource(s)
		} else {
			rp.add(head["source"], "应为 "+labelNames(xinfang.CaseSources))
		}
	}
	if v := get("unit"); v != "" {
		if u, msg := k.unit(v); u == nil {
			rp.add(head["unit"], msg)
		} else if !k.inScope(u) {
			rp.add(head["unit"], "责任单位须为本单位或下级单位")
		} else {
			c.ResponsibleUnitID = u.ID
		}
	}
	if v := get("leader"); v != "" {
		switch ids := k.leaders[v]; len(ids) {
		case 0:
			rp.add(head["leader"], "没有用户名或姓名为“"+v+"”的领导")
		case 1:
			c.LeaderID = ids[0]
		default:
			rp.add(head["leader"], "有多位领导名为“"+v+"”，请填写用户名")
		}
	}
	today := calendar.DateOf(k.now)
	if v := get("deadline"); v != "" {
		if t, err := parseImportDate(v); err != nil {
			rp.add(head["deadline"], err.Error())
		} else {
			c.Deadline = calendar.DateOf(t)
		}
	}
	if v := get("created_on"); v != "" {
		t, err := parseImportDate(v)
		switch {
		case err != nil:
			rp.add(head["created_on"], err.Error())
		case calendar.DateOf(t).After(today):
			rp.add(head["created_on"], "立案日期不能晚于今天")
		default:
			c.CreatedAt = t
		}
	}
	switch v := get("state"); v {
	case "":
	case "未化解", string(xinfang.CaseUnresolved):
		c.State = xinfang.CaseUnresolved
	case "化解中", string(xinfang.CaseResolving):
		c.State = xinfang.CaseResolving
	default:
		rp.add(head["state"], "应为 未化解 或 化解中（已化解、销号的积案须有化解情况和包案领导签字，不由导入带入）")
	}
	if v := get("petitions"); v != "" {
		for _, n := range strings.FieldsFunc(v, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == ' ' }) {
			var id int64
			err := cq{k.db, k.q}.row(k.ctx, `SELECT id FROM petitions WHERE number = ?`, n).Scan(&id)
			if err != nil {
				rp.add(head["petitions"], "信访件 "+n+" 不存在")
				break
			}
			c.PetitionIDs = append(c.PetitionIDs, id)
		}
	}
	// The case's own rules; a deadline already past is the case's
	// history, not an error.
	check := today
	if !c.Deadline.IsZero() && c.Deadline.Before(check) {
		check = c.Deadline
	}
	if err := c.Validate(check); err != nil {
		keys := map[string]string{"title": "title", "summary": "summary", "petitioners": "petitioners", "deadline": "deadline",
			"source": "source", "responsible_unit_id": "unit", "petition_ids": "petitions"}
		for field, msg := range xinfang.ErrorFields(err) {
			key, ok := keys[field]
			if !ok {
				key = "number"
			}
			if (field == "source" && get("source") != "") || (field == "responsible_unit_id" && get("unit") != "") {
				continue // said above
			}
			rp.add(head[key], msg)
		}
	}
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
