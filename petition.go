package xinfang

import (
	"slices"
	"strings"
	"time"

	"xinfang/internal/calendar"
)

// Channel is the form a petition came in (信访形式, 第十七条), or how it
// reached the unit otherwise: handed down, or found by screening.
type Channel string

const (
	ChannelOnline     Channel = "online"      // 网上信访
	ChannelLetter     Channel = "letter"      // 来信
	ChannelCall       Channel = "call"        // 来电
	ChannelFax        Channel = "fax"         // 传真
	ChannelVisit      Channel = "visit"       // 来访
	ChannelHandedDown Channel = "handed_down" // 上级交办
	ChannelScreening  Channel = "screening"   // 排查发现
	// ChannelLeaderReception is an item a leader received at a reception
	// (领导接访、下访、约访), registered from the reception's record.
	ChannelLeaderReception Channel = "leader_reception" // 领导接访
)

// Channels lists the channels with their labels.
var Channels = []Label{
	{string(ChannelOnline), "网上信访"}, {string(ChannelLetter), "来信"}, {string(ChannelCall), "来电"}, {string(ChannelFax), "传真"},
	{string(ChannelVisit), "来访"}, {string(ChannelHandedDown), "上级交办"}, {string(ChannelScreening), "排查发现"},
	{string(ChannelLeaderReception), "领导接访"},
}

// Label returns the Chinese label of c.
func (c Channel) Label() string { return labelOf(Channels, c) }

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return hasCode(Channels, c) }

// RegistrableChannels are the channels the registration form offers: all
// but 领导接访, whose items are registered from a reception's record
// (ReceptionMatter), so that each of them has the reception it came from.
func RegistrableChannels() []Label {
	out := make([]Label, 0, len(Channels))
	for _, l := range Channels {
		if l.Code != string(ChannelLeaderReception) {
			out = append(out, l)
		}
	}
	return out
}

// Purpose is the purpose of a petition (信访目的), one of the three classes
// of 第二十九至三十一条.
type Purpose string

const (
	PurposeProposal Purpose = "proposal" // 建议意见
	// PurposeAccusation is 检举控告: visible only to the handling 纪检监察
	// body and the registering registrar (security.md).
	PurposeAccusation Purpose = "accusation"
	PurposeClaim      Purpose = "claim" // 申诉求决
)

// Purposes lists the purposes with their labels.
var Purposes = []Label{
	{string(PurposeProposal), "建议意见"}, {string(PurposeAccusation), "检举控告"}, {string(PurposeClaim), "申诉求决"},
}

// Label returns the Chinese label of p.
func (p Purpose) Label() string { return labelOf(Purposes, p) }

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool { return hasCode(Purposes, p) }

// Outcome is the result of a reply (处理结果, 第三十二条).
type Outcome string

const (
	OutcomeSupport Outcome = "support" // 支持
	OutcomeExplain Outcome = "explain" // 解释说明
	OutcomeReject  Outcome = "reject"  // 不予支持
)

// Outcomes lists the outcomes with their labels.
var Outcomes = []Label{{string(OutcomeSupport), "支持"}, {string(OutcomeExplain), "解释说明"}, {string(OutcomeReject), "不予支持"}}

// Label returns the Chinese label of o.
func (o Outcome) Label() string { return labelOf(Outcomes, o) }

// LegalRoute is a statutory route a claim may be diverted to (导入法定途径).
type LegalRoute string

const (
	RouteLitigation      LegalRoute = "litigation"      // 诉讼
	RouteReconsideration LegalRoute = "reconsideration" // 行政复议
	RouteProcuratorate   LegalRoute = "procuratorate"   // 检察程序
	RoutePolice          LegalRoute = "police"          // 公安程序
	RouteArbitration     LegalRoute = "arbitration"     // 仲裁
	RoutePartyAppeal     LegalRoute = "party_appeal"    // 党员申诉
	RouteAdminRuling     LegalRoute = "admin_ruling"    // 行政裁决/确认/许可/处罚
)

// LegalRoutes lists the routes with their labels.
var LegalRoutes = []Label{
	{string(RouteLitigation), "诉讼"}, {string(RouteReconsideration), "行政复议"}, {string(RouteProcuratorate), "检察程序"}, {string(RoutePolice), "公安程序"},
	{string(RouteArbitration), "仲裁"}, {string(RoutePartyAppeal), "党员申诉"}, {string(RouteAdminRuling), "行政裁决/确认/许可/处罚"},
}

