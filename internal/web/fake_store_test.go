package web

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// Handlers need their store, not a database: these run routes of the
// table on a Server whose only store is a fake, with the signed-in user
// put in the request as authenticate would.

var readAt = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

// fakeInbox is an NotificationStore in memory.
type fakeInbox struct {
	items []*xinfang.Notification
}

func (f *fakeInbox) FindNotifications(ctx context.Context, filter xinfang.NotificationFilter) ([]*xinfang.Notification, int, int, error) {
	var out []*xinfang.Notification
	unread := 0
	for _, n := range f.items {
		if !n.Unread() && filter.Unread {
			continue
		}
		out = append(out, n)
	}
	for _, n := range f.items {
		if n.Unread() {
			unread++
		}
	}
	return out, len(out), unread, nil
}

func (f *fakeInbox) MarkAllNotificationsRead(ctx context.Context) (int, error) {
	n := 0
	for _, m := range f.items {
		if m.Unread() {
			m.ReadAt, n = readAt, n+1
		}
	}
	return n, nil
}

func (f *fakeInbox) MarkNotificationRead(ctx context.Context, id int64) (*xinfang.Notification, error) {
	for _, m := range f.items {
		if m.ID == id {
			m.ReadAt = readAt
			return m, nil
		}
	}
	return nil, xinfang.Errorf(xinfang.ENOTFOUND, "消息不存在")
}

func (f *fakeInbox) UnreadCount(ctx context.Context) (int, error) {
	_, _, n, err := f.FindNotifications(ctx, xinfang.NotificationFilter{})
	return n, err
}

// fakePetitions is a PetitionStore that only lists: the filter it was
// asked for is kept. Any other method would panic on the nil interface.
type fakePetitions struct {
	PetitionStore
	filters []xinfang.PetitionFilter
}

func (f *fakePetitions) FindPetitions(ctx context.Context, filter xinfang.PetitionFilter) ([]*xinfang.Petition, int, error) {
	f.filters = append(f.filters, filter)
	p := &xinfang.Petition{ID: 7, Number: "ZA-2026-000007", Summary: "反映拖欠工资问题",
		Petitioner: &xinfang.Petitioner{Name: "张三", IDNumber: "11010519491231002X", Phone: "13812345678"}}
	return []*xinfang.Petition{p}, 1, nil
}

// fakeDirectory is a DirectoryStore with the units and dictionaries a page
// frame needs, all empty.
type fakeDirectory struct {
	DirectoryStore
}

func (fakeDirectory) FindUnits(ctx context.Context) ([]*xinfang.Unit, error) { return nil, nil }
func (fakeDirectory) Dictionary(ctx context.Context, kind xinfang.DictKind) ([]xinfang.DictEntry, error) {
	return nil, nil
}

// serveAs runs a request through the route table as u (nil: anonymous).
func serveAs(s *Server, u *xinfang.User, method, target string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if u != nil {
		r = r.WithContext(xinfang.NewContextWithUser(r.Context(), u))
	}
	w := httptest.NewRecorder()
	s.mux.ServeHTTP(w, r)
	return w
}

