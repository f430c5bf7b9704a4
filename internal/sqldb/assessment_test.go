package sqldb_test

import (
	"reflect"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

func findScore(t *testing.T, a *xinfang.Assessment, unitID int64) *xinfang.UnitScore {
	t.Helper()
	for _, u := range a.Units {
		if u.UnitID == unitID {
			return u
		}
	}
	t.Fatalf("unit %d not assessed", unitID)
	return nil
}

func line(s *xinfang.UnitScore, kind xinfang.IndicatorKind) *xinfang.ScoreLine {
	for i := range s.Lines {
		if s.Lines[i].Indicator == kind {
			return &s.Lines[i]
		}
	}
	return nil
}

// TestAssessment: a year's weights are applied to the indicators, the
// 责任书 target linked to an indicator is judged from it, the assessor's
// entries count, and a frozen year's scores do not move after new events.
func TestAssessment(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newKPIWorld(t, db)
		leader := w.Ctx(w.Leader)
		year := 2026
		ind, err := db.Indicators.Indicators(leader, xinfang.IndicatorQuery{UnitID: w.TownA.ID, From: calendar.MustParseDate("2026-01-01"), To: calendar.MustParseDate("2026-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		onTime := ind.Find(xinfang.IndOnTime)
		a, err := db.Assessment.Assess(leader, year)
		if err != nil {
			t.Fatal(err)
		}
		townA, townB := findScore(t, a, w.TownA.ID), findScore(t, a, w.TownB.ID)
		// Default weights: 按期办结率 10 points × the rate; one repeat −1.
		if l := line(townA, xinfang.IndOnTime); l == nil || l.Max != 10 || l.Points != round2(10*float64(onTime.Numerator)/float64(onTime.Denominator)) {
			t.Errorf("按期办结率 line %+v for %d/%d", l, onTime.Numerator, onTime.Denominator)
		}
		if l := line(townA, xinfang.IndRepeat); l == nil || l.Points != -1 {
			t.Errorf("repeat line %+v", l)
		}
		// Town B has nothing due: full marks, 5 + 10 + 10 + 5.
		if townB.Score != 30 {
			t.Errorf("town B scores %v, want 30: %+v", townB.Score, townB.Lines)
		}
		if townA.Rank < 1 || townB.Rank != 1 {
			t.Errorf("ranks A %d B %d", townA.Rank, townB.Rank)
		}

		// The year's weights are data: 按期办结率 20 doubles its line.
		rules, err := db.Assessment.AssessmentRules(leader, year)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Assessment.SaveAssessmentRules(w.Ctx(w.HandlerA), rules)
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		rules.Weights[xinfang.IndOnTime] = 20
		bad := rules
		bad.LeaderThreshold = 2
		_, err = db.Assessment.SaveAssessmentRules(leader, bad)
		wantErr(t, err, xinfang.EINVALID, "leader_threshold")
		if rules, err = db.Assessment.SaveAssessmentRules(leader, rules); err != nil {
			t.Fatal(err)
		}
		a, err = db.Assessment.Assess(leader, year)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := line(findScore(t, a, w.TownA.ID), xinfang.IndOnTime).Points, round2(20*float64(onTime.Numerator)/float64(onTime.Denominator)); got != want {
			t.Errorf("with weight 20 the line is %v, want %v", got, want)
		}

		// An entry with its reason, and a 责任书 target of 按期办结率 ≥ 99%
		// that town A missed (−3).
		wantErr(t, db.Assessment.AddAssessmentEntry(leader, &xinfang.AssessmentEntry{Year: year, UnitID: w.TownB.ID, Kind: "talk", Points: 2}), xinfang.EINVALID, "reason")
		if err := db.Assessment.AddAssessmentEntry(leader, &xinfang.AssessmentEntry{Year: year, UnitID: w.TownB.ID, Kind: "letter", Points: 2, Reason: "超额完成责任书目标"}); err != nil {
			t.Fatal(err)
		}
		sup := supUser(t, db, "jw.sup", w.Bureau, xinfang.RoleSupervisor)
		letter := &xinfang.ResponsibilityLetter{UnitID: w.TownA.ID, Year: year, SignedOn: calendar.MustParseDate("2026-01-10"), Targets: []string{"按期办结率达到 99%"}}
		if err := db.Discipline.SaveResponsibilityLetter(w.Ctx(sup), letter); err != nil {
			t.Fatal(err)
		}
		if err := db.Assessment.SetLetterTarget(leader, &xinfang.LetterTarget{LetterID: letter.ID, Indicator: xinfang.IndOnTime, MinRate: 0.99, Points: 3}); err != nil {
			t.Fatal(err)
		}
		wantErr(t, db.Assessment.SetLetterTarget(leader, &xinfang.LetterTarget{LetterID: letter.ID, Indicator: xinfang.IndBeijing, MinRate: 0.5, Points: 3}), xinfang.EINVALID, "indicator")
		a, err = db.Assessment.Assess(leader, year)
		if err != nil {
			t.Fatal(err)
		}
		// Town B: 5 + 20 + 10 + 5, and its entry.
		if s := findScore(t, a, w.TownB.ID); s.Score != 42 || len(s.Entries) != 1 {
			t.Errorf("town B with its entry: %v %+v", s.Score, s.Entries)
		}
		var target *xinfang.ScoreLine
		for i, l := range findScore(t, a, w.TownA.ID).Lines {
			if l.Note == "未完成" {
				target = &findScore(t, a, w.TownA.ID).Lines[i]
			}
		}
		if target == nil || target.Points != -3 {
			t.Errorf("the missed 责任书 target: %+v", target)
		}

		// Frozen: the same figures after new events; no more changes.
		frozen, err := db.Assessment.FreezeAssessment(leader, year, rules.Version)
		if err != nil {
			t.Fatal(err)
		}
		if !frozen.Rules.Frozen || !reflect.DeepEqual(frozen.Units, a.Units) {
			t.Fatalf("frozen %v: %+v\nwas %+v", frozen.Rules.Frozen, frozen.Units, a.Units)
		}
		w.register(t, "P20", "2026-07-15", w.TownA, func(p *xinfang.Petition) { p.RepeatOfID = w.p["P1"].ID })
		w.act(t, w.HandlerA, "P3", "2026-07-15", xinfang.ActReply, replyData)
		after, err := db.Assessment.Assess(leader, year)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after.Units, a.Units) {
			t.Errorf("a frozen year changed after new events:\n%+v\nwas %+v", after.Units, a.Units)
		}
		ind, _ = db.Indicators.Indicators(leader, xinfang.IndicatorQuery{UnitID: w.TownA.ID, From: calendar.MustParseDate("2026-01-01"), To: calendar.MustParseDate("2026-12-31")})
		if ind.Find(xinfang.IndRepeat).Numerator != 2 {
			t.Errorf("the live indicator did not see the new repeat")
		}
		wantErr(t, db.Assessment.AddAssessmentEntry(leader, &xinfang.AssessmentEntry{Year: year, UnitID: w.TownB.ID, Kind: "letter", Points: 2, Reason: "再加"}), xinfang.ECONFLICT, "year")
		_, err = db.Assessment.SaveAssessmentRules(leader, rules)
		wantErr(t, err, xinfang.ECONFLICT, "year")
		_, err = db.Assessment.FreezeAssessment(leader, year, rules.Version+1)
		wantErr(t, err, xinfang.ECONFLICT, "year")
		_, err = db.Assessment.Assess(w.Ctx(w.HandlerA), year)
		wantErr(t, err, xinfang.EFORBIDDEN, "")
	})
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
