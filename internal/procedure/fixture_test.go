package procedure_test

import (
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// The unit tree of the tests:
//
//	某市 /1/
//	├── 市信访局 /1/2/          (registers and routes)
//	├── 甲镇 /1/3/
//	│   └── 甲村 /1/3/5/
//	├── 乙镇 /1/4/
//	├── 市公安局 /1/6/          (政法机关)
//	├── 市纪委监委 /1/7/        (纪检监察)
//	└── 市中级人民法院 /1/9/     (政法机关, excluded from evaluation)
//	省信访局 /8/                 (上级机关)
var (
	city       = &xinfang.Unit{ID: 1, Code: "C", Name: "某市", Kind: xinfang.UnitCity, Path: "/1/"}
	bureau     = &xinfang.Unit{ID: 2, ParentID: 1, Code: "XFJ", Name: "市信访局", Kind: xinfang.UnitBureau, Path: "/1/2/"}
	townA      = &xinfang.Unit{ID: 3, ParentID: 1, Code: "JZ", Name: "甲镇", Kind: xinfang.UnitTown, Path: "/1/3/"}
	townB      = &xinfang.Unit{ID: 4, ParentID: 1, Code: "YZ", Name: "乙镇", Kind: xinfang.UnitTown, Path: "/1/4/"}
	village    = &xinfang.Unit{ID: 5, ParentID: 3, Code: "JC", Name: "甲村", Kind: xinfang.UnitVillage, Path: "/1/3/5/"}
	police     = &xinfang.Unit{ID: 6, ParentID: 1, Code: "GAJ", Name: "市公安局", Kind: xinfang.UnitLegal, Path: "/1/6/"}
	discipline = &xinfang.Unit{ID: 7, ParentID: 1, Code: "JW", Name: "市纪委监委", Kind: xinfang.UnitDiscipline, Path: "/1/7/"}
	province   = &xinfang.Unit{ID: 8, Code: "SXF", Name: "省信访局", Kind: xinfang.UnitSuperior, Path: "/8/"}
	court      = &xinfang.Unit{ID: 9, ParentID: 1, Code: "ZY", Name: "市中级人民法院", Kind: xinfang.UnitLegal, Path: "/1/9/"}

	units = []*xinfang.Unit{city, bureau, townA, townB, village, police, discipline, province, court}
)

var (
	registrar      = user(11, "登记员", bureau, xinfang.RoleRegistrar)
	handlerA       = user(12, "甲镇承办人", townA, xinfang.RoleHandler)
	headA          = user(13, "甲镇负责人", townA, xinfang.RoleUnitHead)
	handlerB       = user(14, "乙镇承办人", townB, xinfang.RoleHandler)
	legalHandler   = user(15, "公安承办人", police, xinfang.RoleHandler)
	villageHandler = user(16, "甲村承办人", village, xinfang.RoleHandler)
	courtHandler   = user(18, "法院承办人", court, xinfang.RoleHandler)
	observer       = user(19, "监督员", townA, xinfang.RoleObserver)
)

func user(id int64, name string, u *xinfang.Unit, roles ...xinfang.Role) *xinfang.User {
	return &xinfang.User{ID: id, Username: "u" + strconv.FormatInt(id, 10), Name: name, UnitID: u.ID, Unit: u, Roles: roles}
}

// earlier is an item registered before every test item, to merge into.
var earlier = &xinfang.Petition{ID: 50, Number: "XFJ-2026-000050", State: xinfang.StateHandling,
	ReceivedAt: at("2026-01-05 09:00"), RegUnitID: bureau.ID, RegUnit: bureau}

// later is an item received after every test item.
var later = &xinfang.Petition{ID: 60, Number: "XFJ-2026-000060", State: xinfang.StateRegistered,
	ReceivedAt: at("2026-12-30 09:00"), RegUnitID: bureau.ID, RegUnit: bureau}

// mergedItem is an earlier item that was itself merged as a repeat: no
// merge target.
var mergedItem = &xinfang.Petition{ID: 55, Number: "XFJ-2026-000055", State: xinfang.StateMerged,
	ReceivedAt: at("2026-01-06 09:00"), RegUnitID: bureau.ID, RegUnit: bureau, RepeatOfID: earlier.ID}

// lookup is the fake Lookup: the fixture units and the petitions above,
// and no open 三跨三分离 task (facts in guards_test.go has some).
type lookup struct{}

func (lookup) OpenTasks(int64) (int, error) { return 0, nil }

func (lookup) Unit(id int64) (*xinfang.Unit, error) {
	for _, u := range units {
		if u.ID == id {
			return u, nil
		}
	}
	return nil, xinfang.Errorf(xinfang.ENOTFOUND, "单位不存在")
}

func (lookup) Petition(id int64) (*xinfang.Petition, error) {
	for _, p := range []*xinfang.Petition{earlier, later, mergedItem} {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, xinfang.Errorf(xinfang.ENOTFOUND, "信访件不存在")
}

func unitByID(id int64) *xinfang.Unit {
	u, _ := lookup{}.Unit(id)
	return u
}

var pr = procedure.New(calendar.Default(), procedure.DefaultConfig())

// at parses "2006-01-02 15:04" as Beijing time.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location())
	if err != nil {
		panic(err)
	}
	return t
}

// day is 10:00 Beijing time on date s.
func day(s string) time.Time { return at(s + " 10:00") }

func date(s string) calendar.Date { return calendar.MustParseDate(s) }

// item plays the part of storage for one petition: it keeps the projection
// and the history, applies actions with Apply and re-projects after each.
type item struct {
	t      testing.TB
	p      *xinfang.Petition
	events []*xinfang.Event
}

// register starts an item registered at unit by actor at instant when.
func register(t testing.TB, unit *xinfang.Unit, actor *xinfang.User, when time.Time, mods ...func(*xinfang.Petition)) *item {
	t.Helper()
	p := &xinfang.Petition{ID: 100, Number: unit.Code + "-2026-000100", Version: 1, Channel: "letter",
		ReceivedAt: when, RegUnitID: unit.ID, RegUnit: unit, RegUserID: actor.ID, Purpose: "claim",
		State: xinfang.StateRegistered}
	for _, m := range mods {
		m(p)
	}
	e := &xinfang.Event{PetitionID: p.ID, Seq: 1, Action: xinfang.ActRegister, To: xinfang.StateRegistered,
		ActorID: actor.ID, ActorName: actor.Name, ActorUnitID: actor.UnitID, At: when}
	it := &item{t: t, p: p, events: []*xinfang.Event{e}}
	it.project(when)
	return it
}

// request is the Request storage would hand to Apply now.
func (it *item) request(actor *xinfang.User, a xinfang.Action, now time.Time, data map[string]string) procedure.Request {
	p := *it.p
	return procedure.Request{Petition: &p, Events: it.events, Actor: actor,
		Input: xinfang.ActionInput{Action: a, Version: it.p.Version, Data: data}, Now: now}
}

func (it *item) try(actor *xinfang.User, a xinfang.Action, now time.Time, data map[string]string) (*xinfang.Event, error) {
	return pr.Apply(it.request(actor, a, now, data), lookup{})
}

// do applies an action that must succeed and records its event.
func (it *item) do(actor *xinfang.User, a xinfang.Action, now time.Time, data map[string]string) *xinfang.Event {
	it.t.Helper()
	e, err := it.try(actor, a, now, data)
	if err != nil {
		it.t.Fatalf("%s by %s on %s: %v", a, actor.Name, calendar.DateOf(now), err)
	}
	it.record(e)
	return e
}

func (it *item) record(e *xinfang.Event) {
	it.events = append(it.events, e)
	it.p.Version++
	it.project(e.At)
}

func (it *item) project(now time.Time) {
	pr.Project(it.p, pr.Derive(it.events, now))
	it.p.HandlingUnit = unitByID(it.p.HandlingUnitID)
}

// status derives the item on now.
func (it *item) status(now time.Time) *procedure.Status { return pr.Derive(it.events, now) }

// clock returns the derived clock of kind on now, failing when it never started.
func (it *item) clock(kind xinfang.ClockKind, now time.Time) xinfang.Clock {
	it.t.Helper()
	c, ok := it.status(now).Clock(kind)
	if !ok {
		it.t.Fatalf("clock %s never started", kind)
	}
	return c
}

// with returns a copy of base with kv pairs set; a value of "<nil>" deletes
// the key.
func with(base map[string]string, kv ...string) map[string]string {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<nil>" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// Data of each action that the table accepts.
var (
	replyData   = map[string]string{"outcome": "support", "facts": "经查，反映属实", "opinion": "予以支持", "basis": "《信访工作条例》第三十二条"}
	deliverData = func(on string) map[string]string {
		return map[string]string{"method": "in_person", "delivered_on": on, "receipt": "signed", "petitioner_opinion": "agree"}
	}
	evaluateData = map[string]string{"rating_bureau": "satisfied", "rating_unit": "basic"}
	reasonData   = map[string]string{"reason": "不属本单位职权范围"}
)

// flow is who handles an item: the unit it is transferred to, its staff,
// and the kind of item.
type flow struct {
	unit    *xinfang.Unit
	handler *xinfang.User
	head    *xinfang.User
	mods    []func(*xinfang.Petition)
}

var (
	townFlow  = flow{unit: townA, handler: handlerA, head: headA}
	legalFlow = flow{unit: police, handler: legalHandler, head: legalHandler,
		mods: []func(*xinfang.Petition){func(p *xinfang.Petition) { p.LegalCase = true }}}
	courtFlow = flow{unit: court, handler: courtHandler, head: courtHandler}
)

// step is one action of the standard history.
type step struct {
	stage  string // the stage the item is at after the step
	actor  *xinfang.User
	action xinfang.Action
	when   time.Time
	data   map[string]string
}

// stages is the standard history: registered at the bureau on Monday
// 2026-03-02, transferred, handled, replied, reviewed and re-reviewed.
func (f flow) stages() []step {
	return []step{
		{"pending_sign", registrar, xinfang.ActTransfer, day("2026-03-03"), map[string]string{"unit_id": strconv.FormatInt(f.unit.ID, 10)}},
		{"signed", f.handler, xinfang.ActSign, day("2026-03-04"), nil},
		{"handling", f.handler, xinfang.ActAccept, day("2026-03-05"), nil},
		{"replied", f.handler, xinfang.ActReply, day("2026-03-20"), replyData},
		{"delivered", f.handler, xinfang.ActDeliver, day("2026-03-21"), deliverData("2026-03-21")},
		{"reviewing", registrar, xinfang.ActRequestReview, day("2026-03-25"), map[string]string{"request": "请求复查", "received_on": "2026-03-25"}},
		{"reviewed", registrar, xinfang.ActReviewReply, day("2026-04-10"), replyData},
		{"review_delivered", registrar, xinfang.ActDeliver, day("2026-04-11"), deliverData("2026-04-11")},
		{"rereviewing", registrar, xinfang.ActRequestRereview, day("2026-04-15"), map[string]string{"request": "请求复核"}},
		{"hearing", registrar, xinfang.ActHearingStart, day("2026-04-20"), map[string]string{"place": "市信访局听证室"}},
		{"heard", registrar, xinfang.ActHearingEnd, day("2026-04-22"), map[string]string{"conclusion": "维持复查意见"}},
		{"terminated", registrar, xinfang.ActRereviewReply, day("2026-05-06"), replyData},
	}
}

// build plays the standard history of f up to stage ("registered" is the
// item just registered at the bureau on 2026-03-02).
func build(t testing.TB, f flow, stage string, mods ...func(*xinfang.Petition)) *item {
	t.Helper()
	it := register(t, bureau, registrar, day("2026-03-02"), slices.Concat(f.mods, mods)...)
	if stage == "registered" {
		return it
	}
	for _, s := range f.stages() {
		it.do(s.actor, s.action, s.when, s.data)
		if s.stage == stage {
			return it
		}
	}
	t.Fatalf("unknown stage %q", stage)
	return nil
}

// last is the instant of the item's latest event.
func (it *item) last() time.Time { return it.events[len(it.events)-1].At }
