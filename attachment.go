package xinfang

import "time"

// Attachment is a file kept with a record (附件): the scan of a letter,
// a photo, a recording, an office document. Its content lives in the
// database, in chunks, so that one backup holds everything and every
// instance serves it; its kind is read from the content.
type Attachment struct {
	ID      int64           `json:"id"`
	Owner   AttachmentOwner `json:"owner"`
	OwnerID int64           `json:"owner_id"`
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

// DefaultAttachmentLimit is the largest file accepted unless configured
// otherwise: 20 MB, enough for a multi-page colour scan or an hour of
// recorded phone call.
const DefaultAttachmentLimit = 20 << 20
