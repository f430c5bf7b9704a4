package web

import (
	"net/http"
	"strconv"

	"xinfang"
)

// homeList is one box of the 工作台: a count, the first few items and the
// ledger link that shows them all.
type homeList struct {
	Key   string
	Label string
	Hint  string
	Total int
	Items []*xinfang.Petition
	Href  string
}

type homeView struct {
	base
	Lists    []*homeList
	CanEnter bool
}

const homeListSize = 5

// handleHome is the 工作台: what waits for the user's unit (待签收, 待受理,
// 待答复) and the items in the user's scope whose clock is near or past due.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := &homeView{CanEnter: xinfang.CanRegister(xinfang.UserFromContext(ctx))}
	v.Title, v.Nav = "工作台", "home"
	s.fillBase(r, &v.base)
	hints := map[string]string{
		xinfang.TodoSign:   "转送、交办到本单位，尚未签收",
		xinfang.TodoAccept: "已签收或本单位直接登记，尚未受理或处理",
		xinfang.TodoReply:  "已受理，正在办理，尚未答复",
	}
	for _, l := range xinfang.TodoLabels {
		items, total, err := s.Petitions.FindTodo(ctx, l.Code, 0, homeListSize)
		if err != nil {
			return err
		}
		v.Lists = append(v.Lists, &homeList{Key: l.Code, Label: l.Label, Hint: hints[l.Code], Total: total, Items: items, Href: "/petitions?todo=" + l.Code})
	}
	for _, wl := range []struct {
		w    xinfang.Warning
		hint string
	}{
		{xinfang.WarnNear, "期限将在 " + strconv.Itoa(s.Procedure(r.Context()).Cfg.NearDays) + " 日内届满"},
		{xinfang.WarnOverdue, "已超过法定期限"},
		{xinfang.WarnSevere, "超期超过一个法定期限"},
	} {
		items, total, err := s.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Warning: wl.w, Open: true, Sort: "due", Limit: homeListSize})
		if err != nil {
			return err
		}
		v.Lists = append(v.Lists, &homeList{Key: string(wl.w), Label: wl.w.Label(), Hint: wl.hint, Total: total, Items: items, Href: "/petitions?open=1&sort=due&warning=" + string(wl.w)})
	}
	return s.render(w, r, http.StatusOK, "home.html", v)
}
