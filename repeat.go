package xinfang

import "time"

// PersonMatch is an earlier petition of the same person, for the repeat
// check at registration.
type PersonMatch struct {
	Petition *Petition `json:"petition"`
	Reason   string    `json:"reason"`
}

// RepeatCandidate is an earlier (or, on demand, any other) petition that
// may be the same matter, with its score and reasons in Chinese.
type RepeatCandidate struct {
	Petition *Petition `json:"petition"`
	Score    float64   `json:"score"`
	// Repeat is the decision of similar.RepeatThreshold: the same matter.
	// Below it the candidate is shown for the same person or the same
	// place and kind of matter.
	Repeat  bool     `json:"repeat"`
	Reasons []string `json:"reasons"`
	// Linked: the petition is already recorded as a repeat of this one.
	Linked bool `json:"linked,omitempty"`
}

// Repeat decisions.
const (
	RepeatLink    = "link"    // 关联为重复件
	RepeatDismiss = "dismiss" // 不是重复件，不再提示
)

// RepeatDecision is the record of one decision about a candidate.
type RepeatDecision struct {
	ID          int64     `json:"id"`
	PetitionID  int64     `json:"petition_id"`
	CandidateID int64     `json:"candidate_id"`
	Decision    string    `json:"decision"`
	UserID      int64     `json:"user_id"`
	UserName    string    `json:"user_name"`
	At          time.Time `json:"at"`
	Score       float64   `json:"score"`
	Reasons     []string  `json:"reasons"`
	// Version is the petition's version after the decision.
	Version int `json:"version"`
}

// RepeatDecisionInput is what the registrar sends. Version, when not 0,
// must be the petition's current version.
type RepeatDecisionInput struct {
	CandidateID int64  `json:"candidate_id"`
	Decision    string `json:"decision"`
	Version     int    `json:"version,omitempty"`
}

// Validate checks the input.
func (in *RepeatDecisionInput) Validate() error {
	p := Problems{}
	if in.CandidateID <= 0 {
		p.Add("candidate_id", "请选择候选信访件")
	}
	if in.Decision != RepeatLink && in.Decision != RepeatDismiss {
		p.Add("decision", "处理方式须为 link（关联为重复件）或 dismiss（不是重复件）")
	}
	if in.Version < 0 {
		p.Add("version", "版本号不能为负数")
	}
	return p.Err()
}

// RepeatCounts are the repeat figures of a petition, within the user's scope.
type RepeatCounts struct {
	// RootID is the first petition of the matter: following repeat_of_id
	// up from the petition.
	RootID int64 `json:"root_id"`
	// Matter is the number of petitions of the matter: the root and every
	// petition recorded as a repeat of it, directly or through another.
	Matter int `json:"matter"`
	// Petitioner is the number of petitions of the main petitioner.
	Petitioner int `json:"petitioner"`
}
