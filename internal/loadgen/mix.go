package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Register is the registration mix: each client POSTs the registrations
// of its own generator to /api/v1/petitions; a success is a 201 with the
// new petition's number.
func Register(clients []*Client, gens []*Generator) Op {
	return func(ctx context.Context, w int) Outcome {
		var out struct {
			ID     int64  `json:"id"`
			Number string `json:"number"`
		}
		status, body, err := clients[w].Do(ctx, "POST", "/api/v1/petitions", gens[w].Registration(time.Now()), &out)
		if err == nil && (status != 201 || out.ID == 0 || out.Number == "") {
			err = fmt.Errorf("register: status %d without a new petition: %s", status, brief(body))
		}
		return Outcome{Kind: "register", Status: status, Err: err}
	}
}

// ReadKinds are the requests of the read mix, in report order, with the
// path each sends (detail adds a petition id, search a word).
var ReadKinds = []struct{ Name, Path, What string }{
	{"detail", "/api/v1/petitions/", "one petition's detail"},
	{"list", "/api/v1/petitions", "the ledger, default order"},
	{"overdue", "/api/v1/petitions?warning=overdue", "the ledger, overdue items"},
	{"state", "/api/v1/petitions?state=handling", "the ledger, items in handling (办理中)"},
	{"due", "/api/v1/petitions?sort=due", "the ledger sorted by due date"},
	{"workbench", "/api/v1/workbench", "the 工作台"},
	{"search", "/api/v1/search?q=", "full-text search for a common word"},
}

// DefaultMix weighs the read mix: details as often as the lists together.
const DefaultMix = "detail=4,list=1,overdue=1,state=1,due=1,workbench=1,search=1"

// ParseMix reads "kind=weight,…"; a kind left out is not requested.
func ParseMix(s string) ([]string, error) {
	var sched []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, weight, ok := strings.Cut(part, "=")
		if !ok {
			weight = "1"
		}
		n, err := strconv.Atoi(weight)
		if err != nil || n < 0 || n > 100 {
			return nil, fmt.Errorf("-mix: weight of %q must be a whole number 0–100, not %q", name, weight)
		}
		known := false
		for _, k := range ReadKinds {
			known = known || k.Name == name
		}
		if !known {
			return nil, fmt.Errorf("-mix: unknown kind %q (kinds: %s)", name, readKindNames())
		}
		for range n {
			sched = append(sched, name)
		}
	}
	if len(sched) == 0 {
		return nil, errors.New("-mix: no kind with a weight above 0")
	}
	return sched, nil
}

func readKindNames() string {
	var names []string
	for _, k := range ReadKinds {
		names = append(names, k.Name)
	}
	return strings.Join(names, " ")
}

// searchWords are common words of petition content: each matches many items.
var searchWords = []string{"工资", "拆迁", "物业", "噪音", "补偿", "安置", "污染", "工伤", "土地", "违建"}

// PetitionIDs returns up to max ids of petitions c can read, newest first,
// for the detail requests; none is an error, since the mix would then
// measure nothing.
func PetitionIDs(ctx context.Context, c *Client, max int) ([]int64, error) {
	var ids []int64
	for offset := 0; len(ids) < max; offset += 500 {
		var page struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		if _, _, err := c.Do(ctx, "GET", "/api/v1/petitions?sort=-received&limit=500&offset="+strconv.Itoa(offset), nil, &page); err != nil {
			return nil, err
		}
		for _, p := range page.Items {
			ids = append(ids, p.ID)
		}
		if len(page.Items) < 500 {
			break
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("this user can read no petition: register some first (xinfang bench register), load the demo, or log in as another user")
	}
	if len(ids) > max {
		ids = ids[:max]
	}
	return ids, nil
}

// Read is the read mix: worker w walks sched from its own starting point,
// so that every kind runs at once; ids are the petitions whose details it
// asks for.
func Read(clients []*Client, sched []string, ids []int64, seed uint64) Op {
	paths := map[string]string{}
	for _, k := range ReadKinds {
		paths[k.Name] = k.Path
	}
	next := make([]int, len(clients))
	rnds := make([]*rand.Rand, len(clients))
	for w := range clients {
		next[w] = w * len(sched) / max(len(clients), 1)
		rnds[w] = rand.New(rand.NewPCG(seed, uint64(w)))
	}
	return func(ctx context.Context, w int) Outcome {
		kind := sched[next[w]%len(sched)]
		next[w]++
		path := paths[kind]
		switch kind {
		case "detail":
			path += strconv.FormatInt(ids[rnds[w].IntN(len(ids))], 10)
		case "search":
			path += url.QueryEscape(searchWords[rnds[w].IntN(len(searchWords))])
		}
		status, body, err := clients[w].Do(ctx, "GET", path, nil, nil)
		// A list, a search or the 工作台 with no item at all found nothing.
		empty := err == nil && kind != "detail" && !bytes.Contains(body, []byte(`"items":[{`))
		return Outcome{Kind: kind, Status: status, Err: err, Empty: empty}
	}
}
