package xinfang

import "time"

// 首访责任制 (the first unit's duty; seed 四): the unit an item first came
// to should handle and conclude it rather than pass it on. The figures,
// per first unit and year of receipt: what it received, what it passed on
// to another unit instead of handling (the item's handling unit is
// another), and what it concluded itself (办结 or 终结 while it still had
// the item) — with the rate of the last to the first. Merged repeats are
// not counted.

// FirstVisitRow is one first unit's figures.
type FirstVisitRow struct {
	UnitID    int64  `json:"unit_id"`
	UnitName  string `json:"unit_name"`
	Received  int    `json:"received"`
	PassedOn  int    `json:"passed_on"`
	Concluded int    `json:"concluded"`
}

// ConcludeRate is the share of what the unit received that it concluded
// itself, in percent (0 when it received nothing).
func (r FirstVisitRow) ConcludeRate() float64 {
	if r.Received == 0 {
		return 0
	}
	return float64(r.Concluded) * 100 / float64(r.Received)
}

// PassedOnItem is an item its first unit passed on.
type PassedOnItem struct {
	PetitionID   int64     `json:"petition_id"`
	Number       string    `json:"number"`
	Summary      string    `json:"summary"`
	ReceivedAt   time.Time `json:"received_at"`
	HandlingUnit string    `json:"handling_unit"`
	State        State     `json:"state"`
}
