package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/demo"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// today is the fixed present of the tests, so that stories, clocks and
// warnings do not depend on the day the tests run.
var today = time.Date(2026, time.June, 15, 10, 0, 0, 0, calendar.Location())

func openDB(t *testing.T) *sqldb.DB {
	t.Helper()
	db := sqldbtest.Open(t, "sqlite")
	db.Now = func() time.Time { return today }
	return db
}

func mustLoad(t *testing.T, db *sqldb.DB, n int) []demo.Account {
	t.Helper()
	accounts, err := demo.Load(context.Background(), db, demo.Options{Petitions: n})
	if err != nil {
		t.Fatalf("load demo: %v", err)
	}
	return accounts
}

func userCtx(t testing.TB, db *sqldb.DB, username string) context.Context {
	t.Helper()
	u, err := db.Directory.FindUserByUsername(context.Background(), username)
	if err != nil {
		t.Fatalf("find user %s: %v", username, err)
	}
	return xinfang.NewContextWithUser(context.Background(), u)
}

// allPetitions lists every petition ctx's user may see.
func allPetitions(t testing.TB, db *sqldb.DB, ctx context.Context, f xinfang.PetitionFilter) ([]*xinfang.Petition, int) {
	t.Helper()
	var out []*xinfang.Petition
	f.Limit = 500
	for {
		page, total, err := db.Petitions.FindPetitions(ctx, f)
		if err != nil {
			t.Fatalf("find petitions: %v", err)
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, total
		}
		f.Offset += len(page)
	}
}

