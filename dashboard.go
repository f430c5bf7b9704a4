package xinfang

import "xinfang/internal/calendar"

// The dashboard (态势) of a unit's scope: counts of petitions by state,
// warning level, month, category, channel and territory; backlog cases by
// state and leader; the indicators against their targets; 越级访 over
// time. Each count is the total of the list its link opens.

// DashboardQuery asks for the dashboard of a unit over a period.
type DashboardQuery struct {
	UnitID int64         `json:"unit_id"` // 0: the viewer's own unit (the city for readers of the whole city)
	From   calendar.Date `json:"from"`
	To     calendar.Date `json:"to"` // inclusive
}

// Count is one bar: a key (state, month, unit id …), its label and value.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value int    `json:"value"`
}

// Dashboard is the answer.
type Dashboard struct {
	Unit  *Unit         `json:"unit"`
	From  calendar.Date `json:"from"`
	To    calendar.Date `json:"to"`
	Total int           `json:"total"` // petitions received in the period
	// Petitions received in the period, by state, month, top-level
	// category, channel and sub-unit (registered or handled there).
	States      []Count `json:"states"`
	Months      []Count `json:"months"`
	Categories  []Count `json:"categories"`
	Channels    []Count `json:"channels"`
	Territories []Count `json:"territories"`
	// Running items by warning level, today.
	Warnings []Count `json:"warnings"`
	// Backlog cases of the unit's subtree, by state and, of those not
	// struck off, by 包案领导.
	CaseStates  []Count     `json:"case_states"`
	CaseLeaders []Count     `json:"case_leaders"`
	Indicators  *Indicators `json:"indicators"`
}
