package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/web"
)

var (
	homeListRE = regexp.MustCompile(`(?s)<section class="box" id="list-(\w+)">(.*?)</section>`)
	petLinkRE  = regexp.MustCompile(`<a href="/petitions/(\d+)">`)
)

// homeLists returns the items of every list on the home page, by key.
func homeLists(body string) map[string][]int64 {
	out := map[string][]int64{}
	for _, m := range homeListRE.FindAllStringSubmatch(body, -1) {
		ids := []int64{}
		for _, l := range petLinkRE.FindAllStringSubmatch(m[2], -1) {
			id, _ := strconv.ParseInt(l[1], 10, 64)
			ids = append(ids, id)
		}
		out[m[1]] = ids
	}
	return out
}

// The page / and GET /api/v1/workbench are one computation: for every
// role, the same lists with the same counts and items; a list that is not
// the role's business is absent from the page and empty in the API.
func TestWorkbenchPageMatchesAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-01-05T18:00")
	users := roleUsers(t, env)
	by := map[string]*apiClient{}
	for _, u := range users {
		by[u.Name] = u.C
	}
	za := env.Units["ZA"].ID
	// 待受理 at the town, left to run late; 待答复; 待签收 sent by the bureau.
	late := by["handler"].register(t, registration("2026-01-05T09:00:00+08:00", za, nil))
	handling := by["handler"].register(t, registration("2026-01-05T10:00:00+08:00", za, map[string]any{"summary": "反映噪音扰民问题"}))
	by["handler"].act(t, handling, xinfang.ActAccept, nil)
	sent := by["bureau_registrar"].register(t, registration("2026-01-05T11:00:00+08:00", za, map[string]any{"summary": "反映征地补偿问题"}))
	by["bureau_registrar"].act(t, sent, xinfang.ActTransfer, map[string]any{"unit_id": za})
	env.setNow(t, "2026-03-03T09:00")
	by["handler"].register(t, registration("2026-03-03T08:00:00+08:00", za, map[string]any{"summary": "反映物业服务问题"}))
	_ = late

	keys := map[string]string{"to_sign": "sign", "to_accept": "accept", "to_reply": "reply", "due_soon": "near", "overdue": "overdue", "severe": "severe"}
	shown := 0
	for _, u := range users {
		t.Run(u.Name, func(t *testing.T) {
			var wb map[string]struct {
				Label string
				Count int
				Items []xinfang.Petition
			}
			u.C.ok(t, http.StatusOK, "GET", "/api/v1/workbench", nil, &wb)
			if len(wb) != len(keys) {
				t.Errorf("workbench lists %d, want %d", len(wb), len(keys))
			}
			home := u.C.do(t, "GET", "/", nil)
			if home.Status != http.StatusOK {
				t.Fatalf("home: %s", home)
			}
			cards := homeCards(pageResp{Body: string(home.Body)})
			lists := homeLists(string(home.Body))
			for name, key := range keys {
				q := wb[name]
				n, onPage := cards[key]
				if !onPage {
					if q.Count != 0 || len(q.Items) != 0 {
						t.Errorf("%s: not on the page, but the API has %d", name, q.Count)
					}
					continue
				}
				shown++
				if n != q.Count {
					t.Errorf("%s: page %d, API %d", name, n, q.Count)
				}
				var ids []int64
				for _, p := range q.Items {
					ids = append(ids, p.ID)
				}
				if toString(ids) != toString(lists[key]) {
					t.Errorf("%s: page lists %v, API %v", name, lists[key], ids)
				}
			}
			if len(cards) != len(lists) {
				t.Errorf("cards %v, lists %v", cards, lists)
			}
		})
	}
	if shown == 0 {
		t.Fatal("no role has a list")
	}

	// The town handler has every kind of work; the city leader, whose
	// scope holds the same items, works none of them: no 待答复 and no
	// petition warnings (his desk is his cases, 督办 and 批示).
	var wb map[string]struct{ Count int }
	by["handler"].ok(t, http.StatusOK, "GET", "/api/v1/workbench", nil, &wb)
	if wb["to_sign"].Count != 1 || wb["to_accept"].Count != 2 || wb["to_reply"].Count != 1 || wb["overdue"].Count == 0 {
		t.Errorf("town handler: %+v", wb)
	}
	cards := homeCards(pageResp{Body: string(by["leader"].do(t, "GET", "/", nil).Body)})
	if _, ok := cards["reply"]; ok {
		t.Errorf("the leader has 待答复: %v", cards)
	}
	if _, ok := cards["overdue"]; ok {
		t.Errorf("the leader has 超期: %v", cards)
	}
	by["leader"].ok(t, http.StatusOK, "GET", "/api/v1/workbench", nil, &wb)
	if wb["to_reply"].Count != 0 || wb["overdue"].Count != 0 {
		t.Errorf("leader: %+v", wb)
	}
}

// readsAtOnce is a PetitionStore whose lists count how many of them run
// at the same time. Each waits (up to a second) for another to come in,
// then a little more, so that reads allowed to overlap do, however slowly
// their goroutines start.
type readsAtOnce struct {
	web.PetitionStore
	mu        sync.Mutex
	now, most int
	calls     int
}

func (r *readsAtOnce) enter() func() {
	r.mu.Lock()
	r.now++
	r.calls++
	r.most = max(r.most, r.now)
	r.mu.Unlock()
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		two := r.now >= 2
		r.mu.Unlock()
		if two {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	return func() {
		r.mu.Lock()
		r.now--
		r.mu.Unlock()
	}
}

func (r *readsAtOnce) FindTodo(ctx context.Context, kind xinfang.TodoKind, offset, limit int) ([]*xinfang.Petition, int, error) {
	defer r.enter()()
	return r.PetitionStore.FindTodo(ctx, kind, offset, limit)
}

func (r *readsAtOnce) FindPetitions(ctx context.Context, f xinfang.PetitionFilter) ([]*xinfang.Petition, int, error) {
	defer r.enter()()
	return r.PetitionStore.FindPetitions(ctx, f)
}

func (r *readsAtOnce) FindOverdue(ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
	defer r.enter()()
	return r.PetitionStore.FindOverdue(ctx, offset, limit)
}

// The 工作台's six lists are read xinfang.WorkbenchReadsAtOnce at a time:
// never more at once, and not one after the other either.
func TestWorkbenchReadsTwoListsAtATime(t *testing.T) {
	t.Parallel()
	watch := &readsAtOnce{}
	env := newAPIEnvWith(t, openTestDB(t), "2026-01-05T18:00", func(st *web.Stores) {
		watch.PetitionStore = st.Petitions
		st.Petitions = watch
	})
	var handler *apiClient
	for _, u := range roleUsers(t, env) {
		if u.Name == "handler" {
			handler = u.C
		}
	}
	var wb map[string]struct{ Count int }
	handler.ok(t, http.StatusOK, "GET", "/api/v1/workbench", nil, &wb)
	watch.mu.Lock()
	defer watch.mu.Unlock()
	if watch.calls != 6 || watch.most != xinfang.WorkbenchReadsAtOnce {
		t.Errorf("the town handler's 工作台: %d lists read, at most %d at once; want 6, %d at once", watch.calls, watch.most, xinfang.WorkbenchReadsAtOnce)
	}
}
