package procedure

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xinfang"
	"xinfang/internal/calendar"
)

// Lookup resolves references in an action's data and answers the facts
// the guards need beyond the item's own history. Storage implements it,
// inside the acting transaction; the rules that read the facts are the
// guards' (guards.go), so storage only loads them. Unit and Petition
// return an ENOTFOUND *xinfang.Error for unknown ids, and Petition applies
// the actor's data scope.
type Lookup interface {
	Unit(id int64) (*xinfang.Unit, error)
	// Petition returns the projection of a petition, with its State and
	// ReceivedAt: the facts of a merge target (guardMerge).
	Petition(id int64) (*xinfang.Petition, error)
	// OpenTasks returns the number of open 三跨三分离 tasks of a petition
	// (guardConclude).
	OpenTasks(petitionID int64) (int, error)
}

// Request is an action on a petition as storage hands it to Apply.
type Request struct {
	Petition *xinfang.Petition // the projection, with RegUnit and HandlingUnit loaded
	Events   []*xinfang.Event  // its history, in order
	Actor    *xinfang.User     // with Unit loaded
	Input    xinfang.ActionInput
	Now      time.Time
	// Petitioner marks the petitioner acting on the portal: Actor is then
	// the portal's account, and ApplyPetitioner checks state, data and
	// guards instead of role and side.
	Petitioner bool
}

// GuardContext is what a guard sees.
type GuardContext struct {
	Pr       *Procedure
	Req      *Request
	Status   *Status
	Today    calendar.Date
	Data     map[string]string
	Resolved map[string]any // *xinfang.Unit or *xinfang.Petition per reference field
	Lookup   Lookup         // the facts beyond the item's history
}

// Apply checks an action against the table and returns the event that
// records it. It never changes its inputs. Errors: EINVALID (unknown action,
// missing or bad data, a window that has closed), ECONFLICT (the item's
// state or version does not allow it), EFORBIDDEN (role or unit).
func (pr *Procedure) Apply(r Request, lk Lookup) (*xinfang.Event, error) {
	in := r.Input
	t, ok := Find(in.Action)
	if !ok {
		return nil, xinfang.FieldError("action", "未知的办理操作："+string(in.Action))
	}
	p := r.Petition
	if in.Version != p.Version {
		return nil, &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已被他人修改（版本 " + strconv.Itoa(in.Version) + "，当前 " + strconv.Itoa(p.Version) + "），请刷新后重试",
			Fields: map[string]string{"version": "版本已过期"}}
	}
	if err := pr.Permit(t, p, r.Actor); err != nil {
		return nil, err
	}
	r.Petitioner = false
	return pr.apply(t, r, lk)
}

// apply checks an action's data and guard and returns its event; Apply
// and ApplyPetitioner have checked who may take it.
func (pr *Procedure) apply(t *Transition, r Request, lk Lookup) (*xinfang.Event, error) {
	in, p := r.Input, r.Petition
	data, resolved, err := pr.checkData(t, in.Data, lk, calendar.DateOf(r.Now))
	if err != nil {
		return nil, err
	}
	at, err := actionTime(r)
	if err != nil {
		return nil, err
	}
	// Windows and dates are judged on the day the action happened, which is
	// today unless staff back-dated the record.
	st := pr.Derive(r.Events, at)
	if t.Guard != nil {
		g := &GuardContext{Pr: pr, Req: &r, Status: st, Today: calendar.DateOf(at), Data: data, Resolved: resolved, Lookup: lk}
		if err := t.Guard(g); err != nil {
			return nil, err
		}
	}
	to := t.To
	if to == "" {
		to = p.State
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > 2000 {
		return nil, xinfang.FieldError("note", "备注不超过 2000 字")
	}
	seq := len(r.Events) + 1
	e := &xinfang.Event{
		PetitionID: p.ID, Seq: seq, Action: t.Action, From: p.State, To: to,
		ActorID: r.Actor.ID, ActorName: r.Actor.Name, ActorUnitID: r.Actor.UnitID,
		At: at, Note: note, Data: data,
	}
	return e, nil
}

// skew is how far ahead of Now a client's clock may be.
const skew = 5 * time.Minute

// actionTime is the instant the action happened: Input.At when staff
// back-dated it (xinfang.ActionInput: "never into the future"), else Now.
// It was ignored before, so a back-dated delivery was recorded as of now.
// It may not precede the last event, since the history is replayed in order.
func actionTime(r Request) (time.Time, error) {
	at := r.Input.At
	if at.IsZero() {
		return r.Now, nil
	}
	if at.After(r.Now.Add(skew)) {
		return time.Time{}, xinfang.FieldError("at", "办理时间不能晚于现在")
	}
	if at.After(r.Now) {
		at = r.Now
	}
	if n := len(r.Events); n > 0 && at.Before(r.Events[n-1].At) {
		last := r.Events[n-1].At.In(calendar.Location()).Format("2006-01-02 15:04")
		return time.Time{}, xinfang.FieldError("at", "办理时间不能早于上一步办理时间 "+last)
	}
	return at, nil
}

// Permit checks state, role and side of t for actor on p, without data.
func (pr *Procedure) Permit(t *Transition, p *xinfang.Petition, actor *xinfang.User) error {
	if !t.allowsState(p.State) {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "信访件当前为「" + p.State.Label() + "」，不能" + t.Action.Label(),
			Fields: map[string]string{"action": "当前状态不允许此操作"}}
	}
	if t.Applies != nil && !t.Applies(p) {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: t.Action.Label() + "不适用于该信访件", Fields: map[string]string{"action": "不适用"}}
	}
	if actor == nil || actor.Unit == nil {
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if !t.allowsRole(actor) {
		labels := make([]string, len(t.Roles))
		for i, r := range t.Roles {
			labels[i] = xinfang.LabelOf(xinfang.Roles, string(r))
		}
		return xinfang.Errorf(xinfang.EFORBIDDEN, "%s须由%s办理", t.Action.Label(), strings.Join(labels, "或"))
	}
	if !sideAllows(t.Side, p, actor) {
		return xinfang.Errorf(xinfang.EFORBIDDEN, "本单位不是该信访件的%s，不能%s", sideName(t.Side), t.Action.Label())
	}
	return nil
}

