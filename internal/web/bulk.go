package web

import (
	"net/http"
	"strconv"
	"strings"

	"xinfang"
)

// Bulk 签收 and 转送 from the ledger: the items ticked on the page, each
// still its own action through the procedure (Petitions.Act: its own
// event, its own checks of role, side, state and scope), one after
// another; the answer says for each what happened. A failure of one item
// leaves the others as they went.

// bulkActions are the actions the ledger takes for many items at once.
var bulkActions = []xinfang.Action{xinfang.ActSign, xinfang.ActTransfer}

// bulkMax bounds the items of one bulk action: a ledger page's worth.
const bulkMax = 200

// bulkStaff are the roles the ledger offers its bulk actions to: the
// handlers and heads who sign for items, and the registrars and heads who
// route them (the procedure's table decides each item).
func bulkStaff(u *xinfang.User) bool {
	return u.HasAny(xinfang.RoleRegistrar, xinfang.RoleHandler, xinfang.RoleUnitHead)
}

// Bulk reports whether the ledger shows its bulk actions to the user.
func (v *ledgerView) Bulk() bool { return v.User != nil && bulkStaff(v.User) && len(v.Items) > 0 }

// BulkSign and BulkTransfer say which of the bulk actions the ledger
// offers the user: 签收 to handlers and heads, 转送 to registrars and heads
// (the roles of the procedure's table; it still decides each item).
func (v *ledgerView) BulkSign() bool {
	return v.User != nil && v.User.HasAny(xinfang.RoleHandler, xinfang.RoleUnitHead)
}

func (v *ledgerView) BulkTransfer() bool {
	return v.User != nil && v.User.HasAny(xinfang.RoleRegistrar, xinfang.RoleUnitHead)
}

// BulkResult is what became of one item of a bulk action.
type BulkResult struct {
	ID      int64         `json:"id"`
	Number  string        `json:"number,omitempty"`
	OK      bool          `json:"ok"`
	State   xinfang.State `json:"state,omitempty"` // after the action, when it was taken
	Message string        `json:"message,omitempty"`
}

// bulkInput is a bulk action as the form and the API give it.
type bulkInput struct {
	Action xinfang.Action `json:"action"`
	IDs    []int64        `json:"ids"`
	UnitID int64          `json:"unit_id,omitempty"` // 转送: the unit
	Note   string         `json:"note,omitempty"`
}

func (in *bulkInput) check() error {
	p := xinfang.Problems{}
	known := false
	for _, a := range bulkActions {
		known = known || a == in.Action
	}
	if !known {
		p.Add("action", "批量操作仅限签收（sign）和转送（transfer）")
	}
	seen := map[int64]bool{}
	ids := in.IDs[:0:0]
	for _, id := range in.IDs {
		if id > 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	in.IDs = ids
	switch {
	case len(ids) == 0:
		p.Add("ids", "请勾选信访件")
	case len(ids) > bulkMax:
		p.Add("ids", "一次至多 "+strconv.Itoa(bulkMax)+" 件")
	}
	if in.Action == xinfang.ActTransfer && in.UnitID <= 0 {
		p.Add("unit_id", "转送须选择承办单位")
	}
	return p.Err()
}

// bulkAct takes in.Action on each item in turn, at the version it has
// when its turn comes.
func (s *Server) bulkAct(r *http.Request, in bulkInput) []BulkResult {
	ctx := r.Context()
	out := make([]BulkResult, 0, len(in.IDs))
	for _, id := range in.IDs {
		res := BulkResult{ID: id}
		p, err := s.Petitions.FindPetitionByID(ctx, id)
		if err == nil {
			res.Number = p.Number
			act := xinfang.ActionInput{Action: in.Action, Version: p.Version, Note: in.Note, Data: map[string]string{}}
			if in.Action == xinfang.ActTransfer {
				act.Data["unit_id"] = strconv.FormatInt(in.UnitID, 10)
			}
			p, err = s.Petitions.Act(ctx, id, act)
		}
		if err != nil {
			if xinfang.ErrorCode(err) == xinfang.EINTERNAL {
				s.Logger.Error("bulk action", "action", in.Action, "petition", id, "err", err)
			}
			res.Message = xinfang.ErrorMessage(err)
			if f := xinfang.ErrorFields(err); len(f) > 0 {
				var parts []string
				for _, m := range f {
					parts = append(parts, m)
				}
				res.Message = strings.Join(parts, "；")
			}
		} else {
			res.OK, res.State = true, p.State
		}
		out = append(out, res)
	}
	return out
}

type bulkView struct {
	base
	Action  xinfang.Action
	Results []BulkResult
	Done    int
	Failed  int
}

// handleBulk takes the ledger's bulk action and shows what became of each
// item.
func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	in := bulkInput{Action: xinfang.Action(f.Get("action")), Note: strings.TrimSpace(f.Get("note"))}
	probs := xinfang.Problems{}
	for _, v := range f["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			probs.Add("ids", "信访件编号有误")
			continue
		}
		in.IDs = append(in.IDs, id)
	}
	if v := f.Get("unit_id"); v != "" {
		var err error
		if in.UnitID, err = strconv.ParseInt(v, 10, 64); err != nil {
			probs.Add("unit_id", "承办单位有误")
		}
	}
	err := probs.Err()
	if err == nil {
		err = in.check()
	}
	if err != nil {
		return err
	}
	v := &bulkView{Action: in.Action, Results: s.bulkAct(r, in)}
	for _, res := range v.Results {
		if res.OK {
			v.Done++
		} else {
			v.Failed++
		}
	}
	v.Title, v.Nav = "批量"+in.Action.Label(), "ledger"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "bulk_result.html", v)
}

// apiBulk is POST /api/v1/petitions/bulk.
func (s *Server) apiBulk(w http.ResponseWriter, r *http.Request) error {
	var in bulkInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": s.bulkAct(r, in)})
	return nil
}
