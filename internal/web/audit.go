package web

import (
	"context"
	"net/http"
	"strings"

	"xinfang"
)

// What the audit log records of a request (security.md "Audit"). Every
// state-changing route of a signed-in user carries an xinfang.Auditing in
// its context, which storage writes in the transaction of each change it
// commits: a change without its entry cannot be, nor an entry of a change
// that failed. The reads of a record's detail and the exports are recorded
// before the first byte of the answer goes out: if the entry cannot be
// written, the record is not shown.

// auditedReads are the GET routes that show one record's detail (read) or
// hand out a document or spreadsheet (export).
var auditedReads = map[string]xinfang.AuditKind{
	"/api/v1/petitions/{id}":                     xinfang.AuditRead,
	"/api/v1/petitions/{id}/events":              xinfang.AuditRead,
	"/api/v1/cases/{id}":                         xinfang.AuditRead,
	"/api/v1/supervisions/{id}":                  xinfang.AuditRead,
	"/api/v1/discipline/investigations/{id}":     xinfang.AuditRead,
	"/api/v1/discipline/accountability/{id}":     xinfang.AuditRead,
	"/api/v1/discipline/letters/{id}":            xinfang.AuditRead,
	"/petitions/{id}":                            xinfang.AuditRead,
	"/cases/{id}":                                xinfang.AuditRead,
	"/supervisions/{id}":                         xinfang.AuditRead,
	"/discipline/investigations/{id}":            xinfang.AuditRead,
	"/api/v1/cases.xlsx":                         xinfang.AuditExport,
	"/api/v1/petitions.xlsx":                     xinfang.AuditExport,
	"/petitions/export.xlsx":                     xinfang.AuditExport,
	"/petitions/print":                           xinfang.AuditExport,
	"/api/v1/cases/{id}/sheet.xlsx":              xinfang.AuditExport,
	"/petitions/{id}/print/{doc}":                xinfang.AuditExport,
	"/supervisions/{id}/print/{doc}":             xinfang.AuditExport,
	"/api/v1/petitions/{id}/documents/{file}":    xinfang.AuditExport,
	"/api/v1/supervisions/{id}/documents/{file}": xinfang.AuditExport,
	"/cases/{id}/print":                          xinfang.AuditExport,
	"/api/v1/audit.csv":                          xinfang.AuditExport,
	"/api/v1/attachments/{id}":                   xinfang.AuditExport,
	"/attachments/{id}":                          xinfang.AuditExport,
	"/api/v1/hearings/{id}":                      xinfang.AuditRead,
	"/hearings/{id}":                             xinfang.AuditRead,
	"/hearings/{id}/notice":                      xinfang.AuditExport,
	"/api/v1/experts/{id}":                       xinfang.AuditRead,
	"/society/experts/{id}":                      xinfang.AuditRead,
	"/api/v1/observers/{id}":                     xinfang.AuditRead,
	"/society/observers/{id}":                    xinfang.AuditRead,
	"/api/v1/assignments/{id}":                   xinfang.AuditRead,
	"/api/v1/mediations/{id}":                    xinfang.AuditRead,
	"/mediations/{id}":                           xinfang.AuditRead,
	"/api/v1/receptions/{id}":                    xinfang.AuditRead,
	"/receptions/{id}":                           xinfang.AuditRead,
	"/api/v1/meetings/{id}":                      xinfang.AuditRead,
	"/meetings/{id}":                             xinfang.AuditRead,
	"/mediations/{id}/agreement":                 xinfang.AuditExport,
	"/api/v1/judicial-aid/{id}":                  xinfang.AuditRead,
	"/judicial-aid/{id}":                         xinfang.AuditRead,
	"/judicial-aid/{id}/decision":                xinfang.AuditExport,
	"/api/v1/legal-opinions/{id}":                xinfang.AuditRead,
	"/legal-opinions/{id}":                       xinfang.AuditRead,
	"/legal-opinions/{id}/print":                 xinfang.AuditExport,
	"/api/v1/assessment/{year}/export.xlsx":      xinfang.AuditExport,
	"/api/v1/screening/reports/{id}":             xinfang.AuditRead,
	"/screening/{id}":                            xinfang.AuditRead,
	"/api/v1/risk-assessments/{id}":              xinfang.AuditRead,
	"/risks/{id}":                                xinfang.AuditRead,
	"/api/v1/campaigns/{id}":                     xinfang.AuditRead,
	"/campaigns/{id}":                            xinfang.AuditRead,
	"/api/v1/petitions/{id}/followups":           xinfang.AuditRead,
	"/petitions/{id}/followups":                  xinfang.AuditRead,
}

