package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// discFixture is the fixture city with an inspector (纪检) of the 纪委监委,
// a supervisor of the 信访局, and a clock fixed on a working day.
type discFixture struct {
	*sqldbtest.Fixture
	Inspector  *xinfang.User
	Supervisor *xinfang.User
	clock      *clock
}

func newDiscFixture(t *testing.T, db *sqldb.DB) *discFixture {
	t.Helper()
	c := fixClock(db, at("2026-06-15"))
	f := &discFixture{Fixture: sqldbtest.NewFixture(t, db), clock: c}
	mk := func(username, name string, unit *xinfang.Unit, role xinfang.Role) *xinfang.User {
		u := &xinfang.User{Username: username, Name: name, UnitID: unit.ID, Roles: []xinfang.Role{role}}
		if err := db.Directory.CreateUser(context.Background(), u, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		loaded, err := db.Directory.FindUserByID(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return loaded
	}
	f.Inspector = mk("jw.inspector", "郑纪检", f.Discipline, xinfang.RoleInspector)
	f.Supervisor = mk("xfj.super", "冯督查", f.Bureau, xinfang.RoleSupervisor)
	return f
}

// register registers a petition of person n about locality, received days
// ago, changed by edit.
func (f *discFixture) register(t *testing.T, u *xinfang.User, locality *xinfang.Unit, n, daysAgo int, edit func(p *xinfang.Petition)) *xinfang.Petition {
	t.Helper()
	p := f.NewPetition(locality, n)
	p.ReceivedAt = f.DB.Now().Add(-time.Duration(daysAgo)*24*time.Hour - time.Minute)
	if edit != nil {
		edit(p)
	}
	return f.MustRegister(t, u, p)
}

func repeatOf(id int64) func(p *xinfang.Petition) {
	return func(p *xinfang.Petition) { p.RepeatOfID = id }
}

func escalated(level xinfang.Escalation) func(p *xinfang.Petition) {
	return func(p *xinfang.Petition) { p.Escalation = level; p.Channel = xinfang.ChannelVisit }
}

// watchRows returns the rows of kind the user sees, and the page.
func watchRows(t *testing.T, db *sqldb.DB, ctx context.Context, kind xinfang.WatchKind) ([]*xinfang.WatchRow, *xinfang.WatchPage) {
	t.Helper()
	page, err := db.Discipline.FindWatchList(ctx, xinfang.WatchFilter{Kind: kind, Limit: 500})
	if err != nil {
		t.Fatalf("watch list %q: %v", kind, err)
	}
	return page.Items, page
}

func rowOf(rows []*xinfang.WatchRow, petitionerID int64) *xinfang.WatchRow {
	for _, r := range rows {
		if r.PetitionerID == petitionerID {
			return r
		}
	}
	return nil
}

func TestWatchListRepeats(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newDiscFixture(t, db)
		reg := f.RegistrarA
		// Person 1: an original and three repeats, partly chained (a repeat
		// of a repeat is the same matter).
		r1 := f.register(t, reg, f.VillageA, 1, 200, nil)
		a1 := f.register(t, reg, f.VillageA, 1, 150, repeatOf(r1.ID))
		f.register(t, reg, f.VillageA, 1, 100, repeatOf(a1.ID))
		last := f.register(t, reg, f.VillageA, 1, 50, repeatOf(r1.ID))
		// Person 2: an original and two repeats: not yet on the list.
		r2 := f.register(t, reg, f.VillageA, 2, 90, nil)
		f.register(t, reg, f.VillageA, 2, 60, repeatOf(r2.ID))
		f.register(t, reg, f.VillageA, 2, 30, repeatOf(r2.ID))
		// Person 3: four items never linked, same 属地 and 分类 within a year.
		for _, d := range []int{300, 200, 100, 10} {
			f.register(t, reg, f.VillageA, 3, d, nil)
		}
		// Person 4: four such items, but never four within one year.
		for _, d := range []int{800, 400, 20, 10} {
			f.register(t, reg, f.VillageA, 4, d, nil)
		}
		// Person 5: four items on four different matters.
		for i, cat := range []string{"0501", "1401", "1305", "1105"} {
			f.register(t, reg, f.VillageA, 5, 10+i, func(p *xinfang.Petition) { p.Category = cat })
		}

		rows, page := watchRows(t, db, f.Ctx(f.Inspector), xinfang.WatchRepeat)
		if len(rows) != 2 || page.Counts[xinfang.WatchRepeat] != 2 {
			for _, r := range rows {
				t.Logf("row: %s %s", r.PetitionerName, r.Reason)
			}
			t.Fatalf("want 2 repeat rows (persons 1 and 3), got %d (counts %v)", len(rows), page.Counts)
		}
		one := rowOf(rows, r1.Petitioner.ID)
		if one == nil {
			t.Fatal("person 1 with 3 repeats is not on the list")
		}
		if one.Count != 3 || one.Basis != xinfang.WatchByChain || len(one.Items) != 4 || one.Matter == nil || one.Matter.ID != r1.ID {
			t.Errorf("person 1 row: count %d basis %s items %d matter %+v", one.Count, one.Basis, len(one.Items), one.Matter)
		}
		if one.LatestID != last.ID || one.State != xinfang.StateRegistered || one.Unit == nil || one.Unit.ID != f.TownA.ID {
			t.Errorf("person 1 latest: id %d state %s unit %+v, want %d registered at 甲镇", one.LatestID, one.State, one.Unit, last.ID)
		}
		if rowOf(rows, r2.Petitioner.ID) != nil {
			t.Error("person 2 with 2 repeats is on the list")
		}
		var three *xinfang.WatchRow
		for _, r := range rows {
			if r.Basis == xinfang.WatchByLocality {
				three = r
			}
		}
		if three == nil || three.Count != 3 || len(three.Items) != 4 || !strings.Contains(three.Reason, "一年内信访 4 次") {
			t.Errorf("person 3 (same 属地 and 分类) row: %+v", three)
		}

		// Leaders and supervisors of the city read it; a town handler, the
		// 纪委监委's own handler and an auditor may not.
		for _, u := range []*xinfang.User{f.Leader, f.Supervisor} {
			if rows, _ := watchRows(t, db, f.Ctx(u), xinfang.WatchRepeat); len(rows) != 2 {
				t.Errorf("%s sees %d rows, want 2", u.Username, len(rows))
			}
		}
		for _, u := range []*xinfang.User{f.HandlerA, f.HeadA, f.DisciplineHandler, f.Auditor} {
			_, err := db.Discipline.FindWatchList(f.Ctx(u), xinfang.WatchFilter{})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
		}
		_, err := db.Discipline.FindWatchList(f.Ctx(f.Inspector), xinfang.WatchFilter{Kind: "nonsense"})
		wantErr(t, err, xinfang.EINVALID, "kind")
	})
}