// Label returns the Chinese label of r.
func (r LegalRoute) Label() string { return labelOf(LegalRoutes, r) }

// DeliveryMethod is how a written reply reached the petitioner (送达方式).
type DeliveryMethod string

const (
	DeliveryInPerson   DeliveryMethod = "in_person"  // 当面
	DeliveryPost       DeliveryMethod = "post"       // 邮寄
	DeliveryElectronic DeliveryMethod = "electronic" // 电子
	DeliveryOther      DeliveryMethod = "other"      // 其他
)

// DeliveryMethods lists the methods with their labels.
var DeliveryMethods = []Label{
	{string(DeliveryInPerson), "当面"}, {string(DeliveryPost), "邮寄"}, {string(DeliveryElectronic), "电子"}, {string(DeliveryOther), "其他"},
}

// Label returns the Chinese label of m.
func (m DeliveryMethod) Label() string { return labelOf(DeliveryMethods, m) }

// PetitionerOpinion is the petitioner's opinion on a delivered reply (信访人意见).
type PetitionerOpinion string

const (
	OpinionAgree    PetitionerOpinion = "agree"    // 同意
	OpinionDisagree PetitionerOpinion = "disagree" // 不同意
	OpinionNone     PetitionerOpinion = "none"     // 无明确意见
)

// PetitionerOpinions lists the opinions with their labels.
var PetitionerOpinions = []Label{{string(OpinionAgree), "同意"}, {string(OpinionDisagree), "不同意"}, {string(OpinionNone), "无明确意见"}}

// Label returns the Chinese label of o.
func (o PetitionerOpinion) Label() string { return labelOf(PetitionerOpinions, o) }

// Rating is one grade of the evaluation (评价).
type Rating string

const (
	RatingSatisfied   Rating = "satisfied"   // 满意
	RatingBasic       Rating = "basic"       // 基本满意
	RatingUnsatisfied Rating = "unsatisfied" // 不满意
)

// Ratings lists the grades with their labels.
var Ratings = []Label{{string(RatingSatisfied), "满意"}, {string(RatingBasic), "基本满意"}, {string(RatingUnsatisfied), "不满意"}}

// Label returns the Chinese label of r.
func (r Rating) Label() string { return labelOf(Ratings, r) }

// Escalation is how far above the responsible level a petitioner went
// (越级); the empty code is 无.
type Escalation string

const (
	EscalationNone     Escalation = ""         // 无
	EscalationCity     Escalation = "city"     // 到市
	EscalationProvince Escalation = "province" // 赴省
	EscalationBeijing  Escalation = "beijing"  // 进京
)

// EscalationLevels lists the levels with their labels.
var EscalationLevels = []Label{
	{string(EscalationNone), "无"}, {string(EscalationCity), "到市"}, {string(EscalationProvince), "赴省"}, {string(EscalationBeijing), "进京"},
}

// Label returns the Chinese label of e.
func (e Escalation) Label() string { return labelOf(EscalationLevels, e) }

// Valid reports whether e is a known level (the empty level included).
func (e Escalation) Valid() bool { return hasCode(EscalationLevels, e) }

// RiskLevel is the level of 稳定风险.
type RiskLevel string

const (
	RiskLow    RiskLevel = "low"    // 低
	RiskMedium RiskLevel = "medium" // 中
	RiskHigh   RiskLevel = "high"   // 高
)

// RiskLevels lists the levels with their labels.
var RiskLevels = []Label{{string(RiskLow), "低"}, {string(RiskMedium), "中"}, {string(RiskHigh), "高"}}

// Label returns the Chinese label of r.
func (r RiskLevel) Label() string { return labelOf(RiskLevels, r) }

// Valid reports whether r is a known level.
func (r RiskLevel) Valid() bool { return hasCode(RiskLevels, r) }

// IDType is the type of a petitioner's identity document (证件类型).
type IDType string

const (
	IDCard        IDType = "id_card"    // 居民身份证
	IDPassport    IDType = "passport"   // 护照
	IDHKMacaoPass IDType = "hk_mo_pass" // 港澳居民来往内地通行证
	IDTaiwanPass  IDType = "tw_pass"    // 台湾居民来往大陆通行证
	IDOther       IDType = "other"      // 其他
)

