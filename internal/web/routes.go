package web

import (
	"net/http"
	"strings"

	"xinfang"
)

// The route table: every route of the server — the JSON API under
// /api/v1, the staff pages and the static files — in one list, each with
// its access level; and the main menu, in its order, whose entries show
// only to users the route of the entry admits. Handlers of pages and API
// have one shape and return their error; s.fail writes every error.

// handler serves one route. A returned error is written by s.fail: JSON
// in the one shape of ErrorBody under /api/, the error page (or the
// redirect to sign in) elsewhere.
type handler func(s *Server, w http.ResponseWriter, r *http.Request) error

// access says who may use a route: a route's check and its menu entry ask
// the same question. Whether the user may act on the record it names is
// storage's (the data scope, the procedure); a route refuses only what no
// record could allow.
type access struct {
	name string
	// public routes need no session.
	public bool
	// initialPassword routes also serve a user whose initial password,
	// given by an administrator, is not changed yet (security.md: forced
	// change at first login), so that the user can change it.
	initialPassword bool
	// may decides on the signed-in user's roles and unit; nil admits every
	// signed-in user. A user it refuses gets 403 with refusal.
	may     func(u *xinfang.User) bool
	refusal string
}

// The access levels, named after the policy (policy.go) they ask.
var (
	public      = access{name: "public", public: true}
	anyPassword = access{name: "signed in, initial password allowed", initialPassword: true}
	signedIn    = access{name: "signed in"}

	mayRegister = access{name: "CanRegister", may: xinfang.CanRegister,
		refusal: "登记信访件、认定重复件须由登记员、承办人或单位负责人办理"}
	mayAdminister = access{name: "CanAdminister", may: xinfang.CanAdminister,
		refusal: "仅系统管理员可以维护此项"}
	mayAudit = access{name: "CanReadAudit", may: xinfang.CanReadAudit,
		refusal: "审计日志仅供审计管理员查看"}
	mayReadCases = access{name: "CanReadCases", may: xinfang.CanReadCases,
		refusal: "积案台账仅供有数据范围的工作人员查看"}
	mayFileCases = access{name: "CanWorkOnCase", may: func(u *xinfang.User) bool { return xinfang.CanWorkOnCase(u, nil) },
		refusal: "无权立案或拆分任务"}
	mayLeadCases = access{name: "CanLeadCase", may: xinfang.CanLeadCase,
		refusal: "仅领导有包案"}
	mayInstruct = access{name: "CanWriteInstructions", may: xinfang.CanWriteInstructions,
		refusal: "仅领导可以批示"}
	// hasScope admits the staff with a data scope (xinfang.ScopeOf): the
	// 督办 pages list what lies in it.
	hasScope = access{name: "has a data scope", may: func(u *xinfang.User) bool { return !xinfang.ScopeOf(u).None },
		refusal: "督办信息仅供有数据范围的工作人员查看"}
	mayIssueSupervision = access{name: "CanIssueSupervision", may: func(u *xinfang.User) bool { return xinfang.CanIssueSupervision(u, nil) },
		refusal: "仅督查员、领导及信访局、联席办负责人可以发出督办单"}
	mayReadDiscipline = access{name: "CanReadDiscipline", may: xinfang.CanReadDiscipline,
		refusal: "纪检监督信息仅纪检监察员及市级督查员、领导可以查看"}
	mayInspect = access{name: "CanInspect", may: xinfang.CanInspect,
		refusal: "只有纪委监委的纪检监察员可以进行此操作"}
	mayReadAccountability = access{name: "CanReadAccountability", may: func(u *xinfang.User) bool { return xinfang.CanReadAccountability(u, nil) },
		refusal: "无权查看问责记录和责任书"}
	mayWriteLetters = access{name: "CanWriteLetters", may: xinfang.CanWriteLetters,
		refusal: "只有纪检监察员和市级督查员可以登记责任书"}
	mayReadIndicators = access{name: "CanReadIndicators", may: func(u *xinfang.User) bool { return xinfang.CanReadIndicators(u, nil) },
		refusal: "统计指标仅供有数据范围的工作人员查看"}
	mayReadAssessment = access{name: "CanReadAssessment", may: xinfang.CanReadAssessment,
		refusal: "年度考核仅供全市范围的督查员、领导查看"}
	mayAssess = access{name: "CanAssess", may: xinfang.CanAssess,
		refusal: "只有市级督查员和领导可以进行年度考核"}
	mayConfigureIndicators = access{name: "CanConfigureIndicators", may: xinfang.CanConfigureIndicators,
		refusal: "只有市级督查员和领导可以修改指标口径"}
	// 三员分立: the security admin grants roles, resets passwords and
	// unlocks; the system admin and the security admin read the accounts.
	mayManageRoles = access{name: "CanManageRoles", may: xinfang.CanManageRoles,
		refusal: "仅安全管理员可以授予角色、重置密码、解除锁定"}
	mayReadAccounts = access{name: "CanReadAccounts", may: xinfang.CanReadAccounts,
		refusal: "仅系统管理员和安全管理员可以查看账号"}
	mayImport = access{name: "CanImport", may: xinfang.CanImport,
		refusal: "导入仅由信访局的登记员和负责人办理"}
	// Society's part: the registers of experts and observers, hearings.
	mayReadSociety = access{name: "CanReadSociety", may: xinfang.CanReadSociety,
		refusal: "专家库和监督员名录仅供工作人员查看"}
	mayManageSociety = access{name: "CanManageSociety", may: xinfang.CanManageSociety,
		refusal: "无权维护专家库、监督员名录或安排听证"}
	mayReadHearings = access{name: "CanReadHearings", may: xinfang.CanReadHearings,
		refusal: "无权查看听证"}
	mayReadMediations = access{name: "CanReadMediations", may: xinfang.CanReadMediations,
		refusal: "无权查看调解"}
	mayReadOpinions = access{name: "CanReadLegalOpinions", may: xinfang.CanReadLegalOpinions,
		refusal: "无权查看法律意见书"}
	mayDraftOpinions = access{name: "CanDraftLegalOpinion", may: xinfang.CanDraftLegalOpinion,
		refusal: "法律意见书由律师出具"}
	mayAssign = access{name: "CanAssign", may: xinfang.CanAssign,
		refusal: "无权指派律师、协理员等人员"}
	mayReadAssignments = access{name: "CanReadAssignments", may: xinfang.CanReadAssignments,
		refusal: "无权查看指派"}
	// The three-level network: 矛盾纠纷排查 and 稳评.
	mayReadScreening = access{name: "CanReadScreening", may: xinfang.CanReadScreening,
		refusal: "矛盾纠纷排查和稳评仅供有数据范围的工作人员查看"}
	mayReportScreening = access{name: "CanReportScreening", may: xinfang.CanReportScreening,
		refusal: "矛盾纠纷排查和稳评由登记员、承办人或单位负责人报送和处置"}
	// Campaigns (专项行动), follow-up visits (跟踪回访), a unit's tasks.
	mayReadCampaigns = access{name: "CanReadCampaigns", may: xinfang.CanReadCampaigns,
		refusal: "专项行动仅供有数据范围的工作人员查看"}
	mayManageCampaigns = access{name: "CanManageCampaigns", may: xinfang.CanManageCampaigns,
		refusal: "只有单位负责人、督查员和领导可以组织专项行动"}
	mayReadFollowups = access{name: "CanReadFollowups", may: xinfang.CanReadFollowups,
		refusal: "回访仅供有数据范围的工作人员查看"}
	mayRecordFollowup = access{name: "CanRecordFollowup", may: xinfang.CanRecordFollowup,
		refusal: "无权记录回访"}
	mayReadUnitTasks = access{name: "CanReadUnitTasks", may: xinfang.CanReadUnitTasks,
		refusal: "任务清单仅供有数据范围的工作人员查看"}
	// 涉法涉诉 and the lawyers on duty.
	mayReadLegal = access{name: "CanReadLegalReferrals", may: xinfang.CanReadLegalReferrals,
		refusal: "涉法涉诉事项仅供有数据范围的工作人员查看"}
	mayScreenLegal = access{name: "CanScreenLegal", may: xinfang.CanScreenLegal,
		refusal: "涉法涉诉甄别、转送须由登记员或单位负责人办理"}
	mayRecordJudicial = access{name: "CanRecordJudicial", may: func(u *xinfang.User) bool { return xinfang.CanRecordJudicial(u, nil) },
		refusal: "案号和办理结果由政法机关或信访局登记"}
	mayReadDuty = access{name: "CanReadLawyerDuty", may: xinfang.CanReadLawyerDuty,
		refusal: "无权查看律师值班"}
	mayPlanRota = access{name: "CanPlanRota", may: xinfang.CanPlanRota,
		refusal: "律师值班表由信访局排定"}
	mayRecordReception = access{name: "CanRecordReception", may: xinfang.CanRecordReception,
		refusal: "接访记录由值班律师填写"}
	// Leaders' receptions and special meetings.
	mayReadSchedule = access{name: "CanReadReceptionSchedule", may: xinfang.CanReadReceptionSchedule,
		refusal: "接访日程仅供工作人员查看"}
	mayReadReceptions = access{name: "CanReadReceptions", may: xinfang.CanReadReceptions,
		refusal: "无权查看领导接访记录"}
	mayManageReceptions = access{name: "CanManageReceptions", may: xinfang.CanManageReceptions,
		refusal: "无权安排或记录领导接访"}
	mayReadMeetings = access{name: "CanReadMeetings", may: xinfang.CanReadMeetings,
		refusal: "专题会议仅供有数据范围的工作人员查看"}
	mayManageMeetings = access{name: "CanManageMeetings", may: xinfang.CanManageMeetings,
		refusal: "无权记录专题会议"}
)

