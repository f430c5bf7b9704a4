package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// The auditor's pages and API: the audit log filtered by user, kind,
// object and time, its export, and the check of its chain.

// auditFilterFrom reads the filters shared by the page, the list and the
// export: user_id, username, kind, q, from, to (dates, Shanghai), and, when
// paged, offset and limit.
func auditFilterFrom(v url.Values, paged bool) (xinfang.AuditFilter, error) {
	q := newQuery(v)
	var f xinfang.AuditFilter
	f.UserID = q.id("user_id")
	f.Username = q.str("username")
	if f.Kind = xinfang.AuditKind(q.str("kind")); f.Kind != "" && !f.Kind.Valid() {
		q.p.Add("kind", "未知的审计类别")
	}
	f.Object = q.str("q")
	if d := q.date("from"); !d.IsZero() {
		f.From = d.Time()
	}
	if d := q.date("to"); !d.IsZero() {
		f.To = d.AddDays(1).Time()
	}
	if paged {
		f.Offset = q.number("offset", 0, 1<<30)
		if f.Limit = q.number("limit", 1, 500); f.Limit == 0 {
			f.Limit = apiDefaultLimit
		}
	} else {
		f.Limit = 500
	}
	return f, q.err()
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilterFrom(r.URL.Query(), true)
	if err != nil {
		return err
	}
	items, total, err := s.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*xinfang.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, struct {
		Items  []*xinfang.AuditEntry `json:"items"`
		Total  int                   `json:"total"`
		Offset int                   `json:"offset"`
		Limit  int                   `json:"limit"`
	}{items, total, f.Offset, f.Limit})
	return nil
}

// apiAuditVerify checks the whole chain.
func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Audit.VerifyAudit(r.Context())
	out := struct {
		OK      bool   `json:"ok"`
		Entries int64  `json:"entries"`
		Error   string `json:"error,omitempty"`
	}{OK: err == nil, Entries: n}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.ECONFLICT {
			return err
		}
		out.Error = xinfang.ErrorMessage(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiAuditCSV exports the entries the filters select, newest first, all
// of them page by page, as CSV with a BOM (Excel reads it as UTF-8).
func (s *Server) apiAuditCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilterFrom(r.URL.Query(), false)
	if err != nil {
		return err
	}
	var all []*xinfang.AuditEntry
	for {
		items, total, err := s.Audit.FindAudit(r.Context(), f)
		if err != nil {
			return err
		}
		all = append(all, items...)
		f.Offset += len(items)
		if len(items) == 0 || f.Offset >= total {
			break
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"序号", "时间", "用户编号", "用户名", "单位编号", "类别", "操作", "对象", "说明", "IP", "哈希"})
	for _, e := range all {
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(calendar.Location()).Format("2006-01-02 15:04:05"), strconv.FormatInt(e.UserID, 10), e.Username,
			strconv.FormatInt(e.UnitID, 10), e.Kind.Label(), e.Route, csvSafe(e.Object), csvSafe(e.Detail), e.IP, e.Hash})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

type auditView struct {
	base
	Items   []*xinfang.AuditEntry
	Total   int
	Kinds   []xinfang.Label
	Query   url.Values
	Problem string
	Page    int
	Pages   int
	Export  string
	Verify  string
	Valid   bool
}

const auditPageSize = 100

// handleAudit is the auditor's page: the log with its filters, the export
// and, on request, the check of the chain.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	// The filters are the query but for the page's own parameters; the
	// page links and the export repeat them.
	filters := url.Values{}
	for k, vs := range q {
		if k != "page" && k != "verify" {
			filters[k] = vs
		}
	}
	v := &auditView{Kinds: xinfang.AuditKinds, Query: filters, Page: 1}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	check := q.Get("verify") != ""
	f, err := auditFilterFrom(filters, false)
	status := http.StatusOK
	if err != nil {
		v.Problem, status = xinfang.ErrorMessage(err), http.StatusUnprocessableEntity
	} else {
		f.Offset, f.Limit = (v.Page-1)*auditPageSize, auditPageSize
		if v.Items, v.Total, err = s.Audit.FindAudit(r.Context(), f); err != nil {
			return err
		}
		v.Pages = (v.Total + auditPageSize - 1) / auditPageSize
		v.Export = "/api/v1/audit.csv?" + filters.Encode()
	}
	if check {
		n, err := s.Audit.VerifyAudit(r.Context())
		switch {
		case err == nil:
			v.Valid, v.Verify = true, "审计日志完整：共 "+strconv.FormatInt(n, 10)+" 条，哈希链与末条记录均相符。"
		case xinfang.ErrorCode(err) == xinfang.ECONFLICT:
			v.Verify = xinfang.ErrorMessage(err)
		default:
			return err
		}
	}
	v.Title, v.Nav = "审计日志", "audit"
	s.fillBase(r, &v.base)
	return s.render(w, r, status, "audit.html", v)
}

// PageURL is the page's URL with another page number.
func (v *auditView) PageURL(page int) string { return pageURL("/audit", v.Query, page) }
