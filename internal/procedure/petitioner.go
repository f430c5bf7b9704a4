package procedure

import (
	"slices"
	"strconv"

	"xinfang"
)

// PetitionerActions are the actions a petitioner takes on the portal
// (网上评价, 网上申请复查/复核): the same rows of the table as staff's, with
// the same states, data and windows, but taken by the petitioner.
var PetitionerActions = []xinfang.Action{xinfang.ActEvaluate, xinfang.ActRequestReview, xinfang.ActRequestRereview}

// ApplyPetitioner checks an action the petitioner takes on the portal and
// returns its event: the state, the data and the guards of the table's
// row, not role and side (r.Actor is the portal's account, which records
// who took it). Errors as Apply's.
func (pr *Procedure) ApplyPetitioner(r Request, lk Lookup) (*xinfang.Event, error) {
	in := r.Input
	if !slices.Contains(PetitionerActions, in.Action) {
		return nil, xinfang.FieldError("action", "信访人不能在网上办理此项："+in.Action.Label())
	}
	t, _ := Find(in.Action)
	p := r.Petition
	if in.Version != p.Version {
		return nil, &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已变更（版本 " + strconv.Itoa(in.Version) + "，当前 " + strconv.Itoa(p.Version) + "），请刷新后重试",
			Fields: map[string]string{"version": "版本已过期"}}
	}
	if !t.allowsState(p.State) {
		return nil, &xinfang.Error{Code: xinfang.ECONFLICT, Message: "信访事项当前为「" + p.State.Label() + "」，不能" + t.Action.Label(),
			Fields: map[string]string{"action": "当前状态不允许此操作"}}
	}
	if r.Actor == nil {
		return nil, xinfang.Errorf(xinfang.EINTERNAL, "portal account missing")
	}
	r.Petitioner = true
	return pr.apply(t, r, lk)
}