func TestLoad(t *testing.T) {
	const n = 120
	db := openDB(t)
	accounts := mustLoad(t, db, n)
	ctx := context.Background()

	t.Run("accounts", func(t *testing.T) {
		want := []string{"admin", "security", "auditor", "registrar", "qs.handler", "qs.head", "rsj.handler", "supervisor", "leader", "inspector"}
		if len(accounts) != len(want) {
			t.Fatalf("got %d accounts, want %d: %+v", len(accounts), len(want), accounts)
		}
		for i, a := range accounts {
			if a.Username != want[i] || a.Password != demo.Password || a.Name == "" || a.Unit == "" || a.Roles == "" {
				t.Errorf("account %d = %+v, want username %s with password, name, unit and roles", i, a, want[i])
			}
		}
		if err := xinfang.CheckPasswordRule(demo.Password); err != nil {
			t.Errorf("demo password breaks the password rule: %v", err)
		}
		u, _, err := db.Directory.Login(ctx, "registrar", demo.Password, "127.0.0.1")
		if err != nil {
			t.Fatalf("login as registrar: %v", err)
		}
		if u.MustChangePassword {
			t.Error("demo registrar must change the password")
		}
	})

	t.Run("roles", func(t *testing.T) {
		admin := userCtx(t, db, "admin")
		users, err := db.Directory.FindUsers(admin, xinfang.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[xinfang.Role]bool{}
		for _, u := range users {
			for _, r := range u.Roles {
				seen[r] = true
			}
		}
		for _, r := range xinfang.Roles {
			if !seen[xinfang.Role(r.Code)] {
				t.Errorf("no demo user has role %s (%s)", r.Code, r.Label)
			}
		}
	})

	t.Run("units", func(t *testing.T) {
		units, err := db.Directory.FindUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[xinfang.UnitKind]int{}
		for _, u := range units {
			kinds[u.Kind]++
			want := map[xinfang.UnitKind]int{xinfang.UnitCity: 6, xinfang.UnitTown: 9, xinfang.UnitVillage: 12}[u.Kind]
			if want != 0 && len(u.RegionCode) != want {
				t.Errorf("%s (%s) has region code %q, want %d digits", u.Name, u.Kind, u.RegionCode, want)
			}
		}
		if len(units) < 100 {
			t.Errorf("got %d units, want at least 100", len(units))
		}
		for kind, min := range map[xinfang.UnitKind]int{xinfang.UnitCity: 1, xinfang.UnitTown: 10, xinfang.UnitVillage: 100, xinfang.UnitLegal: 4,
			xinfang.UnitBureau: 1, xinfang.UnitDiscipline: 1, xinfang.UnitJoint: 1, xinfang.UnitDepartment: 6, xinfang.UnitSuperior: 2} {
			if kinds[kind] < min {
				t.Errorf("got %d units of kind %s, want at least %d", kinds[kind], kind, min)
			}
		}
	})

	// The 纪委 inspector sees the whole city and the accusations handled
	// by the 纪委监委, which is every demo petition.
	inspector := userCtx(t, db, "inspector")
	all, total := allPetitions(t, db, inspector, xinfang.PetitionFilter{})

	t.Run("petitions", func(t *testing.T) {
		if total != n || len(all) != n {
			t.Fatalf("inspector sees %d of %d petitions, want %d", len(all), total, n)
		}
		states, channels := map[string]int{}, map[string]int{}
		var repeats, groups, orgs, escalated, legal int
		for _, p := range all {
			states[string(p.State)]++
			channels[string(p.Channel)]++
			if p.Repeat {
				repeats++
				if p.RepeatOfID == 0 {
					t.Errorf("%s is a repeat of nothing", p.Number)
				}
			}
			if p.PersonCount >= 5 {
				groups++
				if !p.Group {
					t.Errorf("%s: %d people but not a group visit", p.Number, p.PersonCount)
				}
			}
			if p.Escalation != "" {
				escalated++
			}
			if p.LegalCase {
				legal++
			}
			if p.Petitioner.OrgCode != "" {
				orgs++
				if err := xinfang.ValidateUSCC(p.Petitioner.OrgCode); err != nil {
					t.Errorf("%s: %s: %v", p.Number, p.Petitioner.OrgCode, err)
				}
			}
			if id := p.Petitioner.IDNumber; id != "" {
				if err := xinfang.ValidateIDNumber(id, today); err != nil {
					t.Errorf("%s: %s: %v", p.Number, id, err)
				}
			}
			if !strings.HasPrefix(p.Number, p.RegUnit.Code+"-") {
				t.Errorf("number %s does not start with the registering unit's code %s", p.Number, p.RegUnit.Code)
			}
			if p.ReceivedAt.After(today) || p.ReceivedAt.Before(today.AddDate(-3, 0, -1)) {
				t.Errorf("%s received %s, outside the three years before %s", p.Number, p.ReceivedAt, today)
			}
		}
		for _, s := range xinfang.States {
			if states[s.Code] == 0 {
				t.Errorf("no petition in state %s (%s); states: %v", s.Code, s.Label, states)
			}
		}
		for _, c := range xinfang.Channels {
			// 领导接访 items are registered at receptions, among the
			// petitions asked for, by demos of 300 and more only.
			if c.Code == string(xinfang.ChannelLeaderReception) && n < 300 {
				continue
			}
			if channels[c.Code] == 0 {
				t.Errorf("no petition by channel %s (%s); channels: %v", c.Code, c.Label, channels)
			}
		}
		for what, got := range map[string]int{"repeats": repeats, "group visits": groups, "organisations": orgs, "escalations": escalated, "legal cases": legal} {
			if got == 0 {
				t.Errorf("no %s among %d petitions", what, n)
			}
		}
	})

	t.Run("event chains", func(t *testing.T) {
		for _, p := range all {
			if _, err := db.Petitions.VerifyEvents(inspector, p.ID); err != nil {
				t.Errorf("%s: %v", p.Number, err)
			}
		}
		// The whole database as `xinfang verify` checks it, numbering too.
		rep, err := db.VerifyAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 0 || rep.Petitions != total {
			t.Errorf("VerifyAll: %d of %d petitions, findings %+v", rep.Petitions, total, rep.Findings)
		}
	})

	t.Run("history", func(t *testing.T) {
		// Every stored state is what the history says, and every history
		// starts with the registration and moves forward in time.
		for _, p := range all {
			events, err := db.Petitions.FindEvents(inspector, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) == 0 || events[0].Action != xinfang.ActRegister {
				t.Errorf("%s: history does not start with registration", p.Number)
				continue
			}
			last := events[len(events)-1]
			if last.To != p.State {
				t.Errorf("%s: state %s but last event leads to %s", p.Number, p.State, last.To)
			}
			for i := 1; i < len(events); i++ {
				if events[i].At.Before(events[i-1].At) {
					t.Errorf("%s: event %d at %s before event %d at %s", p.Number, i+1, events[i].At, i, events[i-1].At)
				}
			}
			if last.At.After(today) {
				t.Errorf("%s: last event at %s, after today %s", p.Number, last.At, today)
			}
		}
	})

	t.Run("warnings", func(t *testing.T) {
		leader := userCtx(t, db, "leader")
		for _, w := range []xinfang.Warning{xinfang.WarnOverdue, xinfang.WarnSevere} {
			_, total, err := db.Petitions.FindPetitions(leader, xinfang.PetitionFilter{Warning: w})
			if err != nil {
				t.Fatal(err)
			}
			if total == 0 {
				t.Errorf("no petition with warning %s", w)
			}
		}
	})

	t.Run("accusations", func(t *testing.T) {
		// 检举控告 items are hidden from the city leader (security.md) but
		// exist, handled by the 纪委监委.
		var accusations int
		for _, p := range all {
			if p.Purpose == xinfang.PurposeAccusation {
				accusations++
				if p.HandlingUnit == nil || p.HandlingUnit.Kind != xinfang.UnitDiscipline {
					t.Errorf("accusation %s is not handled by the 纪委监委", p.Number)
				}
			}
		}
		if accusations == 0 {
			t.Fatal("no accusations")
		}
		_, leaderTotal := allPetitions(t, db, userCtx(t, db, "leader"), xinfang.PetitionFilter{})
		if leaderTotal != n-accusations {
			t.Errorf("leader sees %d petitions, want %d (all but %d accusations)", leaderTotal, n-accusations, accusations)
		}
	})

	t.Run("cases", func(t *testing.T) { checkCases(t, db, n) })
	t.Run("tasks", func(t *testing.T) { checkTasks(t, db, all) })
	t.Run("supervision", func(t *testing.T) { checkSupervision(t, db) })
	t.Run("discipline", func(t *testing.T) { checkDiscipline(t, db) })
	t.Run("campaigns", func(t *testing.T) { checkCampaigns(t, db) })

	t.Run("clock restored", func(t *testing.T) {
		if got := db.Now(); !got.Equal(today) {
			t.Errorf("db.Now() = %s after load, want the clock before it, %s", got, today)
		}
	})

	t.Run("second load is a no-op", func(t *testing.T) {
		before, err := db.Directory.FindUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		again := mustLoad(t, db, n)
		if len(again) != len(accounts) {
			t.Errorf("second load returned %d accounts, want %d", len(again), len(accounts))
		}
		_, total := allPetitions(t, db, inspector, xinfang.PetitionFilter{})
		if total != n {
			t.Errorf("after a second load: %d petitions, want %d", total, n)
		}
		after, err := db.Directory.FindUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("units changed from %d to %d", len(before), len(after))
		}
	})
}

