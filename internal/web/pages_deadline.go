package web

import (
	"net/http"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

type deadlineView struct {
	base
	Clocks []procedure.ClockDef
	Clock  string
	Start  string
	Extra  string
	Result *procedure.Calculation
}

// handleDeadline is the 期限计算器: it renders the answer on the server from
// the query, so it works without JavaScript and its URL can be shared.
func (s *Server) handleDeadline(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := &deadlineView{Clocks: procedure.ClockDefs, Clock: q.Get("clock"), Start: strings.TrimSpace(q.Get("start")), Extra: strings.TrimSpace(q.Get("extra"))}
	v.Title, v.Nav = "期限计算器", "deadline"
	s.fillBase(r, &v.base)
	if v.Clock == "" && v.Start == "" {
		v.Clock = string(xinfang.ClockHandling)
		v.Start = s.Now().In(calendar.Location()).Format("2006-01-02T15:04")
		return s.render(w, r, http.StatusOK, "deadline.html", v)
	}
	probs := xinfang.Problems{}
	start, ok := parseLocal(v.Start)
	if !ok {
		probs.Add("start", "起算时间格式错误，应为日期或日期时间")
	}
	extra, ok := formInt(v.Extra)
	if !ok {
		probs.Add("extra_days", "附加天数须为整数")
	}
	err := probs.Err()
	if err == nil {
		var c procedure.Calculation
		c, err = s.Procedure(r.Context()).Calculate(xinfang.ClockKind(v.Clock), start, extra, s.today())
		if err == nil {
			v.Result = &c
		}
	}
	status := http.StatusOK
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		v.Error, v.Fields, status = "无法计算，请按提示更正。", xinfang.ErrorFields(err), http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "deadline.html", v)
}