// errInitialPassword refuses a user whose initial password waits to be
// changed; the pages send the user to /password instead (s.fail).
var errInitialPassword = &xinfang.Error{Code: xinfang.EFORBIDDEN, Message: "请先修改初始密码（POST /api/v1/password）",
	Fields: map[string]string{"password": "须修改初始密码"}}

// check returns nil when u may use a route of access a: 401 without a
// user, errInitialPassword, or 403 with the refusal.
func (a access) check(u *xinfang.User) error {
	switch {
	case a.public:
		return nil
	case u == nil:
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	case u.MustChangePassword && !a.initialPassword:
		return errInitialPassword
	case a.may != nil && !a.may(u):
		return xinfang.Errorf(xinfang.EFORBIDDEN, "%s", a.refusal)
	}
	return nil
}

// allows reports whether u passes the check: what the menu asks.
func (a access) allows(u *xinfang.User) bool { return a.check(u) == nil }

type route struct {
	method  string // "" for every method
	pattern string // a ServeMux pattern
	access  access
	handle  handler
}

// routeTable lists every route. Path parameters have one name per record
// ({id}, {step}, {task}, {member}, {action}) in pages and API alike; a page
// form posts to the page twin of the API route that makes the same change
// (POST /cases/{id}/steps ~ POST /api/v1/cases/{id}/steps).
func routeTable() []route {
	return append(registerAPIRoutes(), []route{
		// The API: openapi*.json describes exactly these (a test holds them
		// together).
		{"GET", "/api/v1/health", public, (*Server).apiHealth},
		{"GET", "/api/v1/openapi.json", public, (*Server).apiOpenAPI},

		{"POST", "/api/v1/login", public, (*Server).apiLogin},
		{"POST", "/api/v1/logout", anyPassword, (*Server).apiLogout},
		{"GET", "/api/v1/me", anyPassword, (*Server).apiMe},
		{"POST", "/api/v1/password", anyPassword, (*Server).apiPassword},

		{"GET", "/api/v1/audit", mayAudit, (*Server).apiAudit},
		{"GET", "/api/v1/audit.csv", mayAudit, (*Server).apiAuditCSV},
		{"GET", "/api/v1/audit/verify", mayAudit, (*Server).apiAuditVerify},

		{"GET", "/api/v1/units", signedIn, (*Server).apiUnits},
		{"POST", "/api/v1/units", mayAdminister, (*Server).apiCreateUnit},
		{"GET", "/api/v1/users", mayReadAccounts, (*Server).apiUsers},
		{"POST", "/api/v1/users", mayAdminister, (*Server).apiCreateUser},
		{"GET", "/api/v1/dictionary", signedIn, (*Server).apiDictionary},
		{"PUT", "/api/v1/dictionary", mayAdminister, (*Server).apiSaveDictEntry},
		{"GET", "/api/v1/labels", signedIn, (*Server).apiLabels},
		{"GET", "/api/v1/holidays", signedIn, (*Server).apiHolidays},
		{"PUT", "/api/v1/holidays/{date}", mayAdminister, (*Server).apiSaveHoliday},
		{"PUT", "/api/v1/holidays/year/{year}", mayAdminister, (*Server).apiSaveHolidayYear},

		{"GET", "/api/v1/imports", mayImport, (*Server).apiImports},
		{"POST", "/api/v1/imports", mayImport, (*Server).apiStartImport},
		{"GET", "/api/v1/imports/template", mayImport, (*Server).importTemplate},
		{"GET", "/api/v1/imports/{id}", mayImport, (*Server).apiImport},
		{"GET", "/api/v1/imports/{id}/problems.csv", mayImport, (*Server).importProblemsCSV},
		{"POST", "/api/v1/imports/{id}/commit", mayImport, (*Server).apiCommitImport},
		// Units and accounts under 三员分立: the system admin keeps units
		// and accounts, the security admin roles, passwords and lockouts.
		{"PUT", "/api/v1/units/{id}", mayAdminister, (*Server).apiUpdateUnit},
		{"POST", "/api/v1/units/{id}/deactivate", mayAdminister, unitAction(DirectoryStore.DeactivateUnit)},
		{"POST", "/api/v1/units/{id}/activate", mayAdminister, unitAction(DirectoryStore.ActivateUnit)},
		{"GET", "/api/v1/users/{id}", mayReadAccounts, (*Server).apiUser},
		{"PUT", "/api/v1/users/{id}", mayAdminister, (*Server).apiUpdateUser},
		{"POST", "/api/v1/users/{id}/deactivate", mayAdminister, accountAction(DirectoryStore.DeactivateUser)},
		{"POST", "/api/v1/users/{id}/activate", mayAdminister, accountAction(DirectoryStore.ActivateUser)},
		{"PUT", "/api/v1/users/{id}/roles", mayManageRoles, (*Server).apiSetUserRoles},
		{"POST", "/api/v1/users/{id}/password", mayManageRoles, (*Server).apiResetPassword},
		{"POST", "/api/v1/users/{id}/unlock", mayManageRoles, accountAction(DirectoryStore.UnlockUser)},

		{"GET", "/api/v1/petitions", signedIn, (*Server).apiPetitions},
		{"GET", "/api/v1/petitions.xlsx", signedIn, (*Server).apiPetitionsXLSX},
		{"POST", "/api/v1/petitions", mayRegister, (*Server).apiRegister},
		{"GET", "/api/v1/petitions/{id}", signedIn, (*Server).apiPetition},
		{"GET", "/api/v1/petitions/{id}/events", signedIn, (*Server).apiEvents},
		{"GET", "/api/v1/petitions/{id}/attachments", signedIn, apiAttachments(xinfang.AttachPetition)},
		{"POST", "/api/v1/petitions/{id}/attachments", signedIn, apiAddAttachment(xinfang.AttachPetition)},
		{"GET", "/api/v1/cases/{id}/attachments", signedIn, apiAttachments(xinfang.AttachCase)},
		{"POST", "/api/v1/cases/{id}/attachments", signedIn, apiAddAttachment(xinfang.AttachCase)},
		{"GET", "/api/v1/attachments/{id}", signedIn, (*Server).serveAttachment},
		{"GET", "/api/v1/attachments/{id}/thumb", signedIn, (*Server).serveAttachmentThumb},
		{"GET", "/api/v1/petitions/{id}/verify", signedIn, (*Server).apiVerify},
		{"POST", "/api/v1/petitions/{id}/actions/{action}", signedIn, (*Server).apiAct},
		{"POST", "/api/v1/petitions/bulk", signedIn, (*Server).apiBulk},
		{"GET", "/api/v1/petitioners/matches", signedIn, (*Server).apiMatches},
		{"GET", "/api/v1/deadline", signedIn, (*Server).apiDeadline},
		{"GET", "/api/v1/workbench", signedIn, (*Server).apiWorkbench},

		{"GET", "/api/v1/petitions/{id}/repeats", signedIn, (*Server).apiRepeats},
		{"POST", "/api/v1/petitions/{id}/repeat-decisions", mayRegister, (*Server).apiRepeatDecision},
		{"POST", "/api/v1/repeats/check", signedIn, (*Server).apiRepeatCheck},
		{"GET", "/api/v1/search", signedIn, (*Server).apiSearch},

		{"GET", "/api/v1/cases", signedIn, (*Server).apiCases},
		{"POST", "/api/v1/cases", mayFileCases, (*Server).apiCreateCase},
		{"GET", "/api/v1/cases.xlsx", signedIn, (*Server).apiCaseLedgerXLSX},
		{"GET", "/api/v1/case-users", signedIn, (*Server).apiCaseUsers},
		{"GET", "/api/v1/cases/{id}", signedIn, (*Server).apiCase},
		{"PUT", "/api/v1/cases/{id}", signedIn, caseAPI(newCaseUpdate)},
		{"GET", "/api/v1/cases/{id}/events", signedIn, (*Server).apiCaseEvents},
		{"GET", "/api/v1/cases/{id}/sheet.xlsx", signedIn, (*Server).apiCaseSheetXLSX},
		{"PUT", "/api/v1/cases/{id}/team", signedIn, caseAPI(newTeamInput)},
		{"POST", "/api/v1/cases/{id}/team/members", signedIn, caseAPI(newMemberInput)},
		{"DELETE", "/api/v1/cases/{id}/team/members/{member}", signedIn, (*Server).apiCaseRemoveMember},
		{"POST", "/api/v1/cases/{id}/steps", signedIn, caseAPI(newStepInput)},
		{"PUT", "/api/v1/cases/{id}/steps/{step}", signedIn, caseAPI(newStepEdit)},
		{"POST", "/api/v1/cases/{id}/steps/{step}/done", signedIn, caseAPI(newStepDone)},
		{"POST", "/api/v1/cases/{id}/consultations", signedIn, caseAPI(newConsultationInput)},
		{"POST", "/api/v1/cases/{id}/progress", signedIn, caseAPI(newProgressInput)},
		{"POST", "/api/v1/cases/{id}/tasks", signedIn, caseAPI(newCaseTaskInput)},
		{"PUT", "/api/v1/cases/{id}/tasks/{task}", signedIn, caseAPI(newCaseTaskChange)},
		{"PUT", "/api/v1/cases/{id}/resolution", signedIn, caseAPI(newResolutionInput)},
		{"POST", "/api/v1/cases/{id}/sign-off", signedIn, caseAPI(newSignOffInput)},
		{"POST", "/api/v1/cases/{id}/actions/{action}", signedIn, caseAPI(newCaseActInput)},
		{"POST", "/api/v1/cases/{id}/instructions", mayInstruct, (*Server).apiCaseInstruction},
		{"GET", "/api/v1/petitions/{id}/tasks", signedIn, (*Server).apiPetitionTasks},
		{"POST", "/api/v1/petitions/{id}/tasks", mayFileCases, (*Server).apiPetitionAddTask},
		{"PUT", "/api/v1/petitions/{id}/tasks/{task}", mayFileCases, (*Server).apiPetitionChangeTask},
		{"GET", "/api/v1/petitions/{id}/instructions", signedIn, (*Server).apiPetitionInstructions},
		{"POST", "/api/v1/petitions/{id}/instructions", mayInstruct, (*Server).apiPetitionInstruction},
		{"GET", "/api/v1/leaders/me/cases", signedIn, (*Server).apiLeaderCases},

		{"GET", "/api/v1/supervisions", signedIn, (*Server).apiSupervisions},
		{"POST", "/api/v1/supervisions", mayIssueSupervision, (*Server).apiCreateSupervision},
		{"GET", "/api/v1/supervisions/{id}", signedIn, (*Server).apiSupervision},
		{"GET", "/api/v1/petitions/{id}/documents", signedIn, (*Server).apiPetitionDocuments},
		{"GET", "/api/v1/petitions/{id}/documents/{file}", signedIn, (*Server).apiPetitionDocumentPDF},
		{"GET", "/api/v1/supervisions/{id}/documents/{file}", signedIn, (*Server).apiSupervisionDocumentPDF},
		{"POST", "/api/v1/supervisions/{id}/reminders", signedIn, (*Server).apiRemindSupervision},
		{"POST", "/api/v1/supervisions/{id}/feedback", signedIn, (*Server).apiFeedbackSupervision},
		{"POST", "/api/v1/supervisions/{id}/close", signedIn, (*Server).apiCloseSupervision},
		{"GET", "/api/v1/notifications", signedIn, (*Server).apiNotifications},
		{"GET", "/api/v1/notifications/unread", signedIn, (*Server).apiUnread},
		{"POST", "/api/v1/notifications/{id}/read", signedIn, (*Server).apiReadNotification},
		{"POST", "/api/v1/notifications/read-all", signedIn, (*Server).apiReadAllNotifications},

		{"GET", "/api/v1/discipline/watch", mayReadDiscipline, (*Server).apiWatchList},
		{"GET", "/api/v1/discipline/investigations", mayReadDiscipline, (*Server).apiInvestigations},
		{"POST", "/api/v1/discipline/investigations", mayInspect, (*Server).apiCreateInvestigation},
		{"GET", "/api/v1/discipline/investigations/{id}", mayReadDiscipline, (*Server).apiInvestigation},
		{"PUT", "/api/v1/discipline/investigations/{id}", mayInspect, (*Server).apiUpdateInvestigation},
		{"DELETE", "/api/v1/discipline/investigations/{id}", mayInspect, (*Server).apiDeleteInvestigation},
		{"PUT", "/api/v1/discipline/investigations/{id}/case-track", mayInspect, (*Server).apiMatterTrack},
		{"PUT", "/api/v1/discipline/investigations/{id}/responsibility-track", mayInspect, (*Server).apiResponsibilityTrack},
		{"POST", "/api/v1/discipline/investigations/{id}/close", mayInspect, (*Server).apiCloseInvestigation},
		{"GET", "/api/v1/discipline/accountability", mayReadAccountability, (*Server).apiAccountabilities},
		{"POST", "/api/v1/discipline/accountability", mayInspect, (*Server).apiCreateAccountability},
		{"GET", "/api/v1/discipline/accountability/{id}", mayReadAccountability, (*Server).apiAccountability},
		{"GET", "/api/v1/discipline/letters", mayReadAccountability, (*Server).apiLetters},
		{"POST", "/api/v1/discipline/letters", mayWriteLetters, (*Server).apiCreateLetter},
		{"GET", "/api/v1/discipline/letters/{id}", mayReadAccountability, (*Server).apiLetter},
		{"PUT", "/api/v1/discipline/letters/{id}", mayWriteLetters, (*Server).apiUpdateLetter},

		// The public portal (网上信访, openapi_portal.json) and the
		// registrar's intake of it.
		{"GET", "/api/v1/portal/challenge", public, (*Server).apiPortalChallenge},
		{"POST", "/api/v1/portal/submissions", public, (*Server).apiPortalSubmit},
		{"POST", "/api/v1/portal/follow", public, (*Server).apiPortalFollow},
		{"POST", "/api/v1/portal/evaluation", public, (*Server).apiPortalEvaluate},
		{"POST", "/api/v1/portal/review", public, (*Server).apiPortalReview},
		{"POST", "/api/v1/portal/document", public, (*Server).apiPortalDocument},
		{"POST", "/api/v1/portal/optout", public, (*Server).apiPortalOptOut},
		{"GET", "/api/v1/petitions/{id}/messages", signedIn, (*Server).apiPetitionMessages},
		{"GET", "/api/v1/message-templates", mayAdminister, (*Server).apiMessageTemplates},
		{"PUT", "/api/v1/message-templates/{kind}", mayAdminister, (*Server).apiSaveMessageTemplate},
		{"GET", "/api/v1/intake", mayRegister, (*Server).apiIntake},
		{"POST", "/api/v1/intake/{id}/confirm", mayRegister, (*Server).apiConfirmIntake},
		{"GET", "/portal/{$}", public, (*Server).handlePortalHome},
		{"GET", "/portal/submit", public, (*Server).handlePortalSubmitForm},
		{"POST", "/portal/submit", public, (*Server).handlePortalSubmit},
		{"GET", "/portal/follow", public, (*Server).handlePortalFollowForm},
		{"POST", "/portal/follow", public, (*Server).handlePortalFollow},
		{"POST", "/portal/evaluate", public, (*Server).handlePortalEvaluate},
		{"POST", "/portal/review", public, (*Server).handlePortalReview},
		{"POST", "/portal/document", public, (*Server).handlePortalDocument},
		{"POST", "/portal/optout", public, (*Server).handlePortalOptOut},
		{"GET", "/admin/messages", mayAdminister, (*Server).handleMessageTemplates},
		{"POST", "/admin/messages", mayAdminister, (*Server).handleSaveMessageTemplate},
		{"GET", "/intake", mayRegister, (*Server).handleIntake},
		{"POST", "/intake/{id}/confirm", mayRegister, (*Server).handleConfirmIntake},
		{"GET", "/api/v1/first-visit", mayReadCases, (*Server).apiFirstVisit},
		{"GET", "/api/v1/first-visit/{id}/passed-on", mayReadCases, (*Server).apiFirstVisitPassedOn},
		{"GET", "/api/v1/assignments", mayReadAssignments, (*Server).apiAssignments},
		{"POST", "/api/v1/assignments", mayAssign, (*Server).apiCreateAssignment},
		{"GET", "/api/v1/assignable-users", mayAssign, (*Server).apiAssignableUsers},
		{"GET", "/api/v1/assignments/{id}", mayReadAssignments, (*Server).apiAssignment},
		{"POST", "/api/v1/assignments/{id}/end", mayAssign, (*Server).apiEndAssignment},
		{"POST", "/api/v1/assignments/{id}/notes", mayReadAssignments, (*Server).apiAssignmentNote},

		// The pages.
		{"GET", "/static/{name}", public, serveStatic},
		{"GET", "/login", public, (*Server).handleLoginForm},
		{"POST", "/login", public, (*Server).handleLogin},
		{"POST", "/logout", public, (*Server).handleLogout},
		{"GET", "/password", anyPassword, (*Server).handlePasswordForm},
		{"POST", "/password", anyPassword, (*Server).handlePassword},

		{"GET", "/{$}", signedIn, (*Server).handleHome},
		{"GET", "/petitions/new", mayRegister, (*Server).handleNewPetition},
		{"GET", "/petitions/{id}/created", mayRegister, (*Server).handleCreated},
		{"POST", "/petitions", mayRegister, (*Server).handleCreatePetition},
		{"GET", "/petitions", signedIn, (*Server).handleLedger},
		{"GET", "/petitions/export.xlsx", signedIn, (*Server).apiPetitionsXLSX},
		{"GET", "/petitions/print", signedIn, (*Server).handleLedgerPrint},
		{"GET", "/petitions/{id}", signedIn, (*Server).handlePetition},
		{"POST", "/petitions/{id}/actions/{action}", signedIn, (*Server).handleAction},
		{"POST", "/petitions/bulk", signedIn, (*Server).handleBulk},
		{"GET", "/petitions/{id}/print/{doc}", signedIn, (*Server).handlePrint},
		{"GET", "/supervisions/{id}/print/{doc}", signedIn, (*Server).handleSupervisionPrint},
		{"POST", "/petitions/{id}/attachments", signedIn, handleAddAttachment(xinfang.AttachPetition, "/petitions")},
		{"POST", "/cases/{id}/attachments", signedIn, handleAddAttachment(xinfang.AttachCase, "/cases")},
		{"GET", "/attachments/{id}", signedIn, (*Server).serveAttachment},
		{"GET", "/attachments/{id}/thumb", signedIn, (*Server).serveAttachmentThumb},
		{"GET", "/petitions/{id}/repeats", signedIn, (*Server).handleRepeats},
		{"POST", "/petitions/{id}/repeats", mayRegister, (*Server).handleRepeatDecision},
		{"GET", "/petitions/{id}/tasks", signedIn, (*Server).handlePetitionTasks},
		{"POST", "/petitions/{id}/tasks", mayFileCases, petitionTaskForm("task", addPetitionTask)},
		{"POST", "/petitions/{id}/tasks/{task}", mayFileCases, petitionTaskForm("task_change", changePetitionTask)},
		{"POST", "/petitions/{id}/instructions", mayInstruct, petitionTaskForm("instruction", addPetitionInstruction)},
		{"GET", "/search", signedIn, (*Server).handleSearch},
		{"GET", "/deadline", signedIn, (*Server).handleDeadline},

		{"GET", "/cases", mayReadCases, (*Server).handleCases},
		{"GET", "/cases/new", mayFileCases, (*Server).handleNewCase},
		{"POST", "/cases", mayFileCases, (*Server).handleCreateCase},
		{"GET", "/cases/mine", mayLeadCases, (*Server).handleMyCases},
		{"GET", "/cases/{id}", signedIn, (*Server).handleCase},
		{"GET", "/cases/{id}/print", signedIn, (*Server).handleCasePrint},
		{"POST", "/cases/{id}", signedIn, caseForm("fields", newCaseUpdate)},
		{"POST", "/cases/{id}/team/members", signedIn, caseForm("member", newMemberInput)},
		{"POST", "/cases/{id}/team/members/{member}/remove", signedIn, caseForm("remove_member", newMemberRemoval)},
		{"POST", "/cases/{id}/steps", signedIn, caseForm("step", newStepInput)},
		{"POST", "/cases/{id}/steps/{step}/done", signedIn, caseForm("step_done", newStepDone)},
		{"POST", "/cases/{id}/consultations", signedIn, caseForm("consultation", newConsultationInput)},
		{"POST", "/cases/{id}/progress", signedIn, caseForm("progress", newProgressInput)},
		{"POST", "/cases/{id}/tasks", signedIn, caseForm("task", newCaseTaskInput)},
		{"POST", "/cases/{id}/tasks/{task}", signedIn, caseForm("task_change", newCaseTaskChange)},
		{"POST", "/cases/{id}/resolution", signedIn, caseForm("resolution", newResolutionInput)},
		{"POST", "/cases/{id}/sign-off", signedIn, caseForm("sign_off", newSignOffInput)},
		{"POST", "/cases/{id}/actions/{action}", signedIn, caseForm("", newCaseActInput)},
		{"POST", "/cases/{id}/instructions", mayInstruct, (*Server).handleCaseInstruction},

		{"GET", "/supervisions", hasScope, (*Server).handleSupervisions},
		{"POST", "/supervisions", mayIssueSupervision, (*Server).handleCreateSupervision},
		{"GET", "/supervisions/{id}", signedIn, (*Server).handleSupervision},
		{"POST", "/supervisions/{id}/reminders", signedIn, supervisionForm(xinfang.SupervisionActRemind)},
		{"POST", "/supervisions/{id}/feedback", signedIn, supervisionForm(xinfang.SupervisionActFeedback)},
		{"POST", "/supervisions/{id}/close", signedIn, supervisionForm(xinfang.SupervisionActClose)},
		{"GET", "/inbox", signedIn, (*Server).handleInbox},
		{"POST", "/inbox/read-all", signedIn, (*Server).handleInboxReadAll},
		{"POST", "/inbox/{id}/read", signedIn, (*Server).handleInboxRead},

		{"GET", "/discipline", mayReadDiscipline, (*Server).handleWatch},
		{"GET", "/discipline/investigations", mayReadDiscipline, (*Server).handleInvestigations},
		{"POST", "/discipline/investigations", mayInspect, (*Server).handleCreateInvestigation},
		{"GET", "/discipline/investigations/{id}", mayReadDiscipline, (*Server).handleInvestigation},
		{"POST", "/discipline/investigations/{id}/case-track", mayInspect, investigationForm("case-track")},
		{"POST", "/discipline/investigations/{id}/responsibility-track", mayInspect, investigationForm("responsibility-track")},
		{"POST", "/discipline/investigations/{id}/close", mayInspect, investigationForm("close")},
		{"POST", "/discipline/investigations/{id}/edit", mayInspect, investigationForm("edit")},
		{"GET", "/discipline/accountability", mayReadAccountability, (*Server).handleAccountability},
		{"POST", "/discipline/accountability", mayInspect, (*Server).handleCreateAccountability},
		{"GET", "/discipline/letters", mayReadAccountability, (*Server).handleLetters},
		{"POST", "/discipline/letters", mayWriteLetters, (*Server).handleCreateLetter},

		{"GET", "/hearings", mayReadHearings, (*Server).handleHearings},
		{"GET", "/hearings/new", mayManageSociety, (*Server).handleNewHearing},
		{"POST", "/hearings", mayManageSociety, (*Server).handleCreateHearing},
		{"GET", "/hearings/{id}", mayReadHearings, (*Server).handleHearing},
		{"GET", "/hearings/{id}/notice", mayReadHearings, (*Server).handleHearingNotice},
		{"POST", "/hearings/{id}/start", mayManageSociety, hearingForm(xinfang.HearingActStart)},
		{"POST", "/hearings/{id}/conclude", mayManageSociety, hearingForm(xinfang.HearingActConclude)},
		{"POST", "/hearings/{id}/cancel", mayManageSociety, hearingForm(xinfang.HearingActCancel)},
		{"GET", "/society/experts", mayReadSociety, (*Server).handleExperts},
		{"POST", "/society/experts", mayManageSociety, (*Server).handleSaveExpert},
		{"GET", "/society/experts/{id}", mayReadSociety, (*Server).handleExpert},
		{"POST", "/society/experts/{id}", mayManageSociety, (*Server).handleSaveExpert},
		{"GET", "/society/observers", mayReadSociety, (*Server).handleObservers},
		{"POST", "/society/observers", mayManageSociety, (*Server).handleSaveObserver},
		{"GET", "/society/observers/{id}", mayReadSociety, (*Server).handleObserver},
		{"POST", "/society/observers/{id}", mayManageSociety, (*Server).handleSaveObserver},
		{"GET", "/society/seats", mayReadSociety, (*Server).handleSeats},
		{"POST", "/society/seats", mayManageSociety, (*Server).handleInviteSeats},
		{"POST", "/society/seats/{id}", mayManageSociety, (*Server).handleRecordSeat},
		{"GET", "/campaigns", mayReadCampaigns, (*Server).handleCampaigns},
		{"POST", "/campaigns", mayManageCampaigns, (*Server).handleCreateCampaign},
		{"GET", "/campaigns/{id}", mayReadCampaigns, (*Server).handleCampaign},
		{"POST", "/campaigns/{id}", mayManageCampaigns, campaignForm("edit")},
		{"GET", "/campaigns/{id}/cases", mayReadCampaigns, (*Server).handleCampaignCases},
		{"POST", "/campaigns/{id}/cases", mayManageCampaigns, campaignForm("add")},
		{"POST", "/campaigns/{id}/cases/{case}/remove", mayManageCampaigns, campaignForm("remove")},
		{"GET", "/followups", mayReadFollowups, (*Server).handleFollowupsDue},
		{"GET", "/petitions/{id}/followups", mayReadFollowups, (*Server).handlePetitionFollowups},
		{"POST", "/petitions/{id}/followups", mayRecordFollowup, (*Server).handleRecordFollowup},
		{"GET", "/tasks", mayReadUnitTasks, (*Server).handleUnitTasks},
		{"GET", "/receptions/schedule", mayReadSchedule, (*Server).handleReceptionSchedule},
		{"GET", "/receptions", mayReadReceptions, (*Server).handleReceptions},
		{"GET", "/receptions/new", mayManageReceptions, (*Server).handleNewReception},
		{"POST", "/receptions", mayManageReceptions, (*Server).handleScheduleReception},
		{"GET", "/receptions/{id}", mayReadReceptions, (*Server).handleReception},
		{"POST", "/receptions/{id}/matters", mayManageReceptions, (*Server).handleReceptionMatter},
		{"POST", "/receptions/{id}/record", mayManageReceptions, (*Server).handleRecordReception},
		{"POST", "/receptions/{id}/cancel", mayManageReceptions, (*Server).handleCancelReception},
		{"GET", "/meetings", mayReadMeetings, (*Server).handleMeetings},
		{"GET", "/meetings/decisions", mayReadMeetings, (*Server).handleMeetingDecisions},
		{"GET", "/meetings/new", mayManageMeetings, (*Server).handleNewMeeting},
		{"POST", "/meetings", mayManageMeetings, (*Server).handleRecordMeeting},
		{"GET", "/meetings/{id}", mayReadMeetings, (*Server).handleMeeting},
		{"POST", "/meetings/{id}/minutes", mayManageMeetings, (*Server).handleMeetingMinutes},
		{"POST", "/meetings/{id}/decisions", mayManageMeetings, (*Server).handleMeetingDecision},
		{"POST", "/meetings/{id}/decisions/{task}", signedIn, (*Server).handleMeetingTaskChange},
		{"GET", "/mediations", mayReadMediations, (*Server).handleMediations},
		{"GET", "/mediations/new", mayManageSociety, (*Server).handleNewMediation},
		{"POST", "/mediations", mayManageSociety, (*Server).handleCreateMediation},
		{"GET", "/mediations/{id}", mayReadMediations, (*Server).handleMediation},
		{"GET", "/mediations/{id}/agreement", mayReadMediations, (*Server).handleMediationAgreement},
		{"POST", "/mediations/{id}/sessions", mayManageSociety, mediationForm("sessions")},
		{"POST", "/mediations/{id}/outcome", mayManageSociety, mediationForm("outcome")},
		{"POST", "/mediations/{id}/fulfilment", mayManageSociety, mediationForm("fulfilment")},
		{"GET", "/society/mediators", mayReadSociety, (*Server).handleMediators},
		{"POST", "/society/mediators", mayManageSociety, (*Server).handleSaveMediator},
		{"GET", "/judicial-aid", mayReadSociety, (*Server).handleJudicialAids},
		{"POST", "/judicial-aid", mayManageSociety, (*Server).handleCreateJudicialAid},
		{"GET", "/judicial-aid/{id}", mayReadSociety, (*Server).handleJudicialAid},
		{"GET", "/judicial-aid/{id}/decision", mayReadSociety, (*Server).handleJudicialAidDecision},
		{"POST", "/judicial-aid/{id}/{action}", mayManageSociety, (*Server).handleJudicialAidStep},
		{"GET", "/legal-opinions", mayReadOpinions, (*Server).handleLegalOpinions},
		{"POST", "/legal-opinions", mayDraftOpinions, (*Server).handleCreateLegalOpinion},
		{"GET", "/legal-opinions/{id}", mayReadOpinions, (*Server).handleLegalOpinion},
		{"GET", "/legal-opinions/{id}/print", mayReadOpinions, (*Server).handleLegalOpinionPrint},
		{"POST", "/legal-opinions/{id}", mayDraftOpinions, opinionForm("edit")},
		{"POST", "/legal-opinions/{id}/issue", mayDraftOpinions, opinionForm("issue")},
		{"GET", "/legal", mayReadLegal, (*Server).handleLegalReferrals},
		{"POST", "/legal", mayScreenLegal, (*Server).handleScreenLegal},
		{"GET", "/legal/{id}", mayReadLegal, (*Server).handleLegalReferral},
		{"POST", "/legal/{id}/transfer", mayScreenLegal, legalForm("transfer")},
		{"POST", "/legal/{id}/judicial", mayRecordJudicial, legalForm("judicial")},
		{"GET", "/lawyer-duty", mayReadDuty, (*Server).handleDutyWeeks},
		{"POST", "/lawyer-duty", mayPlanRota, (*Server).handleGenerateRota},
		{"GET", "/lawyer-duty/{id}", mayReadDuty, (*Server).handleDutyWeek},
		{"POST", "/lawyer-duty/{id}/swap", mayPlanRota, (*Server).handleSwapDuty},
		{"GET", "/lawyer-receptions", mayReadDuty, (*Server).handleDutyReceptions},
		{"GET", "/lawyer-receptions/new", mayRecordReception, (*Server).handleNewDutyReception},
		{"POST", "/lawyer-receptions", mayRecordReception, (*Server).handleCreateDutyReception},
		{"GET", "/lawyer-receptions/{id}", mayReadDuty, (*Server).handleDutyReception},
		{"POST", "/lawyer-receptions/{id}", mayRecordReception, (*Server).handleUpdateDutyReception},
		{"GET", "/first-visit", mayReadCases, (*Server).handleFirstVisit},
		{"GET", "/api/v1/screening/reports", mayReadScreening, (*Server).apiScreeningReports},
		{"POST", "/api/v1/screening/reports", mayReportScreening, (*Server).apiCreateScreeningReport},
		{"GET", "/api/v1/screening/reports/{id}", mayReadScreening, (*Server).apiScreeningReport},
		{"POST", "/api/v1/screening/reports/{id}/settle", mayReportScreening, (*Server).apiSettleScreeningReport},
		{"POST", "/api/v1/screening/reports/{id}/petition", mayReportScreening, (*Server).apiScreeningToPetition},
		{"POST", "/api/v1/screening/reports/{id}/case", mayReportScreening, (*Server).apiScreeningToCase},
		{"GET", "/api/v1/screening/counts", mayReadScreening, (*Server).apiScreeningCounts},
		{"GET", "/api/v1/screening/rounds", mayReadScreening, (*Server).apiScreeningRounds},
		{"POST", "/api/v1/screening/rounds", mayReportScreening, (*Server).apiCreateScreeningRound},
		{"GET", "/api/v1/screening/rounds/{id}", mayReadScreening, (*Server).apiScreeningRound},
		{"POST", "/api/v1/screening/rounds/{id}/nil-returns", mayReportScreening, (*Server).apiScreeningNilReturn},
		{"GET", "/api/v1/risk-assessments", mayReadScreening, (*Server).apiRiskAssessments},
		{"POST", "/api/v1/risk-assessments", mayReportScreening, (*Server).apiCreateRiskAssessment},
		{"GET", "/api/v1/risk-assessments/{id}", mayReadScreening, (*Server).apiRiskAssessment},
		{"PUT", "/api/v1/risk-assessments/{id}", mayReportScreening, (*Server).apiUpdateRiskAssessment},
		{"POST", "/api/v1/risk-assessments/{id}/petitions", mayReportScreening, (*Server).apiLinkRiskPetition},
		{"DELETE", "/api/v1/risk-assessments/{id}/petitions/{petition}", mayReportScreening, (*Server).apiUnlinkRiskPetition},
		{"GET", "/screening", mayReadScreening, (*Server).handleScreening},
		{"GET", "/screening/new", mayReportScreening, (*Server).handleNewScreeningReport},
		{"POST", "/screening", mayReportScreening, (*Server).handleCreateScreeningReport},
		{"GET", "/screening/{id}", mayReadScreening, (*Server).handleScreeningReport},
		{"POST", "/screening/{id}/{action}", mayReportScreening, (*Server).handleScreeningAction},
		{"GET", "/screening-rounds", mayReadScreening, (*Server).handleScreeningRounds},
		{"POST", "/screening-rounds", mayReportScreening, (*Server).handleCreateScreeningRound},
		{"GET", "/screening-rounds/{id}", mayReadScreening, (*Server).handleScreeningRound},
		{"POST", "/screening-rounds/{id}/nil-returns", mayReportScreening, (*Server).handleScreeningNilReturn},
		{"GET", "/risks", mayReadScreening, (*Server).handleRiskAssessments},
		{"POST", "/risks", mayReportScreening, (*Server).handleSaveRiskAssessment},
		{"GET", "/risks/{id}", mayReadScreening, (*Server).handleRiskAssessment},
		{"POST", "/risks/{id}", mayReportScreening, (*Server).handleSaveRiskAssessment},
		{"POST", "/risks/{id}/petitions", mayReportScreening, (*Server).handleLinkRiskPetition},
		{"GET", "/assignments", mayReadAssignments, (*Server).handleAssignments},
		{"POST", "/assignments", mayAssign, (*Server).handleCreateAssignment},
		{"POST", "/assignments/{id}/end", mayAssign, assignmentForm("end")},
		{"POST", "/assignments/{id}/notes", mayReadAssignments, assignmentForm("note")},
		{"GET", "/api/v1/indicators", mayReadIndicators, (*Server).apiIndicators},
		{"GET", "/api/v1/indicators/{kind}/items", mayReadIndicators, (*Server).apiIndicatorItems},
		{"GET", "/api/v1/indicators/config", mayReadIndicators, (*Server).apiIndicatorConfig},
		{"PUT", "/api/v1/indicators/config", mayConfigureIndicators, (*Server).apiSetIndicatorConfig},
		{"POST", "/api/v1/indicators/rebuild", mayConfigureIndicators, (*Server).apiRebuildIndicators},
		{"GET", "/api/v1/dashboard", mayReadIndicators, (*Server).apiDashboard},
		{"GET", "/dashboard", mayReadIndicators, (*Server).handleDashboard},
		{"GET", "/api/v1/assessment/{year}", mayReadAssessment, (*Server).apiAssessment},
		{"GET", "/api/v1/assessment/{year}/export.xlsx", mayReadAssessment, (*Server).apiAssessmentXLSX},
		{"GET", "/api/v1/assessment/{year}/rules", mayReadAssessment, (*Server).apiAssessmentRules},
		{"PUT", "/api/v1/assessment/{year}/rules", mayAssess, (*Server).apiSaveAssessmentRules},
		{"POST", "/api/v1/assessment/{year}/entries", mayAssess, (*Server).apiAddAssessmentEntry},
		{"POST", "/api/v1/assessment/{year}/letter-targets", mayAssess, (*Server).apiSetLetterTarget},
		{"POST", "/api/v1/assessment/{year}/freeze", mayAssess, (*Server).apiFreezeAssessment},
		{"GET", "/assessment", mayReadAssessment, (*Server).handleAssessment},
		{"GET", "/assessment/{year}/units/{id}", mayReadAssessment, (*Server).handleAssessmentUnit},
		{"POST", "/assessment/{year}/{form}", mayAssess, (*Server).handleAssessmentForm},
		{"GET", "/indicators", mayReadIndicators, (*Server).handleIndicators},
		{"GET", "/indicators/{kind}/items", mayReadIndicators, (*Server).handleIndicatorItems},
		{"POST", "/indicators/config", mayConfigureIndicators, (*Server).handleIndicatorConfig},

		{"GET", "/audit", mayAudit, (*Server).handleAudit},

		{"GET", "/imports", mayImport, (*Server).handleImports},
		{"POST", "/imports", mayImport, (*Server).handleStartImport},
		{"GET", "/imports/template", mayImport, (*Server).importTemplate},
		{"GET", "/imports/{id}", mayImport, (*Server).handleImport},
		{"GET", "/imports/{id}/problems.csv", mayImport, (*Server).importProblemsCSV},
		{"POST", "/imports/{id}/commit", mayImport, (*Server).handleCommitImport},
		{"GET", "/admin/holidays", mayAdminister, (*Server).handleHolidays},
		{"POST", "/admin/holidays", mayAdminister, (*Server).handleSaveHoliday},
		{"POST", "/admin/holidays/year", mayAdminister, (*Server).handleSaveHolidayYear},
		{"GET", "/admin/dictionary", mayAdminister, (*Server).handleDictionary},
		{"POST", "/admin/dictionary", mayAdminister, (*Server).handleSaveDictEntry},
		{"GET", "/admin/units", mayAdminister, (*Server).handleUnits},
		{"POST", "/admin/units", mayAdminister, (*Server).handleCreateUnit},
		{"GET", "/admin/units/{id}", mayAdminister, (*Server).handleUnit},
		{"POST", "/admin/units/{id}", mayAdminister, unitForm("edit")},
		{"POST", "/admin/units/{id}/deactivate", mayAdminister, unitForm("deactivate")},
		{"POST", "/admin/units/{id}/activate", mayAdminister, unitForm("activate")},
		{"GET", "/admin/users", mayReadAccounts, (*Server).handleUsers},
		{"POST", "/admin/users", mayAdminister, (*Server).handleCreateUser},
		{"GET", "/admin/users/{id}", mayReadAccounts, (*Server).handleUser},
		{"POST", "/admin/users/{id}", mayAdminister, accountForm(xinfang.AccountEdit)},
		{"POST", "/admin/users/{id}/deactivate", mayAdminister, accountForm(xinfang.AccountDeactivate)},
		{"POST", "/admin/users/{id}/activate", mayAdminister, accountForm(xinfang.AccountActivate)},
		{"POST", "/admin/users/{id}/roles", mayManageRoles, accountForm(xinfang.AccountRoles)},
		{"POST", "/admin/users/{id}/password", mayManageRoles, accountForm(xinfang.AccountResetPassword)},
		{"POST", "/admin/users/{id}/unlock", mayManageRoles, accountForm(xinfang.AccountUnlock)},

		// Anything else is a 404 in the shape of its path: JSON under
		// /api/, the error page elsewhere.
		{"", "/", public, notFound},
	}...)
}