// TestLoadPostgres loads the same demo on PostgreSQL, where the storage
// takes another dialect, when a server is there.
func TestLoadPostgres(t *testing.T) {
	if !slices.Contains(sqldbtest.Dialects(t), "postgres") {
		t.Skip("no PostgreSQL")
	}
	const n = 120
	db := sqldbtest.Open(t, "postgres")
	db.Now = func() time.Time { return today }
	mustLoad(t, db, n)
	all, total := allPetitions(t, db, userCtx(t, db, "inspector"), xinfang.PetitionFilter{})
	if total != n {
		t.Fatalf("got %d petitions, want %d", total, n)
	}
	t.Run("cases", func(t *testing.T) { checkCases(t, db, n) })
	t.Run("tasks", func(t *testing.T) { checkTasks(t, db, all) })
	t.Run("supervision", func(t *testing.T) { checkSupervision(t, db) })
	t.Run("discipline", func(t *testing.T) { checkDiscipline(t, db) })
}

// TestLoadTiny loads a demo too small for every story: it must still load.
func TestLoadTiny(t *testing.T) {
	db := openDB(t)
	mustLoad(t, db, 3)
	all, total := allPetitions(t, db, userCtx(t, db, "inspector"), xinfang.PetitionFilter{})
	if total != 3 || len(all) != 3 {
		t.Errorf("got %d petitions (%d listed), want 3", total, len(all))
	}
}

