package xinfang

import (
	"time"

	"xinfang/internal/calendar"
)

// Legal opinions (法律意见书; data.md "Legal opinion"): a lawyer assigned
// to a petition or a case (指派) drafts his opinion on it — the question,
// the analysis, the opinion and its legal basis — and issues it; issued,
// it is final and prints with his name and firm.

// LegalOpinionNumberFormat numbers legal opinions: FY-<year>-<seq>.
const LegalOpinionNumberFormat = "FY-%d-%04d"

// LegalOpinion is one 法律意见书.
type LegalOpinion struct {
	ID             int64         `json:"id"`
	Number         string        `json:"number"`
	PetitionID     int64         `json:"petition_id,omitempty"`
	PetitionNumber string        `json:"petition_number,omitempty"`
	CaseID         int64         `json:"case_id,omitempty"`
	CaseNumber     string        `json:"case_number,omitempty"`
	LawyerID       int64         `json:"lawyer_id"`
	LawyerName     string        `json:"lawyer_name"`
	Firm           string        `json:"firm"` // 律师事务所
	Question       string        `json:"question"`
	Analysis       string        `json:"analysis"`
	Opinion        string        `json:"opinion"`
	Basis          string        `json:"basis"`
	Issued         bool          `json:"issued"`
	IssuedOn       calendar.Date `json:"issued_on,omitzero"`
	Version        int           `json:"version"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// Validate checks a draft.
func (o *LegalOpinion) Validate() error {
	p := Problems{}
	checkLine(p, "firm", &o.Firm, MaxLine)
	checkText(p, "question", &o.Question, MaxText)
	checkText(p, "analysis", &o.Analysis, MaxText)
	checkText(p, "opinion", &o.Opinion, MaxText)
	checkText(p, "basis", &o.Basis, MaxNote)
	if (o.PetitionID > 0) == (o.CaseID > 0) {
		p.Add("petition_id", "法律意见书须针对一件信访件或一件信访积案")
	}
	if o.Firm == "" {
		p.Add("firm", "请填写律师事务所")
	}
	if o.Question == "" {
		p.Add("question", "请写明咨询的问题和基本事实")
	}
	if o.Opinion == "" {
		p.Add("opinion", "请写明法律意见")
	}
	if o.Basis == "" {
		p.Add("basis", "请写明法律依据")
	}
	return p.Err()
}

// CanDraftLegalOpinion reports whether u drafts legal opinions: lawyers,
// on the records assigned to them (storage's scope).
func CanDraftLegalOpinion(u *User) bool { return u.Has(RoleLawyer) }

// CanReadLegalOpinions reports whether u has the legal opinions' list:
// lawyers (their own) and the staff with a data scope.
func CanReadLegalOpinions(u *User) bool { return CanDraftLegalOpinion(u) || u.HasAny(scopedRoles...) }