// menu is the main menu in its order. Each entry opens a GET route of the
// table and shows to whoever that route admits (menuFor), so that nobody
// is offered a page that refuses them.
var menu = []struct {
	Nav, Label, Href string
	route            string // the pattern of the GET route it opens
}{
	{"home", "工作台", "/", "/{$}"},
	{"new", "信访登记", "/petitions/new", "/petitions/new"},
	{"intake", "网上信访", "/intake", "/intake"},
	{"ledger", "信访台账", "/petitions", "/petitions"},
	{"cases", "积案台账", "/cases", "/cases"},
	{"mycases", "我包的案", "/cases/mine", "/cases/mine"},
	{"campaigns", "专项行动", "/campaigns", "/campaigns"},
	{"followups", "跟踪回访", "/followups", "/followups"},
	{"tasks", "本单位任务", "/tasks", "/tasks"},
	{"discipline", "纪检监督", "/discipline", "/discipline"},
	{"dashboard", "态势", "/dashboard", "/dashboard"},
	{"indicators", "统计指标", "/indicators", "/indicators"},
	{"assessment", "年度考核", "/assessment", "/assessment"},
	{"search", "全文检索", "/search", "/search"},
	{"supervision", "督办", "/supervisions", "/supervisions"},
	{"hearings", "听证", "/hearings", "/hearings"},
	{"mediations", "调解", "/mediations", "/mediations"},
	{"receptions", "领导接访", "/receptions/schedule", "/receptions/schedule"},
	{"meetings", "专题会议", "/meetings", "/meetings"},
	{"judicialaid", "司法救助", "/judicial-aid", "/judicial-aid"},
	{"screening", "矛盾排查", "/screening", "/screening"},
	{"risks", "稳评", "/risks", "/risks"},
	{"assignments", "指派", "/assignments", "/assignments"},
	{"opinions", "法律意见书", "/legal-opinions", "/legal-opinions"},
	{"firstvisit", "首访责任制", "/first-visit", "/first-visit"},
	{"legal", "涉法涉诉", "/legal", "/legal"},
	{"lawyerduty", "律师值班", "/lawyer-duty", "/lawyer-duty"},
	{"inbox", "消息", "/inbox", "/inbox"},
	{"deadline", "期限计算器", "/deadline", "/deadline"},
	{"imports", "导入", "/imports", "/imports"},
	{"units", "单位管理", "/admin/units", "/admin/units"},
	{"users", "用户管理", "/admin/users", "/admin/users"},
	{"admin", "系统维护", "/admin/holidays", "/admin/holidays"},
	{"audit", "审计日志", "/audit", "/audit"},
}