func sideName(s Side) string {
	switch s {
	case SideRegistering:
		return "登记单位"
	case SideHandling:
		return "承办单位"
	}
	return "登记或承办单位"
}

func sideAllows(s Side, p *xinfang.Petition, u *xinfang.User) bool {
	handling := p.HandlingUnit
	if handling == nil {
		handling = p.RegUnit
	}
	switch s {
	case SideRegistering:
		return u.Unit.Contains(p.RegUnit)
	case SideHandling:
		return u.Unit.Contains(handling)
	}
	return u.Unit.Contains(p.RegUnit) || u.Unit.Contains(handling) || xinfang.ScopeOf(u).All
}

// Allowed returns the transitions actor may take on p now, judged by state,
// role and side (data and windows are checked when the action is taken).
func (pr *Procedure) Allowed(p *xinfang.Petition, actor *xinfang.User) []*Transition {
	var out []*Transition
	for i := range Table {
		// Staff never record the evaluation of an item submitted online:
		// its petitioner gives it on the portal (guardEvaluate).
		if Table[i].Action == xinfang.ActEvaluate && p.Channel == xinfang.ChannelOnline {
			continue
		}
		if !Table[i].Register && pr.Permit(&Table[i], p, actor) == nil {
			out = append(out, &Table[i])
		}
	}
	return out
}

// checkData reads the data of an action by the fields of t. A date lies
// in the plausible range of xinfang.CheckDate around today; the guards
// judge it further.
func (pr *Procedure) checkData(t *Transition, in map[string]string, lk Lookup, today calendar.Date) (map[string]string, map[string]any, error) {
	probs := xinfang.Problems{}
	known := map[string]bool{}
	out := map[string]string{}
	resolved := map[string]any{}
	for _, f := range t.Fields {
		known[f.Name] = true
		v := strings.TrimSpace(in[f.Name])
		if v == "" {
			if f.Required {
				probs.Add(f.Name, "请填写"+f.Label)
			}
			continue
		}
		switch f.Kind {
		case FieldText:
			if utf8.RuneCountInString(v) > 10000 {
				probs.Add(f.Name, f.Label+"不超过 10000 字")
				continue
			}
		case FieldDate:
			d, err := calendar.ParseDate(v)
			if err != nil {
				probs.Add(f.Name, f.Label+"须为 YYYY-MM-DD 格式的日期")
				continue
			}
			if err := xinfang.CheckDate(f.Name, d, today); err != nil {
				probs.Add(f.Name, f.Label+"："+xinfang.ErrorFields(err)[f.Name])
				continue
			}
			v = d.String()
		case FieldInt:
			n, err := strconv.Atoi(v)
			if err != nil {
				probs.Add(f.Name, f.Label+"须为整数")
				continue
			}
			if n < f.Min || n > f.Max {
				probs.Add(f.Name, f.Label+"须在 "+strconv.Itoa(f.Min)+"–"+strconv.Itoa(f.Max)+" 之间")
				continue
			}
			v = strconv.Itoa(n) // "+07" is stored as "7".
		case FieldChoice:
			if !hasChoice(f.Choices, v) {
				probs.Add(f.Name, f.Label+"不是有效选项")
				continue
			}
		case FieldChoices:
			// Kept in the dictionary's order, each once.
			picked := map[string]bool{}
			bad := ""
			for _, c := range xinfang.SplitCodes(v) {
				if !hasChoice(f.Choices, c) {
					bad = c
				}
				picked[c] = true
			}
			if bad != "" {
				probs.Add(f.Name, f.Label+"：「"+bad+"」不是有效选项")
				continue
			}
			var codes []string
			for _, c := range f.Choices {
				if picked[c.Code] {
					codes = append(codes, c.Code)
				}
			}
			v = strings.Join(codes, ",")
		case FieldUnit, FieldPetition:
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				probs.Add(f.Name, f.Label+"须为有效编号")
				continue
			}
			var x any
			if f.Kind == FieldUnit {
				x, err = lk.Unit(id)
			} else {
				x, err = lk.Petition(id)
			}
			if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
				probs.Add(f.Name, f.Label+"不存在")
				continue
			} else if err != nil {
				return nil, nil, err
			}
			// A deactivated unit takes no new items (README "Units").
			if u, ok := x.(*xinfang.Unit); ok && u.Disabled {
				probs.Add(f.Name, f.Label+"已停用")
				continue
			}
			resolved[f.Name] = x
			v = strconv.FormatInt(id, 10)
		}
		out[f.Name] = v
	}
	for k, v := range in {
		if !known[k] && strings.TrimSpace(v) != "" {
			probs.Add(k, "「"+t.Action.Label()+"」不接受此项")
		}
	}
	if err := probs.Err(); err != nil {
		return nil, nil, err
	}
	return out, resolved, nil
}

func hasChoice(l []xinfang.Label, v string) bool {
	for _, x := range l {
		if x.Code == v {
			return true
		}
	}
	return false
}