func TestWatchListHandedDownAndEscalations(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newDiscFixture(t, db)
		handed := func(p *xinfang.Petition) { p.Channel = "handed_down" }
		// A matter handed down by the province, then petitioned again.
		h1 := f.register(t, f.BureauRegistrar, f.VillageB, 10, 120, handed)
		h2 := f.register(t, f.BureauRegistrar, f.VillageB, 10, 30, repeatOf(h1.ID))
		// A handed-down item that is itself a repeat of a local one.
		l1 := f.register(t, f.RegistrarA, f.VillageA, 11, 90, nil)
		h3 := f.register(t, f.BureauRegistrar, f.VillageA, 11, 40, func(p *xinfang.Petition) { p.Channel = "handed_down"; p.RepeatOfID = l1.ID })
		// Handed down once, never repeated: not listed.
		f.register(t, f.BureauRegistrar, f.VillageB, 12, 20, handed)
		// A backlog case handed down by 中央 with a repeated petition, and
		// one of the city's own screening (not listed).
		c1 := &xinfang.Case{Title: "某村征地补偿积案", Source: "central", Petitioners: "张三", ResponsibleUnitID: f.TownB.ID, LeaderID: f.Leader.ID, PetitionIDs: []int64{h1.ID}}
		if err := db.Cases.CreateCase(f.Ctx(f.Leader), c1); err != nil {
			t.Fatal(err)
		}
		c2 := &xinfang.Case{Title: "市排查积案", Source: "city", Petitioners: "张三", ResponsibleUnitID: f.TownA.ID, LeaderID: f.Leader.ID, PetitionIDs: []int64{l1.ID}}
		if err := db.Cases.CreateCase(f.Ctx(f.Leader), c2); err != nil {
			t.Fatal(err)
		}

		// The case c1 is h1's matter: listed once, the chain's row naming it.
		rows, page := watchRows(t, db, f.Ctx(f.Inspector), xinfang.WatchHandedDown)
		if len(rows) != 2 || page.Counts[xinfang.WatchHandedDown] != 2 {
			for _, r := range rows {
				t.Logf("row: %s %+v", r.Reason, r.Case)
			}
			t.Fatalf("want 2 handed-down rows (two matters, the case one of them), got %d", len(rows))
		}
		var byMatter = map[int64]*xinfang.WatchRow{}
		for _, r := range rows {
			if r.Matter != nil {
				byMatter[r.Matter.ID] = r
			}
		}
		if r := byMatter[h1.ID]; r == nil || r.Count != 1 || len(r.Items) != 2 || r.LatestID != h2.ID || r.PetitionerName == "" ||
			r.Case == nil || r.Case.ID != c1.ID || r.Case.Source != "central" || !strings.Contains(r.Reason, c1.Number) {
			t.Errorf("matter of h1, with its case: %+v", r)
		}
		if r := byMatter[l1.ID]; r == nil || r.Count != 1 || len(r.Items) != 2 || r.LatestID != h3.ID || r.Case != nil {
			t.Errorf("matter of l1 (handed-down repeat): %+v", r)
		}

		// Escalations: 进京 and 赴省 are listed, 到市 is not; an accusation
		// the 纪委监委 does not handle stays hidden even from the inspector.
		e1 := f.register(t, f.RegistrarA, f.VillageA, 20, 5, escalated("beijing"))
		f.register(t, f.RegistrarA, f.VillageA, 20, 3, escalated("province"))
		f.register(t, f.RegistrarA, f.VillageA, 21, 3, escalated("city"))
		f.register(t, f.RegistrarA, f.VillageA, 22, 2, func(p *xinfang.Petition) {
			p.Escalation, p.Purpose, p.Summary = "beijing", "accusation", "检举某镇干部"
		})
		rows, page = watchRows(t, db, f.Ctx(f.Inspector), xinfang.WatchEscalation)
		if len(rows) != 2 || page.Counts[xinfang.WatchEscalation] != 2 || page.Total != 2 {
			t.Fatalf("want 2 escalations, got %d (counts %v)", len(rows), page.Counts)
		}
		if rows[1].Matter.ID != e1.ID || rows[1].Escalation != "beijing" || rows[1].Count != 2 || !strings.Contains(rows[1].Reason, "进京") {
			t.Errorf("escalation row: %+v", rows[1])
		}

		// Without a kind: every row, paged across the kinds.
		all, err := db.Discipline.FindWatchList(f.Ctx(f.Inspector), xinfang.WatchFilter{Limit: 2, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if all.Total != 4 || len(all.Items) != 2 || all.Items[0].Kind != xinfang.WatchHandedDown || all.Items[1].Kind != xinfang.WatchEscalation {
			t.Errorf("all kinds page: total %d, kinds %v", all.Total, kinds(all.Items))
		}
	})
}

