package demo

import (
	"fmt"
	"math/rand/v2"

	"xinfang"
)

// seats chooses experts and observers for the backlog cases' consultations
// and for some 督办单, as the case's 包案 city leader and the issuing side
// would, and records who came and what they said: the expert's and the
// observer's pages then list them beside their hearings.
func (l *loader) seats() error {
	d := dice{rand.New(rand.NewPCG(2026, 0x5345_4154))}
	ctx := l.asUser(l.c.leader)
	var experts, observers []int64
	for _, e := range l.soc.experts {
		if e.Available {
			experts = append(experts, e.ID)
		}
	}
	for _, o := range l.soc.observers {
		observers = append(observers, o.ID)
	}
	pick := func(from []int64, n int) []int64 {
		out := []int64{}
		for _, i := range d.Perm(len(from))[:n] {
			out = append(out, from[i])
		}
		return out
	}
	remarks := []string{"事实基本清楚，建议依法依规处理，兼顾情理。", "建议组织双方面对面沟通，先行解决合理诉求。", "政策依据充分，答复时应讲清法律后果。",
		"建议引入第三方评估，消除信访人疑虑。", "对信访人困难情况应纳入帮扶，防止矛盾激化。", "程序合法，建议加强释法说理。"}
	record := func(on xinfang.SeatOn, id int64, as *xinfang.User, ex, ob int) error {
		actx := l.asUser(as)
		seats, err := l.db.Seats.InviteSeats(actx, xinfang.SeatInvitation{On: on, RecordID: id, ExpertIDs: pick(experts, ex), ObserverIDs: pick(observers, ob)})
		if err != nil {
			return fmt.Errorf("seats on %s %d: %w", on, id, err)
		}
		for _, st := range seats {
			if d.chance(15) {
				continue // not recorded yet
			}
			rec := xinfang.SeatRecord{Attendance: xinfang.Attended, Remarks: d.pick(remarks)}
			if d.chance(10) {
				rec = xinfang.SeatRecord{Attendance: xinfang.Absent}
			}
			if _, err := l.db.Seats.RecordSeat(actx, st.ID, st.Version, rec); err != nil {
				return fmt.Errorf("seat %d: %w", st.ID, err)
			}
		}
		return nil
	}
	cases, _, err := l.db.Cases.FindCases(ctx, xinfang.CaseFilter{Limit: -1})
	if err != nil {
		return err
	}
	for _, c := range cases {
		full, err := l.db.Cases.FindCaseByID(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, k := range full.Consultations {
			if err := record(xinfang.SeatConsultation, k.ID, l.c.leader, d.between(1, 3), d.between(0, 1)); err != nil {
				return err
			}
		}
	}
	sups, _, err := l.db.Supervisions.FindSupervisions(ctx, xinfang.SupervisionFilter{Limit: 500})
	if err != nil {
		return err
	}
	byID := map[int64]*xinfang.User{}
	for _, u := range l.c.users {
		byID[u.ID] = u
	}
	for i, s := range sups {
		if i%5 != 0 || byID[s.IssuerID] == nil {
			continue
		}
		if err := record(xinfang.SeatSupervision, s.ID, byID[s.IssuerID], 1, d.between(1, 2)); err != nil {
			return err
		}
	}
	return nil
}