// menuEntry is one entry of the main menu.
type menuEntry struct {
	Nav, Label, Href string
	access           access
}

// menuEntries joins the menu to the access of its routes; a menu entry
// without its route is a programming error.
func menuEntries(routes []route) []menuEntry {
	byPattern := pageAccess(routes)
	out := make([]menuEntry, len(menu))
	for i, m := range menu {
		a, ok := byPattern[m.route]
		if !ok {
			panic("web: menu entry " + m.Label + " opens no GET route " + m.route)
		}
		out[i] = menuEntry{Nav: m.Nav, Label: m.Label, Href: m.Href, access: a}
	}
	return out
}

// pageAccess maps the pattern of every GET route to its access.
func pageAccess(routes []route) map[string]access {
	byPattern := map[string]access{}
	for _, rt := range routes {
		if rt.method == "GET" {
			byPattern[rt.pattern] = rt.access
		}
	}
	return byPattern
}

// opens reports whether u may open the GET route of pattern: what a page
// asks before it shows a link or button to another page, so that nobody
// is shown a way in that answers 403. An unknown pattern is a
// programming error and shows nothing.
func (s *Server) opens(u *xinfang.User, pattern string) bool {
	a, ok := s.pages[pattern]
	return ok && a.allows(u)
}

// menuFor returns the menu entries u may open, in menu order.
func (s *Server) menuFor(u *xinfang.User) []menuEntry {
	var out []menuEntry
	for _, m := range s.menu {
		if m.access.allows(u) {
			out = append(out, m)
		}
	}
	return out
}