func kinds(rows []*xinfang.WatchRow) []xinfang.WatchKind {
	var out []xinfang.WatchKind
	for _, r := range rows {
		out = append(out, r.Kind)
	}
	return out
}

func TestInvestigationTwoTracks(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newDiscFixture(t, db)
		ins := f.Ctx(f.Inspector)
		e := f.register(t, f.RegistrarA, f.VillageA, 30, 5, escalated("beijing"))
		local := f.register(t, f.RegistrarA, f.VillageA, 31, 5, escalated("city"))
		open := xinfang.InvestigationInput{PetitionID: e.ID, Cause: "inadequate", Summary: "甲镇对征地补偿问题处理不到位，导致信访人进京上访"}

		// Only the inspector opens it, and only on 赴省/进京 items.
		for _, u := range []*xinfang.User{f.Leader, f.HandlerA, f.DisciplineHandler, f.Supervisor} {
			_, err := db.Discipline.CreateInvestigation(f.Ctx(u), open)
			wantErr(t, err, xinfang.EFORBIDDEN, "")
		}
		_, err := db.Discipline.CreateInvestigation(ins, xinfang.InvestigationInput{PetitionID: local.ID, Cause: "unclear", Summary: "到市"})
		wantErr(t, err, xinfang.EINVALID, "petition_id")
		_, err = db.Discipline.CreateInvestigation(ins, xinfang.InvestigationInput{PetitionID: e.ID, Cause: "whatever", Summary: "x"})
		wantErr(t, err, xinfang.EINVALID, "cause")

		iv, err := db.Discipline.CreateInvestigation(ins, open)
		if err != nil {
			t.Fatal(err)
		}
		if iv.State != xinfang.InvestigationOpen || iv.UnitID != f.TownA.ID || iv.Escalation != "beijing" || iv.PetitionNumber != e.Number || iv.Version != 1 {
			t.Fatalf("opened: %+v", iv)
		}
		_, err = db.Discipline.CreateInvestigation(ins, open)
		wantErr(t, err, xinfang.ECONFLICT, "petition_id")
		// Numbered by year, without a gap for the refused second one;
		// found by its number, in any case of letters.
		if want := fmt.Sprintf(xinfang.InvestigationNumberFormat, iv.OpenedAt.In(calendar.Location()).Year(), 1); iv.Number != want {
			t.Errorf("number %q, want %q", iv.Number, want)
		}
		if id, err := db.Discipline.FindInvestigationByNumber(ins, strings.ToLower(iv.Number)); err != nil || id != iv.ID {
			t.Errorf("by number: %d, %v", id, err)
		}
		_, err = db.Discipline.FindInvestigationByNumber(ins, "TJ-2026-9999")
		wantErr(t, err, xinfang.ENOTFOUND, "")

		// The watch list shows the investigation on the escalated item.
		rows, _ := watchRows(t, db, ins, xinfang.WatchEscalation)
		if len(rows) != 1 || rows[0].InvestigationID != iv.ID {
			t.Errorf("escalation row does not link the investigation: %+v", rows)
		}

		// Closing needs both tracks; each refusal names the missing one.
		_, err = db.Discipline.CloseInvestigation(ins, iv.ID, iv.Version, "")
		wantErr(t, err, xinfang.ECONFLICT, "case_track")
		wantErr(t, err, xinfang.ECONFLICT, "responsibility_track")

		_, err = db.Discipline.UpdateMatterTrack(ins, iv.ID, xinfang.MatterTrackInput{Version: iv.Version, Outcome: "resolved"})
		wantErr(t, err, xinfang.EINVALID, "findings")
		iv, err = db.Discipline.UpdateMatterTrack(ins, iv.ID, xinfang.MatterTrackInput{Version: iv.Version, Findings: "补偿款被镇财政所截留", Measures: "责令限期足额发放", Outcome: "resolved"})
		if err != nil {
			t.Fatal(err)
		}
		if !iv.MatterTrack.Concluded() || iv.MatterTrack.ConcludedAt.IsZero() || iv.MatterTrack.OutcomeLabel == "" || iv.Version != 2 {
			t.Errorf("case track: %+v v%d", iv.MatterTrack, iv.Version)
		}
		_, err = db.Discipline.CloseInvestigation(ins, iv.ID, iv.Version, "")
		wantErr(t, err, xinfang.ECONFLICT, "responsibility_track")
		if _, ok := xinfang.ErrorFields(err)["case_track"]; ok {
			t.Errorf("refusal names the concluded case track: %v", err)
		}

		_, err = db.Discipline.UpdateResponsibilityTrack(ins, iv.ID, xinfang.ResponsibilityTrackInput{Version: iv.Version, Findings: "分管领导未督促落实", Outcome: "accountability"})
		wantErr(t, err, xinfang.EINVALID, "officials")
		_, err = db.Discipline.UpdateResponsibilityTrack(ins, iv.ID, xinfang.ResponsibilityTrackInput{Version: iv.Version, Officials: []xinfang.Official{{Name: "钱某", UnitID: 999999, Position: "副镇长"}}})
		wantErr(t, err, xinfang.EINVALID, "officials.0.unit_id")
		_, err = db.Discipline.UpdateResponsibilityTrack(ins, iv.ID, xinfang.ResponsibilityTrackInput{Version: iv.Version - 1, Findings: "x"})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Discipline.UpdateResponsibilityTrack(f.Ctx(f.Leader), iv.ID, xinfang.ResponsibilityTrackInput{Version: iv.Version, Findings: "x"})
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		iv, err = db.Discipline.UpdateResponsibilityTrack(ins, iv.ID, xinfang.ResponsibilityTrackInput{Version: iv.Version,
			Officials: []xinfang.Official{{Name: "钱某", UnitID: f.TownA.ID, Position: "副镇长"}, {Name: "孙某", UnitID: f.VillageA.ID, Position: "村支书"}},
			Findings:  "分管副镇长未督促落实，村支书虚报发放情况", Outcome: "talk"})
		if err != nil {
			t.Fatal(err)
		}
		if len(iv.ResponsibilityTrack.Officials) != 2 || iv.ResponsibilityTrack.Officials[1].UnitName != f.VillageA.Name || iv.ResponsibilityTrack.OutcomeLabel != "约谈" {
			t.Errorf("responsibility track: %+v", iv.ResponsibilityTrack)
		}

		closed, err := db.Discipline.CloseInvestigation(ins, iv.ID, iv.Version, "两条线均已办结")
		if err != nil {
			t.Fatal(err)
		}
		if closed.State != xinfang.InvestigationClosed || closed.ClosedAt.IsZero() || closed.ClosingNote != "两条线均已办结" {
			t.Errorf("closed: %+v", closed)
		}
		_, err = db.Discipline.UpdateMatterTrack(ins, iv.ID, xinfang.MatterTrackInput{Version: closed.Version, Findings: "x"})
		wantErr(t, err, xinfang.ECONFLICT, "state")
		err = db.Discipline.DeleteInvestigation(ins, iv.ID, closed.Version)
		wantErr(t, err, xinfang.ECONFLICT, "")

		// Readers: the leader and the supervisor read it, a town handler may not.
		for _, u := range []*xinfang.User{f.Leader, f.Supervisor} {
			if got, err := db.Discipline.FindInvestigationByID(f.Ctx(u), iv.ID); err != nil || len(got.ResponsibilityTrack.Officials) != 2 {
				t.Errorf("%s reads investigation: %v", u.Username, err)
			}
		}
		_, err = db.Discipline.FindInvestigationByID(f.Ctx(f.HandlerA), iv.ID)
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		list, total, err := db.Discipline.FindInvestigations(ins, xinfang.InvestigationFilter{State: xinfang.InvestigationClosed})
		if err != nil || total != 1 || len(list) != 1 {
			t.Errorf("closed investigations: %d %v", total, err)
		}

		// After closing, a new one may open on the same item; one opened
		// by mistake is deleted while nothing is recorded on it.
		again, err := db.Discipline.CreateInvestigation(ins, xinfang.InvestigationInput{PetitionID: e.ID, Cause: "unrectified", Summary: "整改不落实，再次进京", UnitID: f.VillageA.ID})
		if err != nil {
			t.Fatal(err)
		}
		if again.UnitID != f.VillageA.ID {
			t.Errorf("unit chosen by the inspector: %d", again.UnitID)
		}
		up, err := db.Discipline.UpdateInvestigation(ins, again.ID, xinfang.InvestigationUpdate{Version: again.Version, Cause: "unclear", Summary: "问题查不清"})
		if err != nil || up.Cause != "unclear" || up.UnitID != f.VillageA.ID {
			t.Fatalf("update: %+v %v", up, err)
		}
		if err := db.Discipline.DeleteInvestigation(ins, up.ID, up.Version); err != nil {
			t.Fatal(err)
		}
		_, err = db.Discipline.FindInvestigationByID(ins, up.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
	})
}

