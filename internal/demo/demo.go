// Package demo loads a demo city into an empty database: 示范市 with its
// towns, villages, departments and one account per role, and about 800
// petitions over the last three years, each driven through the real
// procedure (sqldb.RegisterPetition and sqldb.DB.Act with the clock set to
// the time of each step), so that states, event chains, clocks and warnings
// are those the system itself produces. On them rest about 119 backlog
// cases under 五包一 in every state, 三跨三分离 tasks, leaders' 批示, 督办单
// and the 纪委's investigations, accountability records and
// responsibility letters, told the same way. It uses storage only through its
// exported methods and must never import the HTTP layer.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

// Options control the size of the demo.
type Options struct {
	// Petitions is the number of petitions' stories, about 800 by
	// default; a demo of 300 or more adds a few items registered at
	// leaders' receptions (领导接访) beside them.
	Petitions int
	Seed      int64
	// Online is how many items petitioners submitted on the portal in the
	// last days, waiting for the registrar (beside the online items among
	// Petitions, which are handled and evaluated on the portal).
	Online int
}

// Account is a demo login printed at start.
type Account struct {
	Username, Password, Name, Unit, Roles string
}

// Load fills an empty database with the demo city and returns the demo
// accounts. On a database that already has units it does nothing and
// returns the accounts (their passwords are the demo ones unless changed).
//
// The petitions end on the database clock's present (db.Now when Load is
// called), which Load restores when it returns. The same seed gives the
// same city and the same stories, dated relative to that day.
func Load(ctx context.Context, db *sqldb.DB, opt Options) ([]Account, error) {
	units, err := db.Directory.FindUnits(ctx)
	if err != nil {
		return nil, err
	}
	if len(units) > 0 {
		return accounts(ctx, db)
	}
	if opt.Petitions <= 0 {
		opt.Petitions = 800
	}
	if opt.Seed == 0 {
		opt.Seed = 2026
	}
	clock := db.Now
	defer func() { db.Now = clock }()
	end := clock()

	// The accounts exist a month before the first petition.
	setup := end.AddDate(-3, -1, 0)
	db.Now = func() time.Time { return setup }
	c, err := buildCity(ctx, db)
	if err != nil {
		return nil, err
	}
	l := &loader{dice: dice{rand.New(rand.NewPCG(uint64(opt.Seed), 0x5846_2026))}, ctx: ctx, db: db, c: c, cal: db.Calendar(ctx), end: end}
	l.pp = newPeople(l.Rand)
	if err := l.societyRegisters(); err != nil {
		return nil, err
	}
	if err := l.screeningRounds(); err != nil {
		return nil, err
	}
	// The 涉法涉诉 letters (legal.go) are among the petitions asked for.
	letters := legalLetterCount(opt.Petitions)
	// So are the items registered at leaders' receptions (receptions.go).
	plans := l.plan(opt.Petitions - letters - receptionItemCount(opt.Petitions))
	for _, p := range plans {
		// Stop between petitions when the program is told to stop.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := l.tell(p); err != nil {
			return nil, fmt.Errorf("demo petition %d (%s, %s): %w", p.idx, p.sc.name, p.m.key, err)
		}
	}
	if err := l.backlog(plans, opt); err != nil {
		return nil, err
	}
	if err := l.portal(opt.Online); err != nil {
		return nil, err
	}
	if err := l.assignments(plans); err != nil {
		return nil, err
	}
	if err := l.mediations(plans, opt.Petitions); err != nil {
		return nil, err
	}
	if err := l.judicialAid(plans); err != nil {
		return nil, err
	}
	if err := l.seats(); err != nil {
		return nil, err
	}
	if err := l.screening(); err != nil {
		return nil, err
	}
	if err := l.riskAssessments(plans); err != nil {
		return nil, err
	}
	if err := l.campaigns(); err != nil {
		return nil, err
	}
	if err := l.followups(plans); err != nil {
		return nil, err
	}
	if err := l.legal(letters); err != nil {
		return nil, err
	}
	if err := l.receptionsAndMeetings(opt.Petitions); err != nil {
		return nil, err
	}
	return accounts(ctx, db)
}

// loader holds what the stories share.
type loader struct {
	dice
	ctx context.Context
	db  *sqldb.DB
	c   *city
	pp  *people
	cal *calendar.Calendar
	end time.Time

	final map[int64]*xinfang.Petition // every petition as its story left it
	soc   *societyPool                // the expert pool and the observers (society.go)
	// rounds are the monthly screening rounds by period (screening.go).
	rounds map[string]*xinfang.ScreeningRound
}

// dice draws the random choices of the planner or of one story.
type dice struct{ *rand.Rand }

func (d dice) chance(percent int) bool { return d.IntN(100) < percent }

// between returns a random int in [lo, hi].
func (d dice) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + d.IntN(hi-lo+1)
}

func (d dice) pick(list []string) string { return oneOf(d, list) }

// oneOf is pick for any list, codes among them.
func oneOf[T any](d dice, list []T) T { return list[d.IntN(len(list))] }

// office returns the first office-hours instant (08:30–17:30 Beijing time
// on a working day) at or after t, at a random minute of the morning when
// it has to move to another day.
func (l *loader) office(d dice, t time.Time) time.Time {
	loc := calendar.Location()
	t = t.In(loc)
	day := calendar.DateOf(t)
	open := time.Date(t.Year(), t.Month(), t.Day(), 8, 30, 0, 0, loc)
	closing := time.Date(t.Year(), t.Month(), t.Day(), 17, 30, 0, 0, loc)
	if l.cal.IsWorkday(day) && !t.Before(open) && t.Before(closing) {
		return t
	}
	if !l.cal.IsWorkday(day) || !t.Before(closing) {
		day = l.cal.NextWorkday(day)
	}
	return time.Date(day.Year, day.Month, day.Day, 8, 30, 0, 0, loc).Add(time.Duration(d.IntN(240)) * time.Minute)
}

// daysBeforeEnd returns an office-hours instant on the day days before
// the end, or on the next working day.
func (l *loader) daysBeforeEnd(d dice, days int) time.Time {
	day := calendar.DateOf(l.end).AddDays(-days)
	t := time.Date(day.Year, day.Month, day.Day, 8, 30, 0, 0, calendar.Location())
	return l.office(d, t.Add(time.Duration(d.IntN(480))*time.Minute))
}

// asUser returns a context acting as u.
func (l *loader) asUser(u *xinfang.User) context.Context {
	return xinfang.NewContextWithUser(l.ctx, u)
}