// IDTypes lists the document types with their labels.
var IDTypes = []Label{
	{string(IDCard), "居民身份证"}, {string(IDPassport), "护照"}, {string(IDHKMacaoPass), "港澳居民来往内地通行证"},
	{string(IDTaiwanPass), "台湾居民来往大陆通行证"}, {string(IDOther), "其他"},
}

// Label returns the Chinese label of t.
func (t IDType) Label() string { return labelOf(IDTypes, t) }

// Valid reports whether t is a known document type.
func (t IDType) Valid() bool { return hasCode(IDTypes, t) }

// CrossFlag is one kind of 三跨三分离 recorded on a petition (data.md:
// 跨地区/跨部门/跨行业; 人户分离/人事分离/人事户分离 — record which).
type CrossFlag string

const (
	CrossRegion                   CrossFlag = "cross_region"            // 跨地区
	CrossDepartment               CrossFlag = "cross_department"        // 跨部门
	CrossIndustry                 CrossFlag = "cross_industry"          // 跨行业
	SeparatePersonHousehold       CrossFlag = "person_household"        // 人户分离: the person lives away from the household registration
	SeparatePersonMatter          CrossFlag = "person_matter"           // 人事分离: the person lives away from where the matter is
	SeparatePersonMatterHousehold CrossFlag = "person_matter_household" // 人事户分离: person, matter and registration in three places
)

// CrossFlags lists the 三跨三分离 kinds with their labels, in display and
// storage order. The labels are the values the registration page offered
// and stored before the codes (see CrossFlagOf).
var CrossFlags = []Label{
	{string(CrossRegion), "跨地区"}, {string(CrossDepartment), "跨部门"}, {string(CrossIndustry), "跨行业"},
	{string(SeparatePersonHousehold), "人户分离"}, {string(SeparatePersonMatter), "人事分离"}, {string(SeparatePersonMatterHousehold), "人事户分离"},
}

// Label returns the Chinese label of f.
func (f CrossFlag) Label() string { return labelOf(CrossFlags, f) }

// Valid reports whether f is a known code.
func (f CrossFlag) Valid() bool { return hasCode(CrossFlags, f) }

// CrossFlagOf returns the code of one stored or submitted value: a code, or
// its Chinese label as the registration page stored it before the codes
// (a data migration maps old rows with it). ok is false for anything else.
func CrossFlagOf(v string) (CrossFlag, bool) {
	v = strings.TrimSpace(v)
	for _, l := range CrossFlags {
		if v == l.Code || v == l.Label {
			return CrossFlag(l.Code), true
		}
	}
	return "", false
}

