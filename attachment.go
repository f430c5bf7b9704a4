package xinfang

import (
	"io"
	"time"
)

// Attachment is a file kept with a record (附件): the scan of a letter,
// a photo, a recording, an office document. Its content lives in the
// database, in chunks, so that one backup holds everything and every
// instance serves it; its kind is read from the content.
type Attachment struct {
	ID      int64           `json:"id"`
	Owner   AttachmentOwner `json:"owner"`
	OwnerID int64           `json:"owner_id"`
	// Part, when set, is the entry of the record the file belongs to — a
	// step of the record's history, a plan step, a consultation, a 督办单's
	// feedback — and PartID its id; the record's access applies.
	Part   AttachmentPart `json:"part,omitempty"`
	PartID int64          `json:"part_id,omitempty"`
	// Name is the file name as uploaded, without any folder.
	Name string `json:"name"`
	// Type is the media type detected from the content; Label says it in words.
	Type  string `json:"type"`
	Label string `json:"label"`
	Size  int64  `json:"size"`
	// SHA256 is the hex SHA-256 of the content, checked when it is served.
	SHA256       string    `json:"sha256"`
	UploadedBy   int64     `json:"uploaded_by"`
	UploaderName string    `json:"uploader_name"`
	UploadedAt   time.Time `json:"uploaded_at"`
	// Image: shown inline in the viewer, with a thumbnail.
	Image bool `json:"image"`
}

// AttachmentOwner is the kind of record an attachment belongs to; who may
// see or add it follows from that record.
type AttachmentOwner string

const (
	AttachPetition AttachmentOwner = "petition" // 信访件
	AttachCase     AttachmentOwner = "case"     // 信访积案
)

// AttachmentPart is the kind of entry of a record a file is attached to.
type AttachmentPart string

const (
	PartEvent        AttachmentPart = "event"        // 办理记录 (a petition's event: the 答复's signed opinion, a 转送单)
	PartStep         AttachmentPart = "step"         // 化解方案步骤 (a case's plan step: its evidence)
	PartConsultation AttachmentPart = "consultation" // 会商记录 (a case's consultation: its minutes)
	PartSupervision  AttachmentPart = "supervision"  // 督办反馈 (the feedback to a 督办单 on the record)
)

// Label says the kind of entry in words.
func (p AttachmentPart) Label() string {
	return map[AttachmentPart]string{PartEvent: "办理记录", PartStep: "方案步骤", PartConsultation: "会商记录", PartSupervision: "督办反馈"}[p]
}

// Allows reports whether files of a record of kind o may be attached to
// entries of kind p: a petition's events and 督办单, a case's plan steps,
// consultations and 督办单.
func (o AttachmentOwner) Allows(p AttachmentPart) bool {
	switch o {
	case AttachPetition:
		return p == PartEvent || p == PartSupervision
	case AttachCase:
		return p == PartStep || p == PartConsultation || p == PartSupervision
	}
	return false
}

// Upload is a file sent to be kept: its name as the browser gave it, and
// its content.
type Upload struct {
	Name    string
	Content io.ReaderAt
	Size    int64
}

// DefaultAttachmentLimit is the largest file accepted unless configured
// otherwise: 20 MB, enough for a multi-page colour scan or an hour of
// recorded phone call.
const DefaultAttachmentLimit = 20 << 20
