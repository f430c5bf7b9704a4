package sqldb_test

import (
	"bytes"
	"context"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

// TestAttachmentParts: a file may belong to an entry of its record — a
// petition's event or 督办单, a case's plan step, consultation or 督办单 —
// which must be the record's own; the record's access decides who sees
// it, and a refusal names the field and writes nothing.
func TestAttachmentParts(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		reg := w.Ctx(w.RegistrarA)
		add := func(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64, part xinfang.AttachmentPart, partID int64) (*xinfang.Attachment, error) {
			data := pdfFile(1500)
			return db.Attachments.AddPartAttachment(ctx, owner, ownerID, part, partID, "材料.pdf", bytes.NewReader(data), int64(len(data)))
		}
		events, err := db.Petitions.FindEvents(reg, w.Petition.ID)
		if err != nil || len(events) == 0 {
			t.Fatalf("events: %v, %v", events, err)
		}
		other := w.MustRegister(t, w.RegistrarA, w.NewPetition(w.VillageA, 9))
		otherEvents, err := db.Petitions.FindEvents(reg, other.ID)
		if err != nil {
			t.Fatal(err)
		}

		c := w.newCase(t, w.HandlerA, w.Leader)
		handler := w.Ctx(w.HandlerA)
		c, err = db.Cases.SaveCaseStep(handler, c.ID, c.Version, &xinfang.PlanStep{Content: "核查工资发放台账", OwnerID: w.HandlerA.ID, Deadline: calendar.MustParseDate("2026-06-15")})
		if err != nil {
			t.Fatal(err)
		}
		c, err = db.Cases.AddConsultation(handler, c.ID, c.Version, &xinfang.Consultation{Date: calendar.DateOf(db.Now()),
			Attendees: []xinfang.Attendee{{Name: "周律师", Kind: "lawyer"}}, Findings: "用工关系清楚", Decisions: "先行垫付"})
		if err != nil {
			t.Fatal(err)
		}
		sup := supUser(t, db, "xfj.sup", w.Bureau, xinfang.RoleSupervisor)
		sv := &xinfang.Supervision{TargetUnitID: w.TownA.ID, CaseID: c.ID, Requirements: "限期化解", Deadline: calendar.DateOf(db.Now()).AddDays(10)}
		if err := db.Supervisions.CreateSupervision(w.Ctx(sup), sv); err != nil {
			t.Fatal(err)
		}

		for _, tt := range []struct {
			name    string
			ctx     context.Context
			owner   xinfang.AttachmentOwner
			ownerID int64
			part    xinfang.AttachmentPart
			partID  int64
		}{
			{"the register event", reg, xinfang.AttachPetition, w.Petition.ID, xinfang.PartEvent, events[0].ID},
			{"a plan step", handler, xinfang.AttachCase, c.ID, xinfang.PartStep, c.Plan[0].ID},
			{"a consultation", handler, xinfang.AttachCase, c.ID, xinfang.PartConsultation, c.Consultations[0].ID},
			{"the 督办单's feedback", handler, xinfang.AttachCase, c.ID, xinfang.PartSupervision, sv.ID},
		} {
			a, err := add(tt.ctx, tt.owner, tt.ownerID, tt.part, tt.partID)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			list, err := db.Attachments.FindAttachments(tt.ctx, tt.owner, tt.ownerID)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, b := range list {
				found = found || b.ID == a.ID && b.Part == tt.part && b.PartID == tt.partID
			}
			if !found {
				t.Errorf("%s: the record's list %+v lacks %+v", tt.name, list, a)
			}
		}

		before := count(t, db, "attachments")
		// Another petition's event, a step of another kind of record, an
		// entry without its id, and a part with no kind: each refused.
		_, err = add(reg, xinfang.AttachPetition, w.Petition.ID, xinfang.PartEvent, otherEvents[0].ID)
		wantErr(t, err, xinfang.EINVALID, "part_id")
		_, err = add(reg, xinfang.AttachPetition, w.Petition.ID, xinfang.PartStep, c.Plan[0].ID)
		wantErr(t, err, xinfang.EINVALID, "part")
		_, err = add(handler, xinfang.AttachCase, c.ID, xinfang.PartSupervision, sv.ID+1000)
		wantErr(t, err, xinfang.EINVALID, "part_id")
		_, err = add(reg, xinfang.AttachPetition, w.Petition.ID, "", 5)
		wantErr(t, err, xinfang.EINVALID, "part")
		// Town B sees neither the case nor the files of its entries.
		_, err = add(w.Ctx(w.HandlerB), xinfang.AttachCase, c.ID, xinfang.PartStep, c.Plan[0].ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		if n := count(t, db, "attachments"); n != before {
			t.Errorf("refused files left %d rows", n-before)
		}
	})
}