// ParseCrossFlags reads a comma-separated list of codes or labels (as
// Petition.CrossFlags holds it; "，" and "、" separate as well) into codes
// in the order of CrossFlags, without repeats. The error is EINVALID on
// cross_flags naming the first unknown value.
func ParseCrossFlags(s string) ([]CrossFlag, error) {
	seen := map[CrossFlag]bool{}
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if strings.TrimSpace(v) == "" {
			continue
		}
		f, ok := CrossFlagOf(v)
		if !ok {
			return nil, FieldError("cross_flags", "未知的三跨三分离类型："+strings.TrimSpace(v)+"（应为 "+strings.Join(labelCodes(CrossFlags), "、")+"）")
		}
		seen[f] = true
	}
	var out []CrossFlag
	for _, l := range CrossFlags {
		if f := CrossFlag(l.Code); seen[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// JoinCrossFlags is the stored form of flags: codes joined by commas.
func JoinCrossFlags(flags []CrossFlag) string { return strings.Join(codes(flags), ",") }

// CrossFlagList returns the petition's 三跨三分离 flags as codes; values
// that are not flags (stored before Validate checked them) are left out.
func (pt *Petition) CrossFlagList() []CrossFlag {
	var out []CrossFlag
	for _, v := range strings.Split(pt.CrossFlags, ",") {
		if f, ok := CrossFlagOf(v); ok && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// CrossFlagLabels returns the Chinese labels of the petition's flags,
// joined by "、", for pages and documents.
func (pt *Petition) CrossFlagLabels() string {
	var out []string
	for _, f := range pt.CrossFlagList() {
		out = append(out, f.Label())
	}
	return strings.Join(out, "、")
}

// Petitioner is a person or organisation who petitions (信访人).
type Petitioner struct {
	ID            int64  `json:"id"`
	Org           bool   `json:"org"` // an organisation (名称 + 统一社会信用代码)
	Name          string `json:"name"`
	IDType        IDType `json:"id_type,omitempty"`
	IDNumber      string `json:"id_number,omitempty"`
	OrgCode       string `json:"org_code,omitempty"` // 统一社会信用代码
	Phone         string `json:"phone,omitempty"`
	Gender        string `json:"gender,omitempty"`
	Ethnicity     string `json:"ethnicity,omitempty"`
	Occupation    string `json:"occupation,omitempty"`
	HukouAddress  string `json:"hukou_address,omitempty"` // 户籍地
	Residence     string `json:"residence,omitempty"`     // 现居住地
	Address       string `json:"address,omitempty"`
	KeyPerson     bool   `json:"key_person,omitempty"` // 重点人员
	KeyReason     string `json:"key_reason,omitempty"`
	Foreign       bool   `json:"foreign,omitempty"` // 涉外/港澳台侨
	PetitionCount int    `json:"petition_count,omitempty"`
}

// Validate checks a petitioner; prefix names the fields ("petitioner.").
func (pt *Petitioner) Validate(prefix string, now time.Time, p Problems) {
	pt.Name = strings.TrimSpace(pt.Name)
	pt.IDNumber = NormalizeIDNumber(pt.IDNumber)
	pt.OrgCode = strings.ToUpper(strings.TrimSpace(pt.OrgCode))
	pt.Phone = strings.TrimSpace(pt.Phone)
	if pt.Name == "" {
		p.Add(prefix+"name", "信访人姓名/名称不能为空")
	}
	checkLine(p, prefix+"name", &pt.Name, MaxName)
	// Other documents than the ID card have no check of their own.
	checkLine(p, prefix+"id_number", &pt.IDNumber, 50)
	checkLine(p, prefix+"gender", &pt.Gender, 10)
	checkLine(p, prefix+"ethnicity", &pt.Ethnicity, 50)
	checkLine(p, prefix+"occupation", &pt.Occupation, MaxName)
	checkLine(p, prefix+"hukou_address", &pt.HukouAddress, MaxLine)
	checkLine(p, prefix+"residence", &pt.Residence, MaxLine)
	checkLine(p, prefix+"address", &pt.Address, MaxLine)
	checkText(p, prefix+"key_reason", &pt.KeyReason, MaxNote)
	if pt.IDType == "" && pt.IDNumber != "" {
		pt.IDType = IDCard
	}
	if pt.IDType != "" && !pt.IDType.Valid() {
		p.Add(prefix+"id_type", "未知的证件类型")
	}
	if pt.IDNumber != "" && pt.IDType == IDCard {
		if err := ValidateIDNumber(pt.IDNumber, now); err != nil {
			p.Add(prefix+"id_number", err.Error())
		}
	}
	if pt.OrgCode != "" {
		if err := ValidateUSCC(pt.OrgCode); err != nil {
			p.Add(prefix+"org_code", err.Error())
		}
	}
	if pt.Org && pt.OrgCode == "" {
		p.Add(prefix+"org_code", "单位信访人须填写统一社会信用代码")
	}
	if pt.Phone != "" {
		if err := ValidatePhone(pt.Phone); err != nil {
			p.Add(prefix+"phone", err.Error())
		}
	}
	if pt.KeyPerson && pt.KeyReason == "" {
		p.Add(prefix+"key_reason", "重点人员须写明原因")
	}
}

// Petition is a 信访件 with the fields of data.md. State, handling unit,
// clocks and outcome are derived from its events (see internal/procedure);
// the stored copy of them is a projection for lists, rebuilt on every event.
type Petition struct {
	ID        int64  `json:"id"`
	Number    string `json:"number"`               // 信访件编号 {unit code}-{year}-{seq}
	QueryCode string `json:"query_code,omitempty"` // 查询码, shown once to the registrar
	Version   int    `json:"version"`

	Channel      Channel   `json:"channel"`
	ReceivedAt   time.Time `json:"received_at"`
	RegUnitID    int64     `json:"reg_unit_id"`
	RegUnit      *Unit     `json:"reg_unit,omitempty"`
	RegUserID    int64     `json:"reg_user_id"`
	RegUserName  string    `json:"reg_user_name,omitempty"`
	FirstUnitID  int64     `json:"first_unit_id,omitempty"` // 首访单位
	ParentNumber string    `json:"handed_down_number,omitempty"`

	// Files are attached to the item in its registering transaction (the
	// letter's scan): an item is not registered without them, nor they
	// kept without it. Input only.
	Files []Upload `json:"-"`

	Petitioner    *Petitioner   `json:"petitioner"`            // 主访人
	CoPetitioners []*Petitioner `json:"co_petitioners"`        // 联名
	PersonCount   int           `json:"person_count"`          // 信访人数
	InvolvedCount int           `json:"involved_count"`        // 涉及人数
	Group         bool          `json:"group"`                 // 集体访
	Summary       string        `json:"summary"`               // 概况
	Content       string        `json:"content"`               // 投诉内容
	Request       string        `json:"request"`               // 诉求
	Category      string        `json:"category"`              // 内容分类 code, e.g. "1401"
	Purpose       Purpose       `json:"purpose"`               // 信访目的
	Reason        string        `json:"reason,omitempty"`      // 信访原因
	LocalityID    int64         `json:"locality_id"`           // 问题属地
	Locality      *Unit         `json:"locality,omitempty"`    //
	Accused       string        `json:"accused,omitempty"`     // 被反映人/单位
	System        string        `json:"system,omitempty"`      // 所属系统
	LegalCase     bool          `json:"legal_case"`            // 涉法涉诉
	Urgent        bool          `json:"urgent"`                // 重大紧急
	Anonymous     bool          `json:"anonymous"`             // 匿名
	Threat        bool          `json:"threat"`                // 扬言
	Hot           bool          `json:"hot"`                   // 热点
	Public        bool          `json:"public"`                // 公开
	CrossFlags    string        `json:"cross_flags,omitempty"` // 三跨三分离: comma-separated
	Escalation    Escalation    `json:"escalation,omitempty"`  // 越级: city/province/beijing
	Repeat        bool          `json:"repeat"`                // 重复件
	RepeatOfID    int64         `json:"repeat_of_id,omitempty"`
	RepeatCount   int           `json:"repeat_count"`
	RiskLevel     RiskLevel     `json:"risk_level,omitempty"`
	RiskReason    string        `json:"risk_reason,omitempty"`

	// Derived from events.
	State          State         `json:"state"`
	HandlingUnitID int64         `json:"handling_unit_id,omitempty"`
	HandlingUnit   *Unit         `json:"handling_unit,omitempty"`
	Outcome        Outcome       `json:"outcome,omitempty"`
	DueDate        calendar.Date `json:"due_date,omitzero"` // due date of the running duty clock, YYYY-MM-DD
	SevereDate     calendar.Date `json:"-"`                 // after this date the item is 严重超期
	DueClock       ClockKind     `json:"due_clock,omitempty"`
	Warning        Warning       `json:"warning,omitempty"`
	Clocks         []Clock       `json:"clocks,omitempty"`
	Evaluation     string        `json:"evaluation,omitempty"` // 待评价/已评价/超期未评价 state code
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// Bounds of the head-counts of a petition.
const (
	MaxPersonCount   = 100000   // 信访人数
	MaxInvolvedCount = 10000000 // 涉及人数
)

// Validate checks the registration fields of a petition. It normalises
// whitespace in place. now is used for date plausibility. Every text field
// has a length limit and holds text only (TextProblem).
func (pt *Petition) Validate(now time.Time) error {
	p := Problems{}
	if !pt.Channel.Valid() {
		p.Add("channel", "请选择信访形式")
	}
	if pt.ReceivedAt.IsZero() {
		p.Add("received_at", "请填写收到时间")
	} else if pt.ReceivedAt.After(now.Add(5 * time.Minute)) {
		p.Add("received_at", "收到时间不能晚于现在")
	} else if pt.ReceivedAt.Year() < 1990 {
		p.Add("received_at", "收到时间不合理")
	}
	checkText(p, "summary", &pt.Summary, 200)
	checkText(p, "content", &pt.Content, 20000)
	checkText(p, "request", &pt.Request, MaxNote)
	if pt.Summary == "" {
		p.Add("summary", "概况不能为空")
	}
	if pt.Content == "" {
		p.Add("content", "投诉内容不能为空")
	}
	checkLine(p, "accused", &pt.Accused, MaxLine)
	checkText(p, "risk_reason", &pt.RiskReason, MaxNote)
	// Codes of the dictionaries (storage checks that they exist).
	checkLine(p, "category", &pt.Category, 32)
	checkLine(p, "reason", &pt.Reason, 32)
	checkLine(p, "system", &pt.System, 32)
	if pt.Category == "" {
		p.Add("category", "请选择内容分类")
	}
	if !pt.Purpose.Valid() {
		p.Add("purpose", "请选择信访目的")
	}
	if pt.LocalityID <= 0 {
		p.Add("locality_id", "请选择问题属地")
	}
	if pt.PersonCount <= 0 {
		pt.PersonCount = 1
	} else if pt.PersonCount > MaxPersonCount {
		p.Add("person_count", "信访人数不超过 "+itoa(MaxPersonCount))
	}
	if pt.InvolvedCount > MaxInvolvedCount {
		p.Add("involved_count", "涉及人数不超过 "+itoa(MaxInvolvedCount))
	}
	if pt.InvolvedCount < pt.PersonCount {
		if pt.InvolvedCount != 0 {
			p.Add("involved_count", "涉及人数不能少于信访人数")
		}
		pt.InvolvedCount = pt.PersonCount
	}
	if pt.PersonCount >= 5 {
		pt.Group = true // 集体访: five or more people
	}
	if pt.Group && len(pt.CoPetitioners) > 4 {
		p.Add("co_petitioners", "集体访推选代表不超过 5 人（第二十条）")
	}
	checkCount(p, "co_petitioners", len(pt.CoPetitioners), MaxPeople)
	if !pt.Escalation.Valid() {
		p.Add("escalation", "未知的越级层级")
	}
	// 三跨三分离: codes, stored in their canonical order. A label is taken
	// for its code, since the registration page still sends labels.
	if flags, err := ParseCrossFlags(pt.CrossFlags); err != nil {
		p.Add("cross_flags", ErrorFields(err)["cross_flags"])
	} else {
		pt.CrossFlags = JoinCrossFlags(flags)
	}
	if pt.RiskLevel != "" && !pt.RiskLevel.Valid() {
		p.Add("risk_level", "未知的风险等级")
	}
	if pt.Anonymous {
		if pt.Petitioner == nil {
			pt.Petitioner = &Petitioner{Name: "匿名"}
		}
	} else if pt.Petitioner == nil {
		p.Add("petitioner.name", "请填写信访人")
	}
	if pt.Petitioner != nil {
		pt.Petitioner.Validate("petitioner.", now, p)
		if !pt.Anonymous && pt.Petitioner.IDNumber == "" && pt.Petitioner.Phone == "" && pt.Petitioner.OrgCode == "" && pt.Petitioner.Address == "" {
			p.Add("petitioner.phone", "请至少填写证件号码、电话或地址之一（第十九条）")
		}
	}
	for i, c := range pt.CoPetitioners {
		c.Validate("co_petitioners."+itoa(i)+".", now, p)
	}
	return p.Err()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// ClockKind names a statutory clock.
type ClockKind string

const (
	ClockDisposal        ClockKind = "disposal"         // 15 日 处理/告知 第二十二、二十三条
	ClockNotice          ClockKind = "notice"           // 15 日 收到转送后告知是否受理 第二十三条
	ClockObjection       ClockKind = "objection"        // 5 个工作日 异议 第二十三条第三款
	ClockHandling        ClockKind = "handling"         // 60 日 + 延期 ≤30 日 第三十四条
	ClockReviewRequest   ClockKind = "review_request"   // 30 日 申请复查 第三十五条
	ClockReview          ClockKind = "review"           // 30 日 复查意见 第三十五条
	ClockRereviewRequest ClockKind = "rereview_request" // 30 日 申请复核 第三十六条
	ClockRereview        ClockKind = "rereview"         // 30 日 复核意见（听证时间不计）第三十六条
	ClockEvaluation      ClockKind = "evaluation"       // 30 日 评价 (local practice)
)

// Warning is the warning level of a running clock.
type Warning string

const (
	WarnNormal  Warning = "normal"  // 正常
	WarnNear    Warning = "near"    // 临期
	WarnOverdue Warning = "overdue" // 超期
	WarnSevere  Warning = "severe"  // 严重超期
)

// Warnings lists the levels with labels.
var Warnings = []Label{{string(WarnNormal), "正常"}, {string(WarnNear), "临期"}, {string(WarnOverdue), "超期"}, {string(WarnSevere), "严重超期"}}

// Label returns the Chinese label of w.
func (w Warning) Label() string { return labelOf(Warnings, w) }

// Valid reports whether w is a known level.
func (w Warning) Valid() bool { return hasCode(Warnings, w) }

// Clock is the state of one statutory clock of a petition, derived from its
// events. Dates are Asia/Shanghai calendar dates, "YYYY-MM-DD".
type Clock struct {
	Kind         ClockKind     `json:"kind"`
	Label        string        `json:"label"`
	Article      string        `json:"article"`
	Length       int           `json:"length"`   // days, or working days when Workdays
	Workdays     bool          `json:"workdays"` // counted in working days
	Duty         bool          `json:"duty"`     // a duty of the organisation (not a petitioner's window)
	Start        calendar.Date `json:"start"`
	Due          calendar.Date `json:"due"`
	ExtendedDays int           `json:"extended_days,omitempty"`
	PausedDays   int           `json:"paused_days,omitempty"`
	Paused       bool          `json:"paused,omitempty"`
	Running      bool          `json:"running"`
	DoneOn       calendar.Date `json:"done_on,omitzero"`
	OnTime       bool          `json:"on_time,omitempty"`
	Level        Warning       `json:"level,omitempty"`
	SevereAfter  calendar.Date `json:"severe_after,omitzero"`
	Why          []string      `json:"why"`
}

// Event is one step in the history of a petition. Events are append-only
// and chained: Hash covers the event and PrevHash, so an edited or deleted
// event breaks the chain.
type Event struct {
	ID          int64             `json:"id"`
	PetitionID  int64             `json:"petition_id"`
	Seq         int               `json:"seq"`
	Action      Action            `json:"action"`
	From        State             `json:"from"`
	To          State             `json:"to"`
	ActorID     int64             `json:"actor_id"`
	ActorName   string            `json:"actor_name"`
	ActorUnitID int64             `json:"actor_unit_id"`
	At          time.Time         `json:"at"`
	Note        string            `json:"note,omitempty"`
	Data        map[string]string `json:"data,omitempty"`
	PrevHash    string            `json:"prev_hash"`
	Hash        string            `json:"hash"`
}

// ActionInput is a request to apply one action to a petition. Version is
// the version the client read; a different stored version is a conflict.
type ActionInput struct {
	Action  Action            `json:"action"`
	Version int               `json:"version"`
	Note    string            `json:"note,omitempty"`
	Data    map[string]string `json:"data,omitempty"`
	// At is the instant the action happened; zero means now. Staff may
	// back-date a record (e.g. a delivery made on paper yesterday) but
	// never into the future.
	At time.Time `json:"at,omitempty"`
}

// PetitionFilter selects petitions for lists. Zero values mean no filter.
type PetitionFilter struct {
	State      []State   `json:"state,omitempty"`
	UnitID     int64     `json:"unit_id,omitempty"` // registering or handling unit within this subtree
	Channel    Channel   `json:"channel,omitempty"`
	Category   string    `json:"category,omitempty"` // prefix match on the two-level code
	Warning    Warning   `json:"warning,omitempty"`
	From       time.Time `json:"from,omitempty"` // received at ≥
	To         time.Time `json:"to,omitempty"`   // received at <
	Text       string    `json:"q,omitempty"`
	Petitioner int64     `json:"petitioner_id,omitempty"`
	LegalCase  *bool     `json:"legal_case,omitempty"`
	Repeat     *bool     `json:"repeat,omitempty"`
	Open       bool      `json:"open,omitempty"` // only items whose procedure still runs
	// Today is the Shanghai date warning filters are evaluated against;
	// set by the service from its clock.
	Today calendar.Date `json:"-"`
	Sort  string        `json:"sort,omitempty"` // "due" (default for open lists), "received", "-received", "number"

	Offset int `json:"offset,omitempty"`
	Limit  int `json:"limit,omitempty"`
}