// auditing prepares the audit of one request of route rt: the context of
// a change, or the writer that records a read before it answers.
func (s *Server) auditing(w http.ResponseWriter, r *http.Request, rt route) (http.ResponseWriter, *http.Request) {
	if rt.access.public {
		return w, r // sign-in records itself; nothing else public changes anything
	}
	route := rt.method + " " + rt.pattern
	if rt.method != http.MethodGet {
		kind := xinfang.AuditChange
		if strings.HasSuffix(rt.pattern, "/logout") {
			kind = xinfang.AuditLogout
		}
		ctx := xinfang.WithAuditing(r.Context(), &xinfang.Auditing{Kind: kind, Route: route, Object: r.URL.Path, IP: s.clientIP(r).String()})
		return w, r.WithContext(ctx)
	}
	kind, ok := auditedReads[rt.pattern]
	if !ok {
		return w, r
	}
	aw := &auditWriter{ResponseWriter: w, s: s, r: r, entry: &xinfang.AuditEntry{Kind: kind, Route: route, Object: r.URL.RequestURI(), IP: s.clientIP(r).String()}}
	return aw, r.WithContext(context.WithValue(r.Context(), auditReadKey{}, aw.entry))
}

type auditReadKey struct{}

// markUnmasked records the read of r as an unmasking: the handler showed
// personal data in full.
func markUnmasked(r *http.Request, what string) {
	if e, ok := r.Context().Value(auditReadKey{}).(*xinfang.AuditEntry); ok {
		e.Kind, e.Detail = xinfang.AuditUnmask, what
	}
}

// auditWriter records its entry when the answer is a success and before
// its first byte; an entry it cannot write turns the answer into a 500.
type auditWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	entry   *xinfang.AuditEntry
	decided bool
	failed  bool
}

func (w *auditWriter) record(status int) {
	if w.decided {
		return
	}
	w.decided = true
	if status != http.StatusOK {
		return
	}
	if err := w.s.Audit.Record(w.r.Context(), w.entry); err != nil {
		w.s.Logger.Error("audit", "err", err, "route", w.entry.Route)
		w.failed = true
		http.Error(w.ResponseWriter, "审计日志写入失败，未能显示", http.StatusInternalServerError)
	}
}

func (w *auditWriter) WriteHeader(status int) {
	w.record(status)
	if !w.failed {
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *auditWriter) Write(b []byte) (int, error) {
	w.record(http.StatusOK)
	if w.failed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// protectPersonal masks the personal data of p's petitioners unless the
// request asks to see it in full (?unmask=1) and xinfang.CanUnmask allows
// it, in which case the read is recorded as an unmasking. It reports
// whether p is shown in full, and whether it could be; asking for what
// CanUnmask refuses is EFORBIDDEN.
func protectPersonal(r *http.Request, p *xinfang.Petition) (full, may bool, err error) {
	may = xinfang.CanUnmask(xinfang.UserFromContext(r.Context()), p)
	if r.Method == http.MethodGet && r.URL.Query().Get("unmask") == "1" {
		if may {
			markUnmasked(r, "信访件 "+p.Number+" 信访人的身份证号、联系电话、地址")
			return true, true, nil
		}
		err = xinfang.Errorf(xinfang.EFORBIDDEN, "无权查看信访人的完整个人信息")
	}
	xinfang.MaskPetitioner(p.Petitioner)
	for _, c := range p.CoPetitioners {
		xinfang.MaskPetitioner(c)
	}
	return false, may, err
}
