package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// TestAttachmentParts: a file goes with an entry of its record — through
// the API (part, part_id) and the page's picker (kind:id) — and the page
// lists it with the entry it belongs to; a 督办单's page takes its
// feedback's files, keeps them with the petition and comes back to
// itself; an entry of another record is refused, naming the field.
func TestAttachmentParts(t *testing.T) {
	e := newAPIEnv(t, "2026-03-02T09:00")
	reg := e.user(t, "za.reg", "ZA", xinfang.RoleRegistrar)
	handler := e.user(t, "za.handler", "ZA", xinfang.RoleHandler)
	sup := e.user(t, "xfj.sup", "XFJ", xinfang.RoleSupervisor)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", e.Units["ZA"].ID, nil))
	q := reg.register(t, registration("2026-03-02T08:40:00+08:00", e.Units["ZA"].ID, nil))
	id := strconv.FormatInt(p.ID, 10)
	var events struct{ Items []xinfang.Event }
	reg.ok(t, http.StatusOK, "GET", p.path()+"/events", nil, &events)
	var others struct{ Items []xinfang.Event }
	reg.ok(t, http.StatusOK, "GET", q.path()+"/events", nil, &others)
	if len(events.Items) == 0 || len(others.Items) == 0 {
		t.Fatalf("events: %+v %+v", events, others)
	}
	ev := strconv.FormatInt(events.Items[0].ID, 10)
	pdf := append([]byte("%PDF-1.4\n"), strings.Repeat("x", 2000)...)

	// The API: part and part_id.
	r := reg.uploadWith(t, p.path()+"/attachments", "登记表.pdf", pdf, true, map[string]string{"part": "event", "part_id": ev})
	var a xinfang.Attachment
	if r.Status != http.StatusCreated {
		t.Fatalf("upload to an event: %s", r)
	}
	r.decode(t, &a)
	if a.Part != xinfang.PartEvent || strconv.FormatInt(a.PartID, 10) != ev {
		t.Errorf("kept as %+v", a)
	}
	// Another item's event, and a kind a petition has not: refused.
	wantError(t, reg.uploadWith(t, p.path()+"/attachments", "x.pdf", pdf, true, map[string]string{"part": "event", "part_id": strconv.FormatInt(others.Items[0].ID, 10)}), http.StatusUnprocessableEntity, "part_id")
	wantError(t, reg.uploadWith(t, p.path()+"/attachments", "x.pdf", pdf, true, map[string]string{"part": "step", "part_id": ev}), http.StatusUnprocessableEntity, "part")
	wantError(t, reg.uploadWith(t, p.path()+"/attachments", "x.pdf", pdf, true, map[string]string{"part": "event", "part_id": "abc"}), http.StatusUnprocessableEntity, "part_id")

	// The page: the picker offers the item's events; a file sent with
	// kind:id is listed with its entry.
	page := string(reg.do(t, "GET", "/petitions/"+id, nil).Body)
	if !strings.Contains(page, `<option value="event:`+ev+`">第 1 条办理记录：登记`) {
		t.Errorf("the picker lacks the register event")
	}
	if r := reg.uploadWith(t, "/petitions/"+id+"/attachments", "回执.pdf", pdf, false, map[string]string{"part": "event:" + ev}); r.Status != http.StatusSeeOther {
		t.Fatalf("page upload: %s", r)
	}
	page = string(reg.do(t, "GET", "/petitions/"+id, nil).Body)
	if n := strings.Count(page, "附于：第 1 条办理记录：登记"); n != 2 {
		t.Errorf("the page lists %d files with the register event, want 2", n)
	}

	// A 督办单 on the petition: its page takes the feedback's files.
	var s struct{ ID int64 }
	sup.ok(t, http.StatusCreated, "POST", "/api/v1/supervisions", map[string]any{"target_unit_id": e.Units["ZA"].ID, "petition_id": p.ID, "requirements": "按期反馈", "deadline": "2026-03-09"}, &s)
	sp := "/supervisions/" + strconv.FormatInt(s.ID, 10)
	spage := string(handler.do(t, "GET", sp, nil).Body)
	if !strings.Contains(spage, `name="part" value="supervision:`+strconv.FormatInt(s.ID, 10)+`"`) || !strings.Contains(spage, `name="back" value="`+sp+`"`) {
		t.Fatalf("the 督办单 page has no upload for its feedback")
	}
	r = handler.uploadWith(t, "/petitions/"+id+"/attachments", "整改报告.pdf", pdf, false, map[string]string{"part": "supervision:" + strconv.FormatInt(s.ID, 10), "back": sp})
	if loc := r.Header.Get("Location"); r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, sp+"?") {
		t.Fatalf("feedback upload: %s, back to %q", r, loc)
	}
	spage = string(handler.do(t, "GET", sp, nil).Body)
	if !strings.Contains(spage, "整改报告.pdf") || strings.Contains(spage, "回执.pdf") {
		t.Errorf("the 督办单 page does not list exactly its feedback's files")
	}
	// A back that is not a 督办单's page is not followed.
	r = reg.uploadWith(t, "/petitions/"+id+"/attachments", "y.pdf", pdf, false, map[string]string{"back": "https://example.com/"})
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/petitions/"+id+"?") {
		t.Errorf("back to %q", loc)
	}
}
