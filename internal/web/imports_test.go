package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"xinfang"
)

// TestImportAPI: the bureau's registrar uploads a CSV through the API,
// waits for the check, commits, waits for the commit and finds the item
// under its number; the template downloads as a workbook; a town's
// registrar may not import.
func TestImportAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	town := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	csv := "原编号,收到日期,信访形式,信访人,身份证号,联系电话,通讯地址,信访人数,概况,投诉内容,诉求,内容分类,信访目的,问题属地,登记单位,状态,承办单位,状态日期,处理结果,涉法涉诉\n" +
		"API-2025-1,2025-12-01,来访,孙导入,,13700137000,甲镇某村,1,反映道路损坏,村道损坏多处。,维修,0501,建议意见,甲镇,,待签收,ZA,2026-02-25,,否\n"

	wait := func(id int64, running xinfang.ImportState) xinfang.Import {
		t.Helper()
		var got struct {
			Import   xinfang.Import
			Problems []xinfang.ImportProblem
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			reg.ok(t, http.StatusOK, "GET", "/api/v1/imports/"+strconv.FormatInt(id, 10), nil, &got)
			if got.Import.State != running {
				return got.Import
			}
		}
		t.Fatalf("import %d still %s", id, running)
		return got.Import
	}

	if r := town.upload(t, "/api/v1/imports", "a.csv", []byte(csv), true); r.Status != http.StatusForbidden {
		t.Errorf("a town's registrar imports: %s", r)
	}
	r := reg.upload(t, "/api/v1/imports", "台账.csv", []byte(csv), true)
	var im xinfang.Import
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %s", r)
	}
	r.decode(t, &im)
	if got := wait(im.ID, xinfang.ImportChecking); got.State != xinfang.ImportReady || got.New != 1 {
		t.Fatalf("checked: %+v", got)
	}
	reg.ok(t, http.StatusOK, "POST", "/api/v1/imports/"+strconv.FormatInt(im.ID, 10)+"/commit", nil, nil)
	if got := wait(im.ID, xinfang.ImportCommitting); got.State != xinfang.ImportDone || got.New != 1 {
		t.Fatalf("committed: %+v", got)
	}
	wantError(t, reg.do(t, "POST", "/api/v1/imports/"+strconv.FormatInt(im.ID, 10)+"/commit", nil), http.StatusConflict, "")
	regUser, err := env.DB.Directory.FindUserByID(context.Background(), reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.DB.Petitions.FindPetitionByNumber(xinfang.NewContextWithUser(context.Background(), regUser), "API-2025-1")
	if err != nil || p.State != xinfang.StatePendingSign || p.HandlingUnitID != env.Units["ZA"].ID {
		t.Fatalf("imported item: %+v, %v", p, err)
	}
	// The town signs for it: it goes on through the procedure.
	zh := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	signed := zh.act(t, petitionView{Petition: *p}, xinfang.ActSign, nil)
	if signed.State != xinfang.StateSigned {
		t.Errorf("signed: %s", signed.State)
	}

	tr := reg.do(t, "GET", "/api/v1/imports/template?kind=cases", nil)
	if tr.Status != http.StatusOK || !strings.HasPrefix(string(tr.Body), "PK") || !strings.Contains(tr.Header.Get("Content-Disposition"), "import-cases.xlsx") {
		t.Errorf("template: %d %s", tr.Status, tr.Header.Get("Content-Disposition"))
	}
	wantError(t, reg.do(t, "GET", "/api/v1/imports/template?kind=letters", nil), http.StatusUnprocessableEntity, "kind")
}