func fakeServer(st Stores) *Server {
	return NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

var fakeUser = &xinfang.User{ID: 3, Username: "za_handler", Name: "李承办", UnitID: 2, Roles: []xinfang.Role{xinfang.RoleHandler},
	Unit: &xinfang.Unit{ID: 2, Name: "甲镇", Path: "/1/2/", Kind: xinfang.UnitTown}}

func TestInboxHandlersOnAFakeStore(t *testing.T) {
	inbox := &fakeInbox{items: []*xinfang.Notification{
		{ID: 1, Subject: "督办单 DB-2026-0001", Link: "/supervisions/1"},
		{ID: 2, Subject: "积案已销号", Link: "/cases/4", ReadAt: readAt},
	}}
	s := fakeServer(Stores{Notifications: inbox})

	w := serveAs(s, fakeUser, "GET", "/api/v1/notifications")
	var page apiNotificationPage
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &page) != nil || page.Total != 2 || page.Unread != 1 || page.Limit != 50 {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	if w := serveAs(s, fakeUser, "GET", "/api/v1/notifications?unred=1"); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"unred"`) {
		t.Errorf("misspelt parameter: %d %s", w.Code, w.Body)
	}
	if w := serveAs(s, fakeUser, "POST", "/api/v1/notifications/9/read"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"not_found"`) {
		t.Errorf("unknown message: %d %s", w.Code, w.Body)
	}
	if w := serveAs(s, nil, "GET", "/api/v1/notifications"); w.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d %s", w.Code, w.Body)
	}

	// The inbox page: the frame's unread count and menu come from the same store.
	w = serveAs(s, fakeUser, "GET", "/inbox")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "督办单 DB-2026-0001") || !strings.Contains(w.Body.String(), `id="nav-unread">1<`) {
		t.Fatalf("inbox page: %d\n%s", w.Code, w.Body)
	}
	w = serveAs(s, fakeUser, "POST", "/inbox/1/read")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/inbox" {
		t.Errorf("read: %d %q", w.Code, w.Header().Get("Location"))
	}
	if inbox.items[0].Unread() {
		t.Error("the message is still unread")
	}
}

