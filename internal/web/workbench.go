package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"xinfang"
	"xinfang/internal/procedure"
)

// The 工作台 (workbench) is computed once, here, for the page / and for
// GET /api/v1/workbench, and the ledger's ?todo= pages through the same
// lists: what waits for the user's own unit, and the items in the user's
// scope whose clock is near, past or far past its due date. A list shows
// only to users whose roles make it their business.

// workList is one list of the workbench.
type workList struct {
	Key   string // the page's card and the ledger's ?todo=
	JSON  string // its name in GET /api/v1/workbench
	Label string
	// applies reports whether the list is u's business.
	applies func(u *xinfang.User) bool
	find    func(s *Server, ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error)
}

// mayTake is a list of items waiting for action: the business of the
// roles the procedure lets take it (a registrar has nothing to sign for, a
// leader nothing to answer).
func mayTake(action xinfang.Action) func(u *xinfang.User) bool {
	t, ok := procedure.Find(action)
	if !ok {
		panic("web: no transition " + string(action))
	}
	return func(u *xinfang.User) bool { return u.HasAny(t.Roles...) }
}

// inScope is a list of the warnings: the business of the staff who work
// the petitions of their scope — registrars, handlers and unit heads.
// Leaders, supervisors and inspectors read the same items but act on them
// otherwise: their desks are in workbench_roles.go (admin, auditor and the
// outside roles see no petition at all).
func inScope(u *xinfang.User) bool {
	return !xinfang.ScopeOf(u).None && u.HasAny(xinfang.RoleRegistrar, xinfang.RoleHandler, xinfang.RoleUnitHead)
}

func todo(kind xinfang.TodoKind) func(s *Server, ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
	return func(s *Server, ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
		return s.Petitions.FindTodo(ctx, kind, offset, limit)
	}
}

func warned(w xinfang.Warning) func(s *Server, ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
	return func(s *Server, ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
		return s.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Warning: w, Open: true, Sort: "due", Offset: offset, Limit: limit})
	}
}

// workLists are the lists of the workbench in their order.
var workLists = []workList{
	{Key: string(xinfang.TodoSign), JSON: "to_sign", Label: xinfang.TodoSign.Label(), applies: mayTake(xinfang.ActSign), find: todo(xinfang.TodoSign)},
	{Key: string(xinfang.TodoAccept), JSON: "to_accept", Label: xinfang.TodoAccept.Label(), applies: mayTake(xinfang.ActAccept), find: todo(xinfang.TodoAccept)},
	{Key: string(xinfang.TodoReply), JSON: "to_reply", Label: xinfang.TodoReply.Label(), applies: mayTake(xinfang.ActReply), find: todo(xinfang.TodoReply)},
	{Key: string(xinfang.WarnNear), JSON: "due_soon", Label: "临期", applies: inScope, find: warned(xinfang.WarnNear)},
	// 超期 is every open item past its due date, 严重超期 included, as the
	// API has always listed it; 严重超期 is also a list of its own.
	{Key: string(xinfang.WarnOverdue), JSON: "overdue", Label: "超期", applies: inScope,
		find: func(s *Server, ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
			return s.Petitions.FindOverdue(ctx, offset, limit)
		}},
	{Key: string(xinfang.WarnSevere), JSON: "severe", Label: "严重超期", applies: inScope, find: warned(xinfang.WarnSevere)},
}

// findWorkList returns the list of key.
func findWorkList(key string) (*workList, bool) {
	for i := range workLists {
		if workLists[i].Key == key {
			return &workLists[i], true
		}
	}
	return nil, false
}

// workbenchSize is how many items each list shows, on the page and in the API.
const workbenchSize = 10

// workQueue is one list of a user's workbench: how many, and the first few.
type workQueue struct {
	*workList
	Applies bool // the list is the user's business; else it is empty
	Hint    string
	Href    string // the whole list in the ledger
	Count   int    // up to xinfang.WorkbenchMaxCount, or one more for more
	Items   []*xinfang.Petition
}

// CountText is the list's count as the page shows it.
func (q *workQueue) CountText() string {
	return xinfang.CountLabelTo(q.Count, xinfang.WorkbenchMaxCount)
}

// workbench computes the workbench of the signed-in user: every list, with
// the ones that are not the user's business left empty.
func (s *Server) workbench(r *http.Request) ([]*workQueue, error) {
	// The lists count to the 工作台's limit; the whole list in the ledger
	// (?todo=) counts to the ledger's.
	ctx := xinfang.NewContextWithCountLimit(r.Context(), xinfang.WorkbenchMaxCount)
	u := xinfang.UserFromContext(ctx)
	hints := map[string]string{
		string(xinfang.TodoSign):    "转送、交办到本单位，尚未签收",
		string(xinfang.TodoAccept):  "已签收或本单位直接登记，尚未受理或处理",
		string(xinfang.TodoReply):   "已受理，正在办理，尚未答复",
		string(xinfang.WarnNear):    "期限将在 " + strconv.Itoa(s.Procedure(ctx).Cfg.NearDays) + " 日内届满",
		string(xinfang.WarnOverdue): "已超过法定期限（含严重超期）",
		string(xinfang.WarnSevere):  "超期超过一个法定期限",
	}
	// The lists are read WorkbenchReadsAtOnce at a time, each its own
	// read: the page waits for the slowest of each pair, not for their
	// sum.
	out := make([]*workQueue, len(workLists))
	errs := make([]error, len(workLists))
	var wg sync.WaitGroup
	reads := make(chan struct{}, xinfang.WorkbenchReadsAtOnce)
	for i := range workLists {
		l := &workLists[i]
		q := &workQueue{workList: l, Applies: l.applies(u), Hint: hints[l.Key], Href: "/petitions?todo=" + l.Key, Items: []*xinfang.Petition{}}
		out[i] = q
		if !q.Applies {
			continue
		}
		wg.Go(func() {
			reads <- struct{}{}
			defer func() { <-reads }()
			items, n, err := l.find(s, ctx, 0, workbenchSize)
			if err != nil {
				errs[i] = err
				return
			}
			q.Items, q.Count = items, n
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
