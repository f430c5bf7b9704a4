package web

import (
	"context"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// The storage the web layer needs, declared here by what it uses (the
// consumer owns the interface). Every method applies the acting user's
// rights and data scope (xinfang.UserFromContext); handlers only parse,
// call and render. cmd/xinfang fills them from internal/sqldb; a handler
// test may fill only the one it exercises with a fake.

// Stores are the storage services of a Server.
type Stores struct {
	Petitions     PetitionStore
	Petitioners   PetitionerStore
	Cases         CaseStore
	Supervisions  SupervisionStore
	Discipline    DisciplineStore
	Notifications NotificationStore
	Repeats       RepeatStore
	Search        SearchStore
	Directory     DirectoryStore
	Audit         AuditLog
	Attachments   AttachmentStore
	Portal        PortalStore
	Outbox        OutboxStore
	Imports       ImportStore
	Society       SocietyStore
	Hearings      HearingStore
	Assignments   AssignmentStore
	Mediations    MediationStore
	JudicialAid   JudicialAidStore
	Opinions      LegalOpinionStore
	FirstVisit    FirstVisitStore
	Indicators    IndicatorStore
	Assessment    AssessmentStore
	Seats         SeatStore

	// 矛盾纠纷排查 and 稳评 (nil in a test that does not use them: the
	// petition and case pages then show no origin or decision).
	Screening ScreeningStore
	Risks     RiskAssessmentStore

	Campaigns CampaignStore
	Followups FollowupStore

	Legal      LegalReferralStore
	LawyerDuty LawyerDutyStore
	Receptions ReceptionStore
	Meetings   MeetingStore
	// Procedure returns the procedure over the current holiday calendar.
	Procedure func(ctx context.Context) *procedure.Procedure
	// Now is the clock (the storage's own, so that a test that moves one moves both).
	Now func() time.Time
	// IndexStatus says whether the petitions' search and repeat index is
	// complete (it is built in the background after an upgrade); nil
	// means always complete.
	IndexStatus func(ctx context.Context) xinfang.IndexStatus
}

// AuditLog is the audit log: what a request records beyond its changes
// (whose entries storage writes with them), and the auditor's reading.
type AuditLog interface {
	Record(ctx context.Context, e *xinfang.AuditEntry) error
	FindAudit(ctx context.Context, f xinfang.AuditFilter) ([]*xinfang.AuditEntry, int, error)
	VerifyAudit(ctx context.Context) (int64, error)
}

// PetitionStore is the petitions (信访件) as the web layer uses them: registration, the procedure's actions, the events and the ledgers.
type PetitionStore interface {
	Act(ctx context.Context, id int64, in xinfang.ActionInput) (*xinfang.Petition, error)
	FindEvents(ctx context.Context, petitionID int64) ([]*xinfang.Event, error)
	FindOverdue(ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error)
	FindPetitionByID(ctx context.Context, id int64) (*xinfang.Petition, error)
	FindPetitionByNumber(ctx context.Context, number string) (*xinfang.Petition, error)
	FindPetitions(ctx context.Context, f xinfang.PetitionFilter) ([]*xinfang.Petition, int, error)
	EachPetition(ctx context.Context, f xinfang.PetitionFilter, fn func(*xinfang.Petition) error) error
	FindTodo(ctx context.Context, kind xinfang.TodoKind, offset, limit int) ([]*xinfang.Petition, int, error)
	RegisterPetition(ctx context.Context, p *xinfang.Petition) error
	RegisterPetitionOnce(ctx context.Context, p *xinfang.Petition, key, digest string) (*xinfang.Petition, bool, error)
	VerifyEvents(ctx context.Context, petitionID int64) (events int, err error)
}

// PetitionerStore finds earlier petitions of the same person (信访人).
type PetitionerStore interface {
	FindPersonMatches(ctx context.Context, idNumber, orgCode, phone string, limit int) ([]xinfang.PersonMatch, error)
}

// CaseStore is the backlog cases (信访积案) with their records, the 三跨三分离 tasks and the 批示.
type CaseStore interface {
	ActCase(ctx context.Context, id int64, version int, action xinfang.CaseAction, note string) (*xinfang.Case, error)
	AddCaseTask(ctx context.Context, id int64, version int, t *xinfang.Task) (*xinfang.Case, error)
	AddConsultation(ctx context.Context, id int64, version int, k *xinfang.Consultation) (*xinfang.Case, error)
	AddInstruction(ctx context.Context, in *xinfang.Instruction) ([]int64, error)
	AddPetitionTask(ctx context.Context, petitionID int64, t *xinfang.Task) error
	AddProgress(ctx context.Context, id int64, version int, r *xinfang.ProgressReport) (*xinfang.Case, error)
	CaseUsers(ctx context.Context) ([]xinfang.CaseUser, error)
	ChangeCaseTask(ctx context.Context, id int64, version int, taskID int64, ch xinfang.TaskChange) (*xinfang.Case, error)
	ChangePetitionTask(ctx context.Context, petitionID, taskID int64, version int, ch xinfang.TaskChange) (*xinfang.Task, error)
	CreateCase(ctx context.Context, c *xinfang.Case) error
	FindCaseByID(ctx context.Context, id int64) (*xinfang.Case, error)
	FindCaseByNumber(ctx context.Context, number string) (*xinfang.Case, error)
	FindCaseEvents(ctx context.Context, caseID int64) ([]*xinfang.CaseEvent, error)
	FindCases(ctx context.Context, f xinfang.CaseFilter) ([]*xinfang.Case, int, error)
	FindPetitionInstructions(ctx context.Context, petitionID int64) ([]*xinfang.Instruction, error)
	FindPetitionTasks(ctx context.Context, petitionID int64) ([]*xinfang.Task, error)
	LeaderCases(ctx context.Context) ([]*xinfang.LeaderCase, error)
	SaveCaseStep(ctx context.Context, id int64, version int, s *xinfang.PlanStep) (*xinfang.Case, error)
	SetCaseTeam(ctx context.Context, id int64, version int, team []xinfang.CaseMember) (*xinfang.Case, error)
	SetResolution(ctx context.Context, id int64, version int, r xinfang.Resolution) (*xinfang.Case, error)
	SignOffCase(ctx context.Context, id int64, version int, note string) (*xinfang.Case, error)
	UpdateCase(ctx context.Context, id int64, version int, u xinfang.CaseUpdate) (*xinfang.Case, error)
}

// SupervisionStore is the 督办单.
type SupervisionStore interface {
	CloseSupervision(ctx context.Context, id int64, note string) (*xinfang.Supervision, error)
	CreateSupervision(ctx context.Context, s *xinfang.Supervision) error
	FeedbackSupervision(ctx context.Context, id int64, text string) (*xinfang.Supervision, error)
	FindSupervisionByID(ctx context.Context, id int64) (*xinfang.Supervision, error)
	FindSupervisions(ctx context.Context, f xinfang.SupervisionFilter) ([]*xinfang.Supervision, int, error)
	RemindSupervision(ctx context.Context, id int64, text string) (*xinfang.Supervision, error)
}

// DisciplineStore is the work of the 纪委监委: watch list, raised investigations, accountability records and responsibility letters.
type DisciplineStore interface {
	CloseInvestigation(ctx context.Context, id int64, version int, note string) (*xinfang.Investigation, error)
	CreateAccountability(ctx context.Context, a *xinfang.Accountability) error
	DeleteInvestigation(ctx context.Context, id int64, version int) error
	FindAccountabilities(ctx context.Context, f xinfang.AccountabilityFilter) ([]*xinfang.Accountability, int, error)
	FindAccountabilityByID(ctx context.Context, id int64) (*xinfang.Accountability, error)
	FindInvestigationByID(ctx context.Context, id int64) (*xinfang.Investigation, error)
	FindInvestigationByNumber(ctx context.Context, number string) (int64, error)
	FindInvestigations(ctx context.Context, f xinfang.InvestigationFilter) ([]*xinfang.Investigation, int, error)
	FindResponsibilityLetterByID(ctx context.Context, id int64) (*xinfang.ResponsibilityLetter, error)
	FindResponsibilityLetters(ctx context.Context, unitID int64, year int) ([]*xinfang.ResponsibilityLetter, error)
	FindWatchList(ctx context.Context, f xinfang.WatchFilter) (*xinfang.WatchPage, error)
	CreateInvestigation(ctx context.Context, in xinfang.InvestigationInput) (*xinfang.Investigation, error)
	SaveResponsibilityLetter(ctx context.Context, l *xinfang.ResponsibilityLetter) error
	UpdateMatterTrack(ctx context.Context, id int64, in xinfang.MatterTrackInput) (*xinfang.Investigation, error)
	UpdateInvestigation(ctx context.Context, id int64, up xinfang.InvestigationUpdate) (*xinfang.Investigation, error)
	UpdateResponsibilityTrack(ctx context.Context, id int64, in xinfang.ResponsibilityTrackInput) (*xinfang.Investigation, error)
}

// NotificationStore is the signed-in user's messages (站内消息).
type NotificationStore interface {
	FindNotifications(ctx context.Context, f xinfang.NotificationFilter) (items []*xinfang.Notification, total, unread int, err error)
	MarkAllNotificationsRead(ctx context.Context) (int, error)
	MarkNotificationRead(ctx context.Context, id int64) (*xinfang.Notification, error)
	UnreadCount(ctx context.Context) (int, error)
}

// RepeatStore is repeat detection: candidates, decisions and counts.
type RepeatStore interface {
	DecideRepeat(ctx context.Context, id int64, in xinfang.RepeatDecisionInput) (*xinfang.RepeatDecision, error)
	FindRepeatCandidates(ctx context.Context, p *xinfang.Petition, limit int) ([]xinfang.RepeatCandidate, error)
	FindRepeatCandidatesOf(ctx context.Context, id int64, limit int) ([]xinfang.RepeatCandidate, error)
	FindRepeatChain(ctx context.Context, id int64) ([]*xinfang.Petition, error)
	FindRepeatCounts(ctx context.Context, id int64) (*xinfang.RepeatCounts, error)
	FindRepeatDecisions(ctx context.Context, id int64) ([]xinfang.RepeatDecision, error)
}

// SearchStore is full-text search.
type SearchStore interface {
	Kinds() []xinfang.Label
	SearchDocs(ctx context.Context, kind xinfang.SearchKind, q string, limit, offset int) ([]xinfang.SearchHit, int, bool, error)
	SearchPetitions(ctx context.Context, q string, limit, offset int) ([]*xinfang.Petition, int, bool, error)
}

// DirectoryStore is the units, users, sessions, dictionaries and holiday calendar.
type DirectoryStore interface {
	// ChangePassword and Login count a wrong password under the client's
	// address from, and lock as xinfang.JudgeLogin says.
	ChangePassword(ctx context.Context, userID int64, oldPW, newPW, from string) error
	CreateUnit(ctx context.Context, u *xinfang.Unit) error
	CreateUser(ctx context.Context, u *xinfang.User, password string) error
	DictLabel(ctx context.Context, kind xinfang.DictKind, code string) string
	Dictionary(ctx context.Context, kind xinfang.DictKind) ([]xinfang.DictEntry, error)
	EndOtherSessions(ctx context.Context, userID int64, keepToken string) error
	FindUnits(ctx context.Context) ([]*xinfang.Unit, error)
	FindUserByID(ctx context.Context, id int64) (*xinfang.User, error)
	FindUsers(ctx context.Context, f xinfang.UserFilter) ([]*xinfang.User, error)
	Holidays(ctx context.Context) ([]calendar.Override, error)
	Login(ctx context.Context, username, password, from string) (*xinfang.User, *xinfang.Session, error)
	Logout(ctx context.Context, token string) error
	SaveDictEntry(ctx context.Context, e xinfang.DictEntry) error
	SaveHoliday(ctx context.Context, o calendar.Override) error
	SaveHolidayYear(ctx context.Context, year int, days []calendar.Override) error
	SessionUser(ctx context.Context, token string) (*xinfang.User, *xinfang.Session, error)

	// The administration of units and accounts (三员分立).
	ActivateUnit(ctx context.Context, id int64) (*xinfang.Unit, error)
	ActivateUser(ctx context.Context, id int64) (*xinfang.User, error)
	DeactivateUnit(ctx context.Context, id int64) (*xinfang.Unit, error)
	DeactivateUser(ctx context.Context, id int64) (*xinfang.User, error)
	FindAccount(ctx context.Context, id int64) (*xinfang.User, error)
	FindUnitByID(ctx context.Context, id int64) (*xinfang.Unit, error)
	ResetPassword(ctx context.Context, id int64, password string) (*xinfang.User, error)
	SetUserRoles(ctx context.Context, id int64, roles []xinfang.Role) (*xinfang.User, error)
	UnlockUser(ctx context.Context, id int64) (*xinfang.User, error)
	UpdateUnit(ctx context.Context, id int64, ch xinfang.UnitChange) (*xinfang.Unit, error)
	UpdateUser(ctx context.Context, id int64, ch xinfang.UserChange) (*xinfang.User, error)
}

// PortalStore is the public portal (网上信访) and the registrar's intake of
// what it receives. The petitioner's methods are proven by the item's
// number and 查询码, not by a session.
type PortalStore interface {
	Submit(ctx context.Context, s *xinfang.PortalSubmission) (*xinfang.Petition, error)
	Follow(ctx context.Context, number, code string) (*xinfang.PortalItem, error)
	Document(ctx context.Context, number, code, doc string) (*xinfang.PortalDocument, error)
	Evaluate(ctx context.Context, number, code string, e xinfang.PortalEvaluation) error
	RequestReview(ctx context.Context, number, code string, r xinfang.PortalReview) (xinfang.Action, error)
	CreateChallenge(ctx context.Context, answer string) (string, error)
	CheckChallenge(ctx context.Context, id, answer string) error
	AuditRefusal(ctx context.Context, detail string)
	FindIntake(ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error)
	FindIntakeOf(ctx context.Context, petitionID int64) (*xinfang.Intake, error)
	ConfirmIntake(ctx context.Context, petitionID int64) (*xinfang.Intake, error)
	OptOut(ctx context.Context, number, code string, out bool) error
}

// OutboxStore is the messages to petitioners as staff see them: an item's
// messages, and the texts the administrator edits.
type OutboxStore interface {
	FindMessages(ctx context.Context, petitionID int64) ([]*xinfang.OutMessage, error)
	FindTemplates(ctx context.Context) ([]*xinfang.MessageTemplate, error)
	SaveTemplate(ctx context.Context, kind xinfang.MessageKind, body string, reset bool) error
}

// SocietyStore is the expert pool (专家库) and the observers' register (监督员名录).
type SocietyStore interface {
	FindExpertByID(ctx context.Context, id int64) (*xinfang.Expert, error)
	FindExperts(ctx context.Context, f xinfang.ExpertFilter) ([]*xinfang.Expert, error)
	FindObserverByID(ctx context.Context, id int64) (*xinfang.Observer, error)
	FindObservers(ctx context.Context, f xinfang.ObserverFilter) ([]*xinfang.Observer, error)
	SaveExpert(ctx context.Context, e *xinfang.Expert) error
	SaveObserver(ctx context.Context, o *xinfang.Observer) error
}

// HearingStore is the hearings (听证).
type HearingStore interface {
	CancelHearing(ctx context.Context, id int64, version int, reason string) (*xinfang.Hearing, error)
	ConcludeHearing(ctx context.Context, id int64, in xinfang.HearingConclusion) (*xinfang.Hearing, error)
	CreateHearing(ctx context.Context, h *xinfang.Hearing) error
	FindHearingByID(ctx context.Context, id int64) (*xinfang.Hearing, error)
	FindHearings(ctx context.Context, f xinfang.HearingFilter) ([]*xinfang.Hearing, int, error)
	HearingPeople(ctx context.Context) (*xinfang.HearingPeople, error)
	StartHearing(ctx context.Context, id int64, in xinfang.HearingStart) (*xinfang.Hearing, error)
}

// AssignmentStore is the assignments (指派) of outside people to petitions and cases.
type AssignmentStore interface {
	AddWorkNote(ctx context.Context, id int64, text string) (*xinfang.Assignment, error)
	Assign(ctx context.Context, a *xinfang.Assignment) error
	AssignableUsers(ctx context.Context) ([]*xinfang.User, error)
	EndAssignment(ctx context.Context, id int64, note string) (*xinfang.Assignment, error)
	FindAssignmentByID(ctx context.Context, id int64) (*xinfang.Assignment, error)
	FindAssignments(ctx context.Context, f xinfang.AssignmentFilter) ([]*xinfang.Assignment, error)
}

// MediationStore is the mediators (调解员) and mediations (调解).
type MediationStore interface {
	AddMediationSession(ctx context.Context, id int64, version int, s xinfang.MediationSession) (*xinfang.Mediation, error)
	CreateMediation(ctx context.Context, m *xinfang.Mediation) error
	FindMediationByID(ctx context.Context, id int64) (*xinfang.Mediation, error)
	FindMediations(ctx context.Context, f xinfang.MediationFilter) ([]*xinfang.Mediation, int, error)
	FindMediators(ctx context.Context, unitID int64) ([]*xinfang.Mediator, error)
	RecordFulfilment(ctx context.Context, id int64, version int, on calendar.Date) (*xinfang.Mediation, error)
	RecordMediationOutcome(ctx context.Context, id int64, o xinfang.MediationOutcome) (*xinfang.Mediation, error)
	SaveMediator(ctx context.Context, m *xinfang.Mediator) error
}

// JudicialAidStore is the applications for judicial aid (司法救助).
type JudicialAidStore interface {
	CreateJudicialAid(ctx context.Context, a *xinfang.JudicialAid) error
	FindJudicialAidByID(ctx context.Context, id int64) (*xinfang.JudicialAid, error)
	FindJudicialAids(ctx context.Context, f xinfang.JudicialAidFilter) ([]*xinfang.JudicialAid, int, error)
	StepJudicialAid(ctx context.Context, id int64, d xinfang.AidDecision) (*xinfang.JudicialAid, error)
}

// LegalOpinionStore is the legal opinions (法律意见书) of lawyers.
type LegalOpinionStore interface {
	FindLegalOpinionByID(ctx context.Context, id int64) (*xinfang.LegalOpinion, error)
	FindLegalOpinions(ctx context.Context, petitionID int64) ([]*xinfang.LegalOpinion, error)
	IssueLegalOpinion(ctx context.Context, id int64, version int) (*xinfang.LegalOpinion, error)
	SaveLegalOpinion(ctx context.Context, o *xinfang.LegalOpinion) error
}

// FirstVisitStore is the 首访责任制 figures.
type FirstVisitStore interface {
	FirstVisitFigures(ctx context.Context, year int) ([]xinfang.FirstVisitRow, error)
	FirstVisitPassedOn(ctx context.Context, unitID int64, year int) ([]xinfang.PassedOnItem, error)
}

// IndicatorStore computes the indicators of kpi.md (指标) for a unit and a
// period, lists the items behind each figure, and keeps their local
// definitions.
type IndicatorStore interface {
	Indicators(ctx context.Context, q xinfang.IndicatorQuery) (*xinfang.Indicators, error)
	IndicatorItems(ctx context.Context, q xinfang.IndicatorItemsQuery) ([]xinfang.IndicatorItem, int, error)
	IndicatorConfig(ctx context.Context) (xinfang.IndicatorConfig, error)
	SetIndicatorConfig(ctx context.Context, c xinfang.IndicatorConfig) (xinfang.IndicatorConfig, error)
	RebuildFacts(ctx context.Context) error
	Dashboard(ctx context.Context, q xinfang.DashboardQuery) (*xinfang.Dashboard, error)
}

// AssessmentStore is the annual assessment (年度考核).
type AssessmentStore interface {
	Assess(ctx context.Context, year int) (*xinfang.Assessment, error)
	AssessmentRules(ctx context.Context, year int) (xinfang.AssessmentRules, error)
	SaveAssessmentRules(ctx context.Context, r xinfang.AssessmentRules) (xinfang.AssessmentRules, error)
	AddAssessmentEntry(ctx context.Context, e *xinfang.AssessmentEntry) error
	SetLetterTarget(ctx context.Context, t *xinfang.LetterTarget) error
	FreezeAssessment(ctx context.Context, year, version int) (*xinfang.Assessment, error)
}

// SeatStore is the seats (列席) of experts and observers on backlog cases'
// consultations and on 督办单.
type SeatStore interface {
	FindSeats(ctx context.Context, on xinfang.SeatOn, recordID int64) (*xinfang.SeatHolder, []*xinfang.Seat, error)
	InviteSeats(ctx context.Context, in xinfang.SeatInvitation) ([]*xinfang.Seat, error)
	RecordSeat(ctx context.Context, id int64, version int, rec xinfang.SeatRecord) (*xinfang.Seat, error)
}

// ScreeningStore is the conflict screening (矛盾纠纷排查): reports, rounds and returns.
type ScreeningStore interface {
	CountReports(ctx context.Context, f xinfang.ScreeningFilter) (*xinfang.ScreeningCounts, error)
	CreateReport(ctx context.Context, r *xinfang.ScreeningReport) error
	CreateRound(ctx context.Context, r *xinfang.ScreeningRound) error
	FileNilReturn(ctx context.Context, roundID, unitID int64) (*xinfang.ScreeningRound, error)
	FindReportByID(ctx context.Context, id int64) (*xinfang.ScreeningReport, error)
	FindReportOf(ctx context.Context, id int64, isCase bool) (*xinfang.ScreeningReport, error)
	FindReports(ctx context.Context, f xinfang.ScreeningFilter) ([]*xinfang.ScreeningReport, int, error)
	FindRoundByID(ctx context.Context, id int64) (*xinfang.ScreeningRound, error)
	FindRounds(ctx context.Context, limit int) ([]*xinfang.ScreeningRound, error)
	ReportToCase(ctx context.Context, id int64, in xinfang.ScreeningCaseInput) (*xinfang.ScreeningReport, *xinfang.Case, error)
	ReportToPetition(ctx context.Context, id int64, in xinfang.ScreeningPetitionInput) (*xinfang.ScreeningReport, *xinfang.Petition, error)
	RoundsFor(ctx context.Context, unitID int64) ([]*xinfang.ScreeningRound, error)
	SettleReport(ctx context.Context, id int64, s xinfang.ScreeningSettlement) (*xinfang.ScreeningReport, error)
}

// RiskAssessmentStore is the risk assessments of major decisions (稳评) and their linked petitions.
type RiskAssessmentStore interface {
	FindRiskAssessmentByID(ctx context.Context, id int64) (*xinfang.RiskAssessment, error)
	FindRiskAssessments(ctx context.Context, f xinfang.RiskAssessmentFilter) ([]*xinfang.RiskAssessment, int, error)
	LinkPetition(ctx context.Context, id, petitionID int64, unlink bool) (*xinfang.RiskAssessment, error)
	SaveRiskAssessment(ctx context.Context, a *xinfang.RiskAssessment) error
}

// CampaignStore is the campaigns (专项行动) over backlog cases, their
// targets, cases and progress computed from the cases.
type CampaignStore interface {
	FindCampaigns(ctx context.Context) ([]*xinfang.Campaign, error)
	FindCampaignByID(ctx context.Context, id int64) (*xinfang.Campaign, error)
	CreateCampaign(ctx context.Context, g *xinfang.Campaign) error
	UpdateCampaign(ctx context.Context, id int64, version int, in *xinfang.Campaign) (*xinfang.Campaign, error)
	AddCampaignCases(ctx context.Context, id int64, a xinfang.CampaignAdd) (*xinfang.Campaign, int, error)
	RemoveCampaignCase(ctx context.Context, id int64, version int, caseID int64, reason string) (*xinfang.Campaign, error)
	CampaignProgress(ctx context.Context, id int64, by string) (*xinfang.Campaign, *xinfang.CampaignProgress, []*xinfang.CampaignCase, error)
}

// FollowupStore is the follow-up visits (跟踪回访) and the unit's task list.
type FollowupStore interface {
	FindFollowupsDue(ctx context.Context, limit, offset int) ([]*xinfang.FollowupDue, int, error)
	FindFollowups(ctx context.Context, petitionID int64) ([]*xinfang.Followup, calendar.Date, error)
	RecordFollowup(ctx context.Context, petitionID int64, seen int, f *xinfang.Followup) error
	FindUnitTasks(ctx context.Context, origin xinfang.TaskOrigin) ([]*xinfang.Task, error)
}

// LegalReferralStore is the 涉法涉诉 register: screening, transfer to a
// 政法机关, the judicial case.
type LegalReferralStore interface {
	FindLegalReferralByID(ctx context.Context, id int64) (*xinfang.LegalReferral, error)
	FindLegalReferrals(ctx context.Context, f xinfang.LegalReferralFilter) ([]*xinfang.LegalReferral, int, error)
	ScreenLegal(ctx context.Context, s xinfang.LegalScreening) (*xinfang.LegalReferral, error)
	TransferLegal(ctx context.Context, id int64, t xinfang.LegalTransfer) (*xinfang.LegalReferral, error)
	RecordJudicial(ctx context.Context, id int64, j xinfang.JudicialRecord) (*xinfang.LegalReferral, error)
}

// LawyerDutyStore is the lawyers' duty rota and reception records.
type LawyerDutyStore interface {
	Lawyers(ctx context.Context) ([]*xinfang.User, error)
	ReceptionPoints(ctx context.Context) ([]*xinfang.Unit, error)
	GenerateRota(ctx context.Context, req xinfang.RotaRequest) (int, error)
	FindDutyWeeks(ctx context.Context, f xinfang.DutyFilter) ([]*xinfang.DutyWeek, int, error)
	FindDutyWeekByID(ctx context.Context, id int64) (*xinfang.DutyWeek, error)
	SwapDuty(ctx context.Context, id int64, s xinfang.DutySwap) (*xinfang.DutyWeek, error)
	CreateReception(ctx context.Context, r *xinfang.DutyReception) error
	UpdateReception(ctx context.Context, r *xinfang.DutyReception) error
	FindReceptionByID(ctx context.Context, id int64) (*xinfang.DutyReception, error)
	FindReceptions(ctx context.Context, f xinfang.DutyReceptionFilter) ([]*xinfang.DutyReception, int, error)
}

// ReceptionStore is the leaders' receptions (领导接访、下访、约访).
type ReceptionStore interface {
	AddReceptionMatter(ctx context.Context, id int64, in xinfang.ReceptionMatterInput) (*xinfang.Reception, error)
	CancelReception(ctx context.Context, id int64, version int, reason string) (*xinfang.Reception, error)
	FindPetitionReceptions(ctx context.Context, petitionID int64) ([]xinfang.ReceptionMatter, error)
	FindReceptionByID(ctx context.Context, id int64) (*xinfang.Reception, error)
	FindReceptions(ctx context.Context, f xinfang.ReceptionFilter) ([]*xinfang.Reception, int, error)
	ReceptionPeople(ctx context.Context) (*xinfang.ReceptionPeople, error)
	ReceptionSchedule(ctx context.Context, from, to calendar.Date) ([]xinfang.ScheduledReception, error)
	RecordReception(ctx context.Context, id int64, in xinfang.ReceptionRecord) (*xinfang.Reception, error)
	ScheduleReception(ctx context.Context, r *xinfang.Reception) error
}

// MeetingStore is the special meetings (专题会、协调会、调度会) and their
// decisions.
type MeetingStore interface {
	AddMeetingDecision(ctx context.Context, id int64, d xinfang.MeetingDecision) (*xinfang.Meeting, error)
	FindDecisions(ctx context.Context, f xinfang.DecisionFilter) ([]*xinfang.DecisionTask, error)
	FindMeetingByID(ctx context.Context, id int64) (*xinfang.Meeting, error)
	FindMeetings(ctx context.Context, f xinfang.MeetingFilter) ([]*xinfang.Meeting, int, error)
	RecordMeeting(ctx context.Context, in xinfang.MeetingInput) (*xinfang.Meeting, error)
	SaveMeetingMinutes(ctx context.Context, id int64, in xinfang.MeetingMinutes) (*xinfang.Meeting, error)
}