// TestLoadIsReproducible loads the same seed twice: the same petitions come
// out, with the same numbers, texts and states.
func TestLoadIsReproducible(t *testing.T) {
	const n = 30
	summary := func(db *sqldb.DB) []string {
		t.Helper()
		all, _ := allPetitions(t, db, userCtx(t, db, "inspector"), xinfang.PetitionFilter{Sort: "number"})
		var out []string
		for _, p := range all {
			out = append(out, p.Number+" "+string(p.State)+" "+p.Petitioner.IDNumber+" "+p.Summary)
		}
		return out
	}
	a, b := openDB(t), openDB(t)
	mustLoad(t, a, n)
	mustLoad(t, b, n)
	sa, sb := summary(a), summary(b)
	cases := func(db *sqldb.DB) []string {
		var out []string
		for _, c := range allCases(t, db) {
			out = append(out, c.Number+" "+string(c.State)+" "+c.LeaderName+" "+c.Title)
		}
		list, _, err := db.Supervisions.FindSupervisions(userCtx(t, db, "supervisor"), xinfang.SupervisionFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			out = append(out, s.Number+" "+string(s.State)+" "+s.Deadline.String()+" "+s.Requirements)
		}
		return out
	}
	if ca, cb := cases(a), cases(b); strings.Join(ca, "\n") != strings.Join(cb, "\n") {
		t.Errorf("cases and 督办单 differ:\n%s\n---\n%s", strings.Join(ca, "\n"), strings.Join(cb, "\n"))
	}
	if len(sa) != n || len(sb) != n {
		t.Fatalf("got %d and %d petitions, want %d", len(sa), len(sb), n)
	}
	for i := range sa {
		if sa[i] != sb[i] {
			t.Errorf("petition %d differs:\n%s\n%s", i, sa[i], sb[i])
		}
	}
}

