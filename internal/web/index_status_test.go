package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
)

// TestIndexBuildingNotice: while the search and repeat index is built in
// the background (after an upgrade that adds it), the search page, the
// ledger filtered by text, the registration form, a petition's repeats
// and the watch list say so, and the API answers of search, the text
// filter, the repeat checks and the watch list carry "index"; once the
// build ends they stop saying it and find the older petitions.
func TestIndexBuildingNotice(t *testing.T) {
	e := newRepeatsEnv(t)
	inspector := e.user(t, "jw.inspector", "JW", xinfang.RoleInspector)
	ctx := context.Background()
	// What a database of a version before the index holds: no index rows.
	raw, err := sql.Open("sqlite", sqldb.SQLiteURL(e.DB.DSN))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`DELETE FROM petition_grams`, `DELETE FROM petition_fingerprints`, `DELETE FROM gram_stats`,
		`DELETE FROM search_docs WHERE kind = 'petition'`, `DELETE FROM search_bigrams`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if building, err := e.DB.StartIndexBuild(ctx); err != nil || !building {
		t.Fatalf("StartIndexBuild = %v, %v", building, err)
	}
	const banner = "检索索引正在建立（已完成 0%），结果可能不全"
	pages := []struct {
		who  *apiClient
		path string
	}{
		{e.regA, "/search?q=" + url.QueryEscape("桃树")},
		{e.regA, "/petitions?q=" + url.QueryEscape("桃树")},
		{e.regA, "/petitions/new"},
		{e.regA, e.land1.path()[len("/api/v1"):] + "/repeats"},
		{inspector, "/discipline"},
	}
	apis := []struct {
		who          *apiClient
		method, path string
		body         any
	}{
		{e.regA, "GET", "/api/v1/search?q=" + url.QueryEscape("桃树"), nil},
		{e.regA, "GET", "/api/v1/petitions?q=" + url.QueryEscape("桃树"), nil},
		{e.regA, "GET", e.land1.path() + "/repeats", nil},
		{e.regA, "POST", "/api/v1/repeats/check", map[string]any{"locality_id": e.Units["ZA"].ID, "category": "1401",
			"summary": "再次反映三组征地补偿款差额", "content": "县道拓宽征地每亩少发七千元，桃树补偿没有兑现。"}},
		{inspector, "GET", "/api/v1/discipline/watch", nil},
	}
	type reply struct {
		Total int                  `json:"total"`
		Index *xinfang.IndexStatus `json:"index"`
	}
	check := func(building bool) {
		t.Helper()
		for _, p := range pages {
			status, _, html := p.who.page(t, "GET", p.path, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d", p.path, status)
			}
			if got := strings.Contains(html, banner); got != building {
				t.Errorf("GET %s: shows the banner %v, want %v", p.path, got, building)
			}
		}
		for _, a := range apis {
			r := a.who.do(t, a.method, a.path, a.body)
			if r.Status != http.StatusOK {
				t.Fatalf("%s %s: %s", a.method, a.path, r)
			}
			var out reply
			if err := json.Unmarshal(r.Body, &out); err != nil {
				t.Fatal(err)
			}
			if building && (out.Index == nil || !out.Index.Building || out.Index.Percent != 0) {
				t.Errorf("%s %s during the build: index %+v", a.method, a.path, out.Index)
			}
			if !building && out.Index != nil {
				t.Errorf("%s %s after the build: index %+v", a.method, a.path, out.Index)
			}
		}
		// The ledger unfiltered does not depend on the index.
		_, _, html := e.regA.page(t, "GET", "/petitions", nil)
		if strings.Contains(html, "检索索引正在建立") {
			t.Errorf("the unfiltered ledger shows the banner")
		}
	}
	check(true)
	var before reply
	e.regA.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape("桃树"), nil, &before)
	if before.Total != 0 {
		t.Fatalf("search found %d petitions with no index", before.Total)
	}

	if err := e.DB.BuildIndex(ctx); err != nil {
		t.Fatal(err)
	}
	check(false)
	var after reply
	e.regA.ok(t, http.StatusOK, "GET", "/api/v1/search?q="+url.QueryEscape("桃树"), nil, &after)
	if after.Total != 2 {
		t.Errorf("search after the build found %d petitions, want 2", after.Total)
	}
}

// TestUpgradeIndexesNotice: while database indexes an upgrade added are
// built after the start (the online parts of migrations), the ledger and
// the 工作台 say that lists may be slow, and the API's list carries
// index.indexes; once they are built, neither does.
func TestUpgradeIndexesNotice(t *testing.T) {
	e := newAPIEnv(t, "2026-03-02T09:00")
	reg := e.user(t, "za.reg", "ZA", xinfang.RoleRegistrar)
	raw, err := sql.Open("sqlite", sqldb.SQLiteURL(e.DB.DSN))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// What an upgrade from before migration 0016 leaves after the start:
	// the last four of its statements, four indexes, still to run.
	for _, q := range []string{`DROP INDEX petitions_reg_due`,
		`INSERT INTO migrations_online (name, done) VALUES ('migrations/sqlite/0016_ledger_order_indexes.sql', 10)`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const banner = "系统升级后正在建立数据库索引（还有 4 个）"
	check := func(building bool) {
		t.Helper()
		for _, path := range []string{"/petitions", "/"} {
			status, _, html := reg.page(t, "GET", path, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, status)
			}
			if got := strings.Contains(html, banner); got != building {
				t.Errorf("GET %s: shows the notice %v, want %v", path, got, building)
			}
		}
		var out struct {
			Index *xinfang.IndexStatus `json:"index"`
		}
		reg.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, &out)
		if building && (out.Index == nil || out.Index.Indexes != 4 || out.Index.Building) {
			t.Errorf("the API's list while indexes are built: index %+v, want 4 indexes", out.Index)
		}
		if !building && out.Index != nil {
			t.Errorf("the API's list after: index %+v", out.Index)
		}
	}
	check(true)
	if err := e.DB.BuildOnlineIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'petitions_reg_due'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("petitions_reg_due: %d (%v), want it built", n, err)
	}
	time.Sleep(1100 * time.Millisecond) // the status is read again after a second
	check(false)
}
