package web

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The JSON API under /api/v1 serves other systems and scripts with the same
// storage services as the pages. It is described by openapi*.json, which a
// test holds to the API routes of routeTable: a route cannot be added
// without documenting it.

// The OpenAPI document is openapi.json plus one openapi_*.json fragment
// per feature (its paths and schemas), merged once at start.
//
//go:embed openapi*.json
var openAPIFS embed.FS

var openAPIDoc = mustMergeOpenAPI(openAPIFS)

// MergeOpenAPI merges the base document with the fragments; the tests use
// it on the files on disk.
func MergeOpenAPI(fsys fs.FS) ([]byte, error) {
	base, err := fs.ReadFile(fsys, "openapi.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	names, _ := fs.Glob(fsys, "openapi_*.json")
	sort.Strings(names)
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(raw, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		mergeInto(doc, frag, "paths")
		if c, ok := frag["components"].(map[string]any); ok {
			dc, _ := doc["components"].(map[string]any)
			if dc == nil {
				dc = map[string]any{}
				doc["components"] = dc
			}
			for k := range c {
				mergeInto(dc, c, k)
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func mergeInto(dst, src map[string]any, key string) {
	s, ok := src[key].(map[string]any)
	if !ok {
		return
	}
	d, _ := dst[key].(map[string]any)
	if d == nil {
		d = map[string]any{}
		dst[key] = d
	}
	for k, v := range s {
		d[k] = v
	}
}

func mustMergeOpenAPI(fsys fs.FS) []byte {
	b, err := MergeOpenAPI(fsys)
	if err != nil {
		panic(err)
	}
	return b
}

func (s *Server) apiHealth(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(openAPIDoc)
	return nil
}

// apiOK is the reply of actions that return nothing else.
type apiOK struct {
	OK bool `json:"ok"`
}

// apiList wraps a list, so that the reply can grow fields later.
type apiList[T any] struct {
	Items []T `json:"items"`
}

// apiQuery reads query parameters, collecting a problem per bad one.
// Unknown parameters are refused, like unknown JSON fields, so that a
// misspelt filter is not silently ignored.
type apiQuery struct {
	v    url.Values
	p    xinfang.Problems
	used map[string]bool
	read url.Values // the values as read, for kept
}

func newAPIQuery(r *http.Request) *apiQuery { return newQuery(r.URL.Query()) }

// newQuery reads the parameters v: a page's query, or the API's.
func newQuery(v url.Values) *apiQuery {
	return &apiQuery{v: v, p: xinfang.Problems{}, used: map[string]bool{}, read: url.Values{}}
}

// kept returns the values read so far, as they were read, but for except:
// the query a page repeats in its links (other pages, export), which
// reads back to the same (a value given twice where one is read is kept
// once, the one read).
func (q *apiQuery) kept(except ...string) url.Values {
	out := url.Values{}
	for k, vs := range q.read {
		if !slices.Contains(except, k) {
			out[k] = slices.Clone(vs)
		}
	}
	return out
}

func (q *apiQuery) str(name string) string {
	q.used[name] = true
	v := strings.TrimSpace(q.v.Get(name))
	if v != "" {
		q.read[name] = []string{v}
	}
	return v
}

// list returns a repeatable parameter; each value may also be a comma list.
func (q *apiQuery) list(name string) []string {
	q.used[name] = true
	var out []string
	for _, v := range q.v[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	if out != nil {
		q.read[name] = out
	}
	return out
}

// number returns a whole number within [lo, hi], or 0 when absent.
func (q *apiQuery) number(name string, lo, hi int) int {
	v := q.str(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		q.p.Add(name, name+" 须为 "+strconv.Itoa(lo)+"–"+strconv.Itoa(hi)+" 之间的整数")
		return 0
	}
	return n
}

// id returns a positive id, or 0 when absent.
func (q *apiQuery) id(name string) int64 {
	v := q.str(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		q.p.Add(name, name+" 须为正整数编号")
		return 0
	}
	return n
}

// boolean returns nil when absent.
func (q *apiQuery) boolean(name string) *bool {
	v := q.str(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.p.Add(name, name+" 须为 true 或 false")
		return nil
	}
	return &b
}

// date returns a Shanghai date, or the zero Date when absent.
func (q *apiQuery) date(name string) calendar.Date {
	v := q.str(name)
	if v == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		q.p.Add(name, err.Error())
	}
	return d
}

// err reports the problems found, and every parameter nobody asked for.
func (q *apiQuery) err() error {
	for k := range q.v {
		if !q.used[k] {
			q.p.Add(fieldName(k), "不认识的查询参数")
		}
	}
	return q.p.Err()
}

// apiInstant reads an instant from JSON input: RFC 3339, or a Shanghai
// local time as an HTML form sends it ("2006-01-02T15:04"), or a date
// (midnight in Shanghai). field names the input in the error.
func apiInstant(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, calendar.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, xinfang.FieldError(field, "时间格式错误，应为 RFC 3339（如 2026-09-25T09:30:00+08:00）或 YYYY-MM-DD")
}

// serveByID answers a GET of record {id}: what find returns, as JSON.
func serveByID[T any](w http.ResponseWriter, r *http.Request, find func(ctx context.Context, id int64) (T, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := find(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// serveListByID answers a GET of the records of {id}: the list find
// returns, as {"items": […]}.
func serveListByID[T any](w http.ResponseWriter, r *http.Request, find func(ctx context.Context, id int64) ([]T, error)) error {
	return serveByID(w, r, func(ctx context.Context, id int64) (apiList[T], error) {
		list, err := find(ctx, id)
		if list == nil {
			list = []T{}
		}
		return apiList[T]{Items: list}, err
	})
}

// serveChange answers a change of record {id}: the JSON body decoded into
// In (unknown fields refused), change made, its result written with status.
func serveChange[In, Out any](w http.ResponseWriter, r *http.Request, status int, change func(ctx context.Context, id int64, in In) (Out, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in In
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	v, err := change(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}
