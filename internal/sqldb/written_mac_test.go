package sqldb_test

import (
	"context"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// Registration and the procedure's actions compute the registered MAC and
// head_mac from the values they write instead of reading the row back;
// verification computes them from the rows. Every column either covers
// must come out as the read gives it — on both databases, for petitions
// that set every field, leave every optional one empty, have an
// organisation and co-petitioners, and for the 不再受理 registration, which
// writes two events at once.
func TestWrittenMACsAreTheStoredRows(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		reg := f.Ctx(f.BureauRegistrar)

		full := f.NewPetition(f.VillageA, 1)
		full.ReceivedAt = at("2026-06-09").Add(9*time.Hour + 17*time.Minute + 3*time.Second + 250*time.Millisecond)
		full.FirstUnitID = f.TownA.ID
		full.PersonCount, full.InvolvedCount, full.Group = 6, 120, true
		full.Summary = `反映"拆迁补偿"问题 \ 第二次`
		full.Content = "第一行\n第二行\t带制表符，引号'与\"反斜杠\\"
		full.Request, full.Reason, full.Accused, full.System = "按标准补偿", "", "某街道办", "住建"
		full.LegalCase, full.Urgent, full.Threat, full.Hot, full.Public = true, true, true, true, true
		full.Escalation, full.RiskLevel, full.RiskReason = xinfang.EscalationProvince, xinfang.RiskHigh, "扬言集体上访"
		full.Petitioner.Gender, full.Petitioner.Ethnicity, full.Petitioner.Occupation = "女", "汉族", "农民"
		full.Petitioner.HukouAddress, full.Petitioner.Residence = "甲镇东村", "乙镇南村 3 组"
		full.Petitioner.KeyPerson, full.Petitioner.KeyReason, full.Petitioner.Foreign = true, "多次越级", true
		full.CoPetitioners = []*xinfang.Petitioner{
			{Name: "李四", IDNumber: sqldbtest.IDNumber(2), Phone: "13900139000"},
			{Name: "王五", IDType: xinfang.IDPassport, IDNumber: "E12345678"},
		}

		bare := &xinfang.Petition{Channel: "visit", ReceivedAt: db.Now().Add(-time.Hour), Petitioner: &xinfang.Petitioner{Name: "赵六"},
			Summary: "咨询", Content: "咨询政策。", Category: "0501", Purpose: xinfang.PurposeProposal, LocalityID: f.TownB.ID, Anonymous: true}

		org := f.NewPetition(f.VillageB, 3)
		org.Petitioner = &xinfang.Petitioner{Org: true, Name: "某某合作社", OrgCode: "91350100M000100Y43"}

		var all []*xinfang.Petition
		for _, p := range []*xinfang.Petition{full, bare, org} {
			all = append(all, f.MustRegister(t, f.BureauRegistrar, p))
			clk.Add(time.Minute)
		}

		// An earlier item whose re-review concluded (终结), set in the row
		// (the earlier item itself then fails verification; it is not
		// checked), and its repeat, which storage registers as not
		// accepted with the 不再受理 notice: two events in one write.
		ended := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 4))
		exec(t, db, `UPDATE petitions SET state = ? WHERE id = ?`, string(xinfang.StateTerminated), ended.ID)
		again := f.NewPetition(f.VillageA, 4)
		again.RepeatOfID = ended.ID
		again = f.MustRegister(t, f.BureauRegistrar, again)
		if again.State != xinfang.StateNotAccepted {
			t.Fatalf("the repeat of an ended item is %s, want not accepted", again.State)
		}
		all = append(all, again)

		// Actions: a transfer sets a handling unit and its path, a sign
		// and an accept move the clock.
		f.MustAct(t, f.BureauRegistrar, full.ID, transfer(f.TownA, 1))
		f.MustAct(t, f.HandlerA, full.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: 2})
		clk.Add(24 * time.Hour)
		f.MustAct(t, f.HandlerA, full.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: 3})
		f.MustAct(t, f.BureauRegistrar, org.ID, xinfang.ActionInput{Action: xinfang.ActMerge, Version: 1, Data: map[string]string{"into": itoa(bare.ID)}})

		for _, p := range all {
			if err := verify(db, reg, p.ID); err != nil {
				t.Errorf("%s: %v", p.Number, err)
			}
		}
		rep, err := db.VerifyAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range rep.Findings {
			if fd.PetitionID != ended.ID {
				t.Errorf("VerifyAll: %+v", fd)
			}
		}
		// The check can fail: a registered column changed is found.
		exec(t, db, `UPDATE petitions SET risk_reason = '' WHERE id = ?`, full.ID)
		if err := verify(db, reg, full.ID); err == nil {
			t.Error("an edited registered column verifies")
		}
	})
}