// allCases returns every case with its records, as the inspector sees them.
func allCases(t *testing.T, db *sqldb.DB) []*xinfang.Case {
	t.Helper()
	ctx := userCtx(t, db, "inspector")
	list, total, err := db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != total {
		t.Fatalf("listed %d of %d cases", len(list), total)
	}
	out := make([]*xinfang.Case, len(list))
	for i, row := range list {
		if out[i], err = db.Cases.FindCaseByID(ctx, row.ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// checkCases: the backlog cases scale with the petitions, cover every
// state and source, and carry the records of 五包一; the resolved and
// struck-off ones carry what the closure rule asks for.
func checkCases(t *testing.T, db *sqldb.DB, petitions int) {
	cases := allCases(t, db)
	if want := max(4, (petitions*119+400)/800); len(cases) != want {
		t.Errorf("got %d cases, want %d", len(cases), want)
	}
	states, sources := map[xinfang.CaseState]int{}, map[xinfang.CaseSource]int{}
	var withPetitions, lateSteps, lawyers, instructions, overdue int
	for _, c := range cases {
		states[c.State]++
		sources[c.Source]++
		if len(c.PetitionIDs) > 0 {
			withPetitions++
		}
		if c.LeaderID == 0 || c.LeaderName == "" {
			t.Errorf("%s has no 包案领导", c.Number)
		}
		if len(c.Team) < 3 {
			t.Errorf("%s: team of %d, want a 工作专班 of several", c.Number, len(c.Team))
		}
		if c.StabilityPlan == "" || c.Deadline.IsZero() || !c.HasTag("trace") || c.Petitioners == "" || c.Summary == "" {
			t.Errorf("%s lacks its stability plan, 化解时限, tags, petitioners or summary", c.Number)
		}
		if !strings.Contains(c.Number, "-JA-") {
			t.Errorf("case number %s", c.Number)
		}
		lateSteps += c.Stats.StepsLate
		instructions += len(c.Instructions)
		if c.Overdue {
			overdue++
		}
		for _, k := range c.Consultations {
			for _, a := range k.Attendees {
				if a.Kind == "lawyer" {
					lawyers++
				}
			}
		}
		if c.State == xinfang.CaseUnresolved {
			if len(c.Plan) > 0 {
				t.Errorf("%s is 未化解 with a plan", c.Number)
			}
			continue
		}
		if len(c.Plan) < 3 {
			t.Errorf("%s (%s) has %d plan steps", c.Number, c.State.Label(), len(c.Plan))
		}
		for _, s := range c.Plan {
			if s.Owner == "" || s.Deadline.IsZero() || !s.DoneOn.IsZero() && s.Evidence == "" {
				t.Errorf("%s: step %+v lacks owner, deadline or evidence", c.Number, s)
			}
		}
		if !c.State.Done() {
			continue
		}
		if _, err := xinfang.CheckTransition(&xinfang.Case{State: xinfang.CaseResolving, Resolution: c.Resolution, Tasks: c.Tasks}, "resolve"); err != nil {
			t.Errorf("%s is %s but: %v", c.Number, c.State.Label(), err)
		}
		for _, s := range c.Plan {
			if s.DoneOn.IsZero() {
				t.Errorf("%s is %s with step %q not done", c.Number, c.State.Label(), s.Content)
			}
		}
		if len(c.Progress) == 0 {
			t.Errorf("%s is %s without a progress report", c.Number, c.State.Label())
		}
		if c.State == xinfang.CaseClosed && (c.SignOff == nil || c.SignOff.ByID != c.LeaderID) {
			t.Errorf("%s is struck off without its leader's signature: %+v", c.Number, c.SignOff)
		}
	}
	for _, s := range xinfang.CaseStates {
		if states[xinfang.CaseState(s.Code)] == 0 {
			t.Errorf("no case in state %s; states: %v", s.Label, states)
		}
	}
	if done := states[xinfang.CaseResolved] + states[xinfang.CaseClosed]; done*2 < len(cases) {
		t.Errorf("only %d of %d cases resolved or struck off", done, len(cases))
	}
	if len(sources) < 3 {
		t.Errorf("cases come from %d sources: %v", len(sources), sources)
	}
	for what, got := range map[string]int{"cases from petitions": withPetitions, "late plan steps": lateSteps,
		"lawyers at consultations": lawyers, "instructions on cases": instructions} {
		if got == 0 {
			t.Errorf("no %s", what)
		}
	}

	// 我包的案: the city leader leads cases, with what is late.
	mine, err := db.Cases.LeaderCases(userCtx(t, db, "leader"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) == 0 {
		t.Fatal("the leader leads no case")
	}
	for _, lc := range mine {
		if lc.Case.LeaderName != "周卫国" {
			t.Errorf("leader's case %s is led by %s", lc.Case.Number, lc.Case.LeaderName)
		}
	}

	// The history of a struck-off case runs forward from its filing to
	// the 销号.
	for _, c := range cases {
		if c.State != xinfang.CaseClosed {
			continue
		}
		events, err := db.Cases.FindCaseEvents(userCtx(t, db, "inspector"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if events[0].What != "create" || events[len(events)-1].What != "close" {
			t.Errorf("%s: history from %s to %s", c.Number, events[0].What, events[len(events)-1].What)
		}
		for i := 1; i < len(events); i++ {
			if events[i].At.Before(events[i-1].At) || events[i].At.After(today) {
				t.Errorf("%s: event %d (%s) at %s out of order", c.Number, i, events[i].What, events[i].At)
			}
		}
		break
	}
}

// checkTasks: 三跨三分离 tasks on cases and petitions, done, released with a
// reason, and open.
func checkTasks(t *testing.T, db *sqldb.DB, petitions []*xinfang.Petition) {
	inspector := userCtx(t, db, "inspector")
	states := map[xinfang.TaskState]int{}
	count := func(list []*xinfang.Task) {
		for _, task := range list {
			states[task.State]++
			if task.State == xinfang.TaskReleased && task.ReleaseReason == "" {
				t.Errorf("task %d released without a reason", task.ID)
			}
		}
	}
	for _, c := range allCases(t, db) {
		count(c.Tasks)
	}
	onPetitions := 0
	for _, p := range petitions {
		list, err := db.Cases.FindPetitionTasks(inspector, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		onPetitions += len(list)
		count(list)
	}
	if onPetitions == 0 {
		t.Error("no petition is split into tasks")
	}
	for _, s := range xinfang.TaskStates {
		if states[xinfang.TaskState(s.Code)] == 0 {
			t.Errorf("no task %s; tasks: %v", s.Label, states)
		}
	}
}

// checkSupervision: 督办单 in every state, some past their feedback
// deadline, some 挂牌, with reminders.
func checkSupervision(t *testing.T, db *sqldb.DB) {
	ctx := userCtx(t, db, "supervisor")
	for _, s := range xinfang.SupervisionStates {
		if _, total, err := db.Supervisions.FindSupervisions(ctx, xinfang.SupervisionFilter{State: []xinfang.SupervisionState{xinfang.SupervisionState(s.Code)}}); err != nil {
			t.Fatal(err)
		} else if total == 0 {
			t.Errorf("no 督办单 %s", s.Label)
		}
	}
	if _, total, err := db.Supervisions.FindSupervisions(ctx, xinfang.SupervisionFilter{Overdue: true}); err != nil || total == 0 {
		t.Errorf("no 督办单 open past its feedback deadline (%v)", err)
	}
	list, _, err := db.Supervisions.FindSupervisions(ctx, xinfang.SupervisionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var reminders int
	for _, s := range list {
		full, err := db.Supervisions.FindSupervisionByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		reminders += len(full.Reminders)
		if s.State != xinfang.SupervisionOpen && (s.Feedback == nil || s.Feedback.Text == "") {
			t.Errorf("%s is %s without feedback", s.Number, s.State.Label())
		}
	}
	if reminders == 0 {
		t.Error("no 催办")
	}
}

// checkDiscipline: investigations on escalated visits, accountability
// records, and a responsibility letter of every town this year.
func checkDiscipline(t *testing.T, db *sqldb.DB) {
	ctx := userCtx(t, db, "inspector")
	ivs, _, err := db.Discipline.FindInvestigations(ctx, xinfang.InvestigationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) == 0 {
		t.Error("no investigation")
	}
	for _, iv := range ivs {
		if iv.Escalation == "" {
			t.Errorf("investigation %d is not on an escalated visit", iv.ID)
		}
	}
	if _, total, err := db.Discipline.FindAccountabilities(ctx, xinfang.AccountabilityFilter{}); err != nil || total == 0 {
		t.Errorf("no accountability record (%v)", err)
	}
	letters, err := db.Discipline.FindResponsibilityLetters(ctx, 0, today.Year())
	if err != nil {
		t.Fatal(err)
	}
	if len(letters) != 10 {
		t.Errorf("got %d responsibility letters for %d, want one per town (10)", len(letters), today.Year())
	}
}