// An investigation on a 检举控告 item follows the item's visibility: the
// 纪委监委 handling it sees it, a leader of the city does not.
func TestInvestigationAccusationScope(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newDiscFixture(t, db)
		p := f.register(t, f.BureauRegistrar, f.VillageA, 40, 3, func(p *xinfang.Petition) {
			p.Escalation, p.Purpose, p.Summary = "province", "accusation", "检举甲镇干部截留补偿款"
		})
		ins := f.Ctx(f.Inspector)
		_, err := db.Discipline.CreateInvestigation(ins, xinfang.InvestigationInput{PetitionID: p.ID, Cause: "unclear", Summary: "赴省检举"})
		wantErr(t, err, xinfang.EINVALID, "petition_id") // not handled by the 纪委监委 yet: not visible
		f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.Discipline, p.Version))
		iv, err := db.Discipline.CreateInvestigation(ins, xinfang.InvestigationInput{PetitionID: p.ID, Cause: "unclear", Summary: "赴省检举", UnitID: f.TownA.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Discipline.FindInvestigationByID(f.Ctx(f.Leader), iv.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		if list, total, err := db.Discipline.FindInvestigations(f.Ctx(f.Leader), xinfang.InvestigationFilter{}); err != nil || total != 0 || len(list) != 0 {
			t.Errorf("leader lists %d investigations (%v), want none", total, err)
		}
		if _, err := db.Discipline.FindInvestigationByID(ins, iv.ID); err != nil {
			t.Errorf("inspector: %v", err)
		}
	})
}

