package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/web"
)

// The 三跨三分离 flags are codes: the API refuses an unknown one naming
// cross_flags and stores codes; /labels and openapi.json list the codes.
func TestCrossFlagsAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	c := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	za := env.Units["ZA"].ID

	r := c.do(t, "POST", "/api/v1/petitions", registration("2026-03-02T08:00:00+08:00", za, map[string]any{"cross_flags": "cross_region,跨省"}))
	if e := wantError(t, r, http.StatusUnprocessableEntity, "cross_flags"); !strings.Contains(e.Error.Fields["cross_flags"], "跨省") {
		t.Errorf("the refusal does not name the flag: %+v", e.Error)
	}
	p := c.register(t, registration("2026-03-02T08:00:00+08:00", za, map[string]any{"cross_flags": "person_household,cross_region"}))
	if p.CrossFlags != "cross_region,person_household" {
		t.Errorf("stored flags %q", p.CrossFlags)
	}

	var labels map[string][]xinfang.Label
	c.ok(t, http.StatusOK, "GET", "/api/v1/labels", nil, &labels)
	if len(labels["cross_flags"]) != len(xinfang.CrossFlags) || labels["cross_flags"][0] != xinfang.CrossFlags[0] {
		t.Errorf("labels cross_flags %v", labels["cross_flags"])
	}

	raw, err := web.MergeOpenAPI(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Enum []string `json:"enum"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, l := range xinfang.CrossFlags {
		codes = append(codes, l.Code)
	}
	if got := doc.Components.Schemas["CrossFlag"].Enum; strings.Join(got, ",") != strings.Join(codes, ",") {
		t.Errorf("openapi CrossFlag enum %v, want %v", got, codes)
	}
}

// The register form posts codes and shows labels; the petition page shows
// the labels.
func TestCrossFlagsPages(t *testing.T) {
	a := newPageApp(t)
	c := a.client(t)
	c.login("a_staff")
	form := c.get("/petitions/new")
	wantPageContains(t, form, "register form", `value="cross_region"`, "> 跨地区</label>", `value="person_matter_household"`, "> 人事户分离</label>")

	f := registrationForm(c.csrf(), validIDNumber("11010519800101123"), a.Units["townA"].ID)
	f["cross_flags"] = []string{"cross_region", "person_household"}
	posted := c.post("/petitions", f)
	wantPageStatus(t, posted, http.StatusSeeOther, "register")
	res := c.get(posted.Location)
	link := regexp.MustCompile(`href="(/petitions/\d+)"`).FindStringSubmatch(res.Body)
	if link == nil {
		t.Fatalf("no link to the petition:\n%s", pageExcerpt(res.Body))
	}
	wantPageContains(t, c.get(link[1]), "petition page", `<dd id="cross-flags">跨地区、人户分离</dd>`)

	f["cross_flags"] = []string{"cross_region", "跨省"}
	f["petitioner.id_number"] = []string{validIDNumber("11010519800101124")}
	bad := c.post("/petitions", f)
	wantPageStatus(t, bad, http.StatusUnprocessableEntity, "unknown flag")
	wantPageContains(t, bad, "unknown flag", "未知的三跨三分离类型：跨省", `value="cross_region" checked`)
}
