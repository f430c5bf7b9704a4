package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

// Legal opinions: only a lawyer drafts, only on what is assigned to him;
// bad input refused with nothing written; the draft is his to change until
// he issues it; staff who see the petition read it, another lawyer not.
func TestLegalOpinionLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		lawyer := mkUser(t, db, "lawyer1", "周律师", w.City, xinfang.RoleLawyer)
		other := mkUser(t, db, "lawyer2", "郑律师", w.City, xinfang.RoleLawyer)
		lctx := w.Ctx(lawyer)
		good := func() *xinfang.LegalOpinion {
			return &xinfang.LegalOpinion{PetitionID: w.Petition.ID, Firm: "示范律师事务所", Question: "工资拖欠", Analysis: "属劳动争议", Opinion: "建议申请劳动仲裁", Basis: "《劳动争议调解仲裁法》第二条"}
		}
		wantErr(t, db.Opinions.SaveLegalOpinion(lctx, good()), xinfang.EINVALID, "petition_id") // not assigned yet
		wantErr(t, db.Opinions.SaveLegalOpinion(w.Ctx(w.HandlerA), good()), xinfang.EFORBIDDEN, "")
		if err := db.Assignments.Assign(w.Ctx(w.HandlerA), &xinfang.Assignment{UserID: lawyer.ID, Role: xinfang.AssignLawyer, PetitionID: w.Petition.ID, Task: "出具法律意见"}); err != nil {
			t.Fatal(err)
		}
		bad := good()
		bad.Basis = ""
		wantErr(t, db.Opinions.SaveLegalOpinion(lctx, bad), xinfang.EINVALID, "basis")
		if n := count(t, db, "legal_opinions"); n != 0 {
			t.Fatalf("refused opinions wrote %d rows", n)
		}
		o := good()
		if err := db.Opinions.SaveLegalOpinion(lctx, o); err != nil {
			t.Fatal(err)
		}
		if o.Number != "FY-2026-0001" || o.LawyerName != "周律师" || o.Issued {
			t.Fatalf("draft: %+v", o)
		}
		o.Opinion = "建议向劳动人事争议仲裁委员会申请仲裁"
		if err := db.Opinions.SaveLegalOpinion(lctx, o); err != nil || o.Version != 2 {
			t.Fatalf("edit: %+v %v", o, err)
		}
		if _, err := db.Opinions.FindLegalOpinionByID(w.Ctx(w.HandlerA), o.ID); err != nil {
			t.Errorf("the town's handler does not read it: %v", err)
		}
		for _, u := range []*xinfang.User{other, w.HandlerB} {
			if _, err := db.Opinions.FindLegalOpinionByID(w.Ctx(u), o.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("%s reads it: %v", u.Username, err)
			}
		}
		if _, err := db.Opinions.IssueLegalOpinion(w.Ctx(w.HandlerA), o.ID, o.Version); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("staff issue a lawyer's opinion: %v", err)
		}
		issued, err := db.Opinions.IssueLegalOpinion(lctx, o.ID, o.Version)
		if err != nil || !issued.Issued || issued.IssuedOn.IsZero() {
			t.Fatalf("issue: %+v %v", issued, err)
		}
		issued.Opinion = "x"
		wantErr(t, db.Opinions.SaveLegalOpinion(lctx, issued), xinfang.ECONFLICT, "action")
		if list, err := db.Opinions.FindLegalOpinions(lctx, w.Petition.ID); err != nil || len(list) != 1 {
			t.Errorf("the lawyer's list: %d %v", len(list), err)
		}
	})
}