// routes registers the table on the mux: the access check, the check of
// the input's text (checkInput), then the handler, and every error
// through s.fail.
func (s *Server) routes() {
	table := routeTable()
	s.menu, s.pages = menuEntries(table), pageAccess(table)
	for _, rt := range table {
		s.mux.HandleFunc(rt.key(), func(w http.ResponseWriter, r *http.Request) {
			err := rt.access.check(xinfang.UserFromContext(r.Context()))
			if err == nil {
				err = checkInput(r, rt.pattern)
			}
			if err == nil {
				w, r = s.auditing(w, r, rt)
				err = rt.handle(s, w, r)
			}
			if err != nil {
				s.fail(w, r, err)
			}
		})
	}
}

// key is the route as the mux knows it: "POST /login", or the bare
// pattern of a route for every method.
func (rt route) key() string {
	if rt.method == "" {
		return rt.pattern
	}
	return rt.method + " " + rt.pattern
}

func notFound(s *Server, w http.ResponseWriter, r *http.Request) error {
	return xinfang.Errorf(xinfang.ENOTFOUND, "页面不存在")
}

// Route is one route of the table, for tests and documentation.
type Route struct {
	Method string // GET, POST, PUT, DELETE; "" for every method
	Path   string // a ServeMux pattern such as /api/v1/petitions/{id}
	API    bool   // under /api/: JSON
	Public bool   // answered without a session
	Access string // the access level's name: "signed in", "CanRegister" …
	// Allows reports whether the route's access check admits u (nil: not
	// signed in).
	Allows func(u *xinfang.User) bool
	// BodyLimit is the most bytes of body the route reads (bodyLimits).
	BodyLimit int64
}

// Routes returns every route of the table in its order.
func Routes() []Route {
	var out []Route
	for _, rt := range routeTable() {
		out = append(out, Route{Method: rt.method, Path: rt.pattern, API: strings.HasPrefix(rt.pattern, "/api/"),
			Public: rt.access.public, Access: rt.access.name, Allows: rt.access.allows, BodyLimit: bodyLimit(rt.key())})
	}
	return out
}

// APIRoute is one route of the JSON API.
type APIRoute struct {
	Method string // GET, POST, PUT, DELETE
	Path   string // a ServeMux path such as /api/v1/petitions/{id}
	Public bool   // answered without a session
}

// APIRoutes returns the routes of the JSON API, which openapi*.json must
// describe exactly.
func APIRoutes() []APIRoute {
	var out []APIRoute
	for _, rt := range Routes() {
		if rt.API {
			out = append(out, APIRoute{Method: rt.Method, Path: rt.Path, Public: rt.Public})
		}
	}
	return out
}
