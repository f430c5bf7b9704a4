package procedure

import (
	"fmt"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// Config holds the configurable rules (local practice).
type Config struct {
	NearDays       int  // 临期: due within this many days (default 3)
	RollForward    bool // last day on a rest day rolls to the next working day (default true)
	EvaluationDays int  // window for the petitioner's evaluation (default 30)
	// HearingNoticeDays is how many days before a hearing its notice must
	// be served (听证通知, default 7, local practice).
	HearingNoticeDays int
	// JudicialAidCap is the most a 司法救助 decision grants, in yuan
	// (normally 36 × the local average monthly wage of the previous year,
	// a figure set locally); JudicialAidDays the working days a decision
	// takes from the application (default 10).
	JudicialAidCap  int64
	JudicialAidDays int
	// FollowupDays: a replied or concluded item is due for its follow-up
	// visit (跟踪回访) this many days after the reply (default 30);
	// AftercareDays: an aftercare task of a termination is due this many
	// days after it (default 30).
	FollowupDays  int
	AftercareDays int
}

// DefaultConfig returns the rules of procedure.md.
func DefaultConfig() Config {
	return Config{NearDays: 3, RollForward: true, EvaluationDays: 30, HearingNoticeDays: 7, JudicialAidCap: DefaultJudicialAidCap, JudicialAidDays: 10,
		FollowupDays: 30, AftercareDays: 30}
}

// DefaultJudicialAidCap is 36 months of a local average monthly wage of
// 6,000 yuan: the usual ceiling of one 司法救助 decision, until the city
// sets its own figure.
const DefaultJudicialAidCap = 36 * 6000

// Procedure applies the table with a calendar and rules.
type Procedure struct {
	Cal *calendar.Calendar
	Cfg Config
}

// New returns a procedure over cal with cfg.
func New(cal *calendar.Calendar, cfg Config) *Procedure {
	if cfg.NearDays <= 0 {
		cfg.NearDays = 3
	}
	if cfg.EvaluationDays <= 0 {
		cfg.EvaluationDays = 30
	}
	if cfg.HearingNoticeDays <= 0 {
		cfg.HearingNoticeDays = 7
	}
	if cfg.JudicialAidCap <= 0 {
		cfg.JudicialAidCap = DefaultJudicialAidCap
	}
	if cfg.JudicialAidDays <= 0 {
		cfg.JudicialAidDays = 10
	}
	if cfg.FollowupDays <= 0 {
		cfg.FollowupDays = 30
	}
	if cfg.AftercareDays <= 0 {
		cfg.AftercareDays = 30
	}
	return &Procedure{Cal: cal, Cfg: cfg}
}

// ClockDef defines a statutory clock.
type ClockDef struct {
	Kind     xinfang.ClockKind
	Label    string
	Article  string
	Rule     string // the rule in words
	Length   int
	Workdays bool
	Duty     bool
}

// ClockDefs are the clocks of procedure.md.
var ClockDefs = []ClockDef{
	{xinfang.ClockDisposal, "登记后处理/告知", "《信访工作条例》第二十二、二十三条", "信访部门收到信访事项，应当在 15 日内转送、交办或书面告知信访人", 15, false, true},
	{xinfang.ClockNotice, "收到转送后告知是否受理", "《信访工作条例》第二十三条", "有权处理的机关收到信访事项后 15 日内书面告知信访人是否受理", 15, false, true},
	{xinfang.ClockObjection, "异议期", "《信访工作条例》第二十三条第三款", "对转送、交办的事项有异议的，应当自收到之日起 5 个工作日内提出并说明理由", 5, true, false},
	{xinfang.ClockHandling, "办理期限", "《信访工作条例》第三十四条", "信访事项应当自受理之日起 60 日内办结；情况复杂的，经本机关负责人批准可延长不超过 30 日", 60, false, true},
	{xinfang.ClockReviewRequest, "申请复查期限", "《信访工作条例》第三十五条", "信访人对处理意见不服的，可以自收到书面答复之日起 30 日内请求复查", 30, false, false},
	{xinfang.ClockReview, "复查期限", "《信访工作条例》第三十五条", "收到复查请求之日起 30 日内提出复查意见", 30, false, true},
	{xinfang.ClockRereviewRequest, "申请复核期限", "《信访工作条例》第三十六条", "信访人对复查意见不服的，可以自收到书面答复之日起 30 日内请求复核", 30, false, false},
	{xinfang.ClockRereview, "复核期限", "《信访工作条例》第三十六条", "收到复核请求之日起 30 日内提出复核意见，听证所需时间不计算在内", 30, false, true},
	{xinfang.ClockEvaluation, "评价期限", "本地规定", "信访人收到答复后在规定期限内对办理情况作出评价", 30, false, false},
}

// Def returns the definition of kind.
func Def(kind xinfang.ClockKind) (ClockDef, bool) {
	for _, d := range ClockDefs {
		if d.Kind == kind {
			return d, true
		}
	}
	return ClockDef{}, false
}

func (pr *Procedure) def(kind xinfang.ClockKind) ClockDef {
	d, _ := Def(kind)
	if kind == xinfang.ClockEvaluation {
		d.Length = pr.Cfg.EvaluationDays
	}
	return d
}

// Calculation is the answer of the deadline calculator.
type Calculation struct {
	Clock   ClockDef             `json:"clock"`
	Start   calendar.Date        `json:"start"`
	Due     calendar.Date        `json:"due"`
	Extra   int                  `json:"extra_days,omitempty"`
	Why     []string             `json:"why"`
	Detail  calendar.Explanation `json:"detail"`
	Warning xinfang.Warning      `json:"warning"`
}

// Calculate gives the due date of clock kind started at instant start, with
// extra days (an extension or paused hearing time) added, and the warning
// level it has on today.
func (pr *Procedure) Calculate(kind xinfang.ClockKind, start time.Time, extra int, today calendar.Date) (Calculation, error) {
	d, ok := Def(kind)
	if !ok {
		return Calculation{}, xinfang.FieldError("clock", "未知的期限种类："+string(kind))
	}
	d = pr.def(kind)
	if extra < 0 || extra > 366 {
		return Calculation{}, xinfang.FieldError("extra_days", "附加天数须在 0–366 之间")
	}
	sd := calendar.DateOf(start)
	// For 复核 the extra days are hearing time, which the clock does not
	// count (第三十六条); elsewhere they are an approved extension. Said
	// apart so that the explanation does not call a hearing an extension.
	extended, paused := extra, 0
	if kind == xinfang.ClockRereview {
		extended, paused = 0, extra
	}
	c := pr.clock(d, sd, extended, paused)
	level, _ := pr.level(c, d, today)
	why := []string{d.Article + "：" + d.Rule, fmt.Sprintf("起算时刻 %s（北京时间），对应日期 %s", start.In(calendar.Location()).Format("2006-01-02 15:04"), sd)}
	why = append(why, c.exp.Steps...)
	return Calculation{Clock: d, Start: sd, Due: c.due, Extra: extra, Why: why, Detail: c.exp, Warning: level}, nil
}

type clockCalc struct {
	due    calendar.Date
	severe calendar.Date
	exp    calendar.Explanation
}

func (pr *Procedure) clock(d ClockDef, start calendar.Date, extended, paused int) clockCalc {
	var c clockCalc
	if d.Workdays {
		c.exp = pr.Cal.DueAfterWorkdays(start, d.Length+extended+paused)
		c.due = c.exp.Due
	} else {
		c.exp = pr.Cal.DueAfterDays(start, d.Length+extended+paused, pr.Cfg.RollForward)
		c.due = c.exp.Due
		if extended > 0 {
			c.exp.Steps = append([]string{fmt.Sprintf("法定 %d 日，经批准延长 %d 日，共 %d 日", d.Length, extended, d.Length+extended)}, c.exp.Steps...)
		}
		if paused > 0 {
			c.exp.Steps = append([]string{fmt.Sprintf("听证等中止期间 %d 日不计入", paused)}, c.exp.Steps...)
		}
	}
	c.severe = SevereAfter(pr.Cal, c.due, d.Length, d.Workdays)
	return c
}

// level is the warning level of a running clock on today (warningAt).
func (pr *Procedure) level(c clockCalc, d ClockDef, today calendar.Date) (xinfang.Warning, calendar.Date) {
	return pr.warningAt(c.due, c.severe, today), c.severe
}

// warningAt is the warning level on today of a clock due on due that is
// 严重超期 after severe (SevereAfter): 严重超期, 超期 past due, 临期 within
// NearDays of due, else 正常.
func (pr *Procedure) warningAt(due, severe, today calendar.Date) xinfang.Warning {
	switch {
	case today.After(severe):
		return xinfang.WarnSevere
	case today.After(due):
		return xinfang.WarnOverdue
	case due.Sub(today) <= pr.Cfg.NearDays:
		return xinfang.WarnNear
	}
	return xinfang.WarnNormal
}

// WarningOf returns the level on today of a projection's due and severe
// dates: "" when nothing runs (no due date), never 严重超期 without a
// severe date.
func (pr *Procedure) WarningOf(due, severe, today calendar.Date) xinfang.Warning {
	if due.IsZero() {
		return ""
	}
	if severe.IsZero() {
		severe = calendar.MakeDate(9999, 12, 31)
	}
	return pr.warningAt(due, severe, today)
}