// The ledger page and GET /api/v1/petitions read their filters with one
// parser: the same query gives storage the same filter, and both refuse
// what it refuses.
func TestPetitionFilterOnAFakeStore(t *testing.T) {
	pets := &fakePetitions{}
	s := fakeServer(Stores{Petitions: pets, Directory: fakeDirectory{}, Notifications: &fakeInbox{}})
	query := "state=registered,handling&unit_id=2&channel=letter&category=05&warning=near&from=2026-03-01&to=2026-03-05&q=%E5%B7%A5%E8%B5%84&open=true&sort=due&legal_case=false"

	w := serveAs(s, fakeUser, "GET", "/api/v1/petitions?"+query)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "110105********002X") {
		t.Fatalf("API: %d %s", w.Code, w.Body)
	}
	if w := serveAs(s, fakeUser, "GET", "/petitions?"+query+"&page=2"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ZA-2026-000007") {
		t.Fatalf("ledger: %d\n%s", w.Code, w.Body)
	}
	if len(pets.filters) != 2 {
		t.Fatalf("filters %d", len(pets.filters))
	}
	api, page := pets.filters[0], pets.filters[1]
	if api.Offset != 0 || api.Limit != apiDefaultLimit || page.Offset != ledgerPageSize || page.Limit != ledgerPageSize {
		t.Errorf("paging: API %d/%d, page %d/%d", api.Offset, api.Limit, page.Offset, page.Limit)
	}
	api.Offset, api.Limit, page.Offset, page.Limit = 0, 0, 0, 0
	a, _ := json.Marshal(api)
	p, _ := json.Marshal(page)
	if string(a) != string(p) || len(api.State) != 2 || api.UnitID != 2 || !api.Open || api.LegalCase == nil {
		t.Errorf("API filter %s, page filter %s", a, p)
	}

	// Refused alike, before storage, with 422 naming the parameter: an
	// unknown parameter, a bad state, a code longer than any, a bad page;
	// on the page with a list of the 工作台 too.
	for _, bad := range []string{"stat=handling", "state=lost", "to=2026-03-01&from=2026-03-05", "category=" + strings.Repeat("0", 33)} {
		field := strings.SplitN(bad, "=", 2)[0]
		if w := serveAs(s, fakeUser, "GET", "/api/v1/petitions?"+bad); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"`+field+`"`) {
			t.Errorf("API %s: %d %s", bad, w.Code, w.Body)
		}
		for _, page := range []string{"/petitions?" + bad, "/petitions?todo=overdue&" + bad} {
			w := serveAs(s, fakeUser, "GET", page)
			if body := html.UnescapeString(w.Body.String()); w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "查询条件有误："+field+": ") && !strings.Contains(body, "；"+field+": ") {
				t.Errorf("ledger %s: %d %s", page, w.Code, regexp.MustCompile(`查询条件有误[^<]*`).FindString(body))
			}
		}
	}
	for _, bad := range []string{"page=abc", "page=0", "todo=everything"} {
		field := strings.SplitN(bad, "=", 2)[0]
		w := serveAs(s, fakeUser, "GET", "/petitions?"+bad)
		if body := html.UnescapeString(w.Body.String()); w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "查询条件有误："+field+": ") {
			t.Errorf("ledger %s: %d %s", bad, w.Code, regexp.MustCompile(`查询条件有误[^<]*`).FindString(body))
		}
	}
	if len(pets.filters) != 2 {
		t.Errorf("storage was asked with a refused filter: %d", len(pets.filters))
	}
}

// cappedPetitions is a PetitionStore whose every list is longer than the
// count limit: storage then reports the limit + 1, xinfang.MaxCount's or
// the request's if lower.
type cappedPetitions struct{ fakePetitions }

func (f *cappedPetitions) FindPetitions(ctx context.Context, filter xinfang.PetitionFilter) ([]*xinfang.Petition, int, error) {
	page, _, err := f.fakePetitions.FindPetitions(ctx, filter)
	limit := xinfang.MaxCount
	if n := xinfang.CountLimitFrom(ctx); n > 0 {
		limit = min(limit, n)
	}
	return page, limit + 1, err
}

func (f *cappedPetitions) FindTodo(ctx context.Context, kind xinfang.TodoKind, offset, limit int) ([]*xinfang.Petition, int, error) {
	return f.FindPetitions(ctx, xinfang.PetitionFilter{})
}

func (f *cappedPetitions) FindOverdue(ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
	return f.FindPetitions(ctx, xinfang.PetitionFilter{})
}

// A count that stopped says so: total_capped and count_capped in the API,
// "1万+" on the ledger, "1000+" on the 工作台, whose lists count to
// xinfang.WorkbenchMaxCount.
func TestCappedCountsOnAFakeStore(t *testing.T) {
	pr := procedure.New(calendar.Default(), procedure.DefaultConfig())
	s := fakeServer(Stores{Petitions: &cappedPetitions{}, Directory: fakeDirectory{}, Notifications: &fakeInbox{},
		Procedure: func(context.Context) *procedure.Procedure { return pr }})
	var page apiPage
	if w := serveAs(s, fakeUser, "GET", "/api/v1/petitions"); w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &page) != nil || page.Total != xinfang.MaxCount || !page.TotalCapped {
		t.Errorf("API list: %d %s", w.Code, w.Body)
	}
	var wb map[string]apiQueue
	if w := serveAs(s, fakeUser, "GET", "/api/v1/workbench"); w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &wb) != nil || len(wb) == 0 {
		t.Fatalf("API workbench: %d %s", w.Code, w.Body)
	}
	for name, q := range wb {
		if q.Count != 0 && (q.Count != xinfang.WorkbenchMaxCount || !q.CountCapped) {
			t.Errorf("workbench %s: count %d, capped %v", name, q.Count, q.CountCapped)
		}
	}
	if !wb["due_soon"].CountCapped || !wb["to_sign"].CountCapped {
		t.Errorf("workbench of a handler: %+v", wb)
	}
	if w := serveAs(s, fakeUser, "GET", "/petitions"); !strings.Contains(html.UnescapeString(w.Body.String()), `<strong id="ledger-total">1万+</strong>`) {
		t.Errorf("ledger: %d %s", w.Code, regexp.MustCompile(`共[^件]*件`).FindString(w.Body.String()))
	}
	if w := serveAs(s, fakeUser, "GET", "/"); !strings.Contains(html.UnescapeString(w.Body.String()), `<span class="card-count">1000+</span>`) {
		t.Errorf("工作台: %d %s", w.Code, regexp.MustCompile(`card-count">[^<]*`).FindString(w.Body.String()))
	}
}