func TestAccountabilityAndLetters(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newDiscFixture(t, db)
		ins := f.Ctx(f.Inspector)
		e := f.register(t, f.RegistrarA, f.VillageA, 50, 5, escalated("province"))
		iv, err := db.Discipline.CreateInvestigation(ins, xinfang.InvestigationInput{PetitionID: e.ID, Cause: "unrectified", Summary: "整改不落实"})
		if err != nil {
			t.Fatal(err)
		}

		onTown := &xinfang.Accountability{Target: xinfang.TargetUnit, UnitID: f.TownA.ID, Measure: "notice", DecidedOn: calendar.MustParseDate("2026-06-10"),
			Ground: "赴省越级访，整改不落实", PetitionIDs: []int64{e.ID, e.ID}, InvestigationID: iv.ID}
		bad := *onTown
		bad.Measure, bad.DecidedOn = "", calendar.Date{}
		err = db.Discipline.CreateAccountability(ins, &bad)
		wantErr(t, err, xinfang.EINVALID, "measure")
		wantErr(t, err, xinfang.EINVALID, "decided_on")
		official := &xinfang.Accountability{Target: xinfang.TargetOfficial, UnitID: f.VillageB.ID, Measure: "talk", DecidedOn: calendar.MustParseDate("2026-05-01"), Ground: "处理不到位"}
		noName := *official
		err = db.Discipline.CreateAccountability(ins, &noName)
		wantErr(t, err, xinfang.EINVALID, "official_name")
		wrongLink := *onTown
		wrongLink.PetitionIDs = []int64{999999}
		err = db.Discipline.CreateAccountability(ins, &wrongLink)
		wantErr(t, err, xinfang.EINVALID, "petition_ids")
		for _, u := range []*xinfang.User{f.Leader, f.HeadA, f.DisciplineHandler} {
			c := *onTown
			wantErr(t, db.Discipline.CreateAccountability(f.Ctx(u), &c), xinfang.EFORBIDDEN, "")
		}

		if err := db.Discipline.CreateAccountability(ins, onTown); err != nil {
			t.Fatal(err)
		}
		if onTown.ID == 0 || len(onTown.PetitionIDs) != 1 || onTown.MeasureLabel != "通报" || onTown.DecidedBy != f.Discipline.Name || onTown.InvestigationID != iv.ID {
			t.Errorf("created: %+v", onTown)
		}
		official.OfficialName, official.OfficialPosition = "周某", "村委会主任"
		if err := db.Discipline.CreateAccountability(ins, official); err != nil {
			t.Fatal(err)
		}

		// Town staff see their own subtree's records only.
		list, total, err := db.Discipline.FindAccountabilities(f.Ctx(f.HandlerA), xinfang.AccountabilityFilter{})
		if err != nil || total != 1 || list[0].ID != onTown.ID {
			t.Fatalf("town A handler: %d %v", total, err)
		}
		if len(list[0].Petitions) != 1 || list[0].Petitions[0].Number != e.Number {
			t.Errorf("town A handler sees the linked item: %+v", list[0].Petitions)
		}
		_, err = db.Discipline.FindAccountabilityByID(f.Ctx(f.HandlerA), official.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		if list, _, err := db.Discipline.FindAccountabilities(f.Ctx(f.HandlerB), xinfang.AccountabilityFilter{}); err != nil || len(list) != 1 || list[0].ID != official.ID {
			t.Errorf("town B handler: %v %v", list, err)
		}
		if _, total, err := db.Discipline.FindAccountabilities(f.Ctx(f.Leader), xinfang.AccountabilityFilter{}); err != nil || total != 2 {
			t.Errorf("leader: %d %v", total, err)
		}
		if _, total, err := db.Discipline.FindAccountabilities(ins, xinfang.AccountabilityFilter{Measure: "talk", Year: 2026, UnitID: f.TownB.ID}); err != nil || total != 1 {
			t.Errorf("filtered: %d %v", total, err)
		}
		_, _, err = db.Discipline.FindAccountabilities(f.Ctx(f.Auditor), xinfang.AccountabilityFilter{})
		wantErr(t, err, xinfang.EFORBIDDEN, "")

		// An investigation with an accountability record resting on it is
		// not deleted.
		wantErr(t, db.Discipline.DeleteInvestigation(ins, iv.ID, iv.Version), xinfang.ECONFLICT, "")

		// Letters: one per unit and year.
		letter := &xinfang.ResponsibilityLetter{UnitID: f.TownA.ID, Year: 2026, SignedOn: calendar.MustParseDate("2026-01-20"), Targets: []string{"初信初访一次性化解率不低于 90%", " ", "不发生赴省进京越级访"}}
		if err := db.Discipline.SaveResponsibilityLetter(ins, letter); err != nil {
			t.Fatal(err)
		}
		if letter.ID == 0 || len(letter.Targets) != 2 || letter.Unit.Name != f.TownA.Name {
			t.Errorf("letter: %+v", letter)
		}
		dup := &xinfang.ResponsibilityLetter{UnitID: f.TownA.ID, Year: 2026, SignedOn: calendar.MustParseDate("2026-02-01"), Targets: []string{"x"}}
		wantErr(t, db.Discipline.SaveResponsibilityLetter(ins, dup), xinfang.EINVALID, "year")
		other := &xinfang.ResponsibilityLetter{UnitID: f.TownB.ID, Year: 2026, SignedOn: calendar.MustParseDate("2026-01-21"), Targets: []string{"按期办结率 100%"}}
		if err := db.Discipline.SaveResponsibilityLetter(f.Ctx(f.Supervisor), other); err != nil {
			t.Fatal(err)
		}
		moved := *other
		moved.UnitID = f.TownA.ID
		wantErr(t, db.Discipline.SaveResponsibilityLetter(ins, &moved), xinfang.EINVALID, "year")
		next := &xinfang.ResponsibilityLetter{UnitID: f.TownA.ID, Year: 2027, SignedOn: calendar.MustParseDate("2026-06-10"), Targets: []string{"x"}}
		if err := db.Discipline.SaveResponsibilityLetter(ins, next); err != nil {
			t.Fatal(err)
		}
		empty := &xinfang.ResponsibilityLetter{UnitID: f.TownA.ID, Year: 2028, SignedOn: calendar.MustParseDate("2026-06-11"), Targets: []string{" "}}
		wantErr(t, db.Discipline.SaveResponsibilityLetter(ins, empty), xinfang.EINVALID, "targets")
		wantErr(t, db.Discipline.SaveResponsibilityLetter(f.Ctx(f.HeadA), &xinfang.ResponsibilityLetter{UnitID: f.TownA.ID, Year: 2029, SignedOn: calendar.MustParseDate("2029-01-01"), Targets: []string{"x"}}), xinfang.EFORBIDDEN, "")

		if ls, err := db.Discipline.FindResponsibilityLetters(f.Ctx(f.HeadA), 0, 0); err != nil || len(ls) != 2 {
			t.Errorf("town A head sees %d letters (%v), want its own 2", len(ls), err)
		}
		if ls, err := db.Discipline.FindResponsibilityLetters(f.Ctx(f.Leader), 0, 2026); err != nil || len(ls) != 2 {
			t.Errorf("leader sees %d letters of 2026 (%v), want 2", len(ls), err)
		}
		_, err = db.Discipline.FindResponsibilityLetterByID(f.Ctx(f.HandlerA), other.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
	})
}
