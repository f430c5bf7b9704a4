package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/xlsx"
)

// The ledger's export (导出 Excel) and printable list (打印列表): the 台账
// with the filters of the page, without pages. Both take the ledger's
// query string as it is (petitionFilter, the one parser of the page and
// the API), show the same columns, always mask personal data (an export
// leaves the system) and are recorded in the audit log as exports, with
// the query as the object (auditedReads), before their first byte.

// printMax is the most rows a printed list holds; more is a spreadsheet's
// work, and the refusal says so.
const printMax = 10000

// ledgerExportQuery reads the ledger's query from r as the ledger page
// does (unit for unit_id, page read and ignored): the filter, and the
// query as read, for the description of the filters. A parameter the
// page refuses is refused here, naming it.
func ledgerExportQuery(r *http.Request) (xinfang.PetitionFilter, url.Values, error) {
	raw := r.URL.Query()
	if u := raw.Get("unit"); u != "" && raw.Get("unit_id") == "" {
		raw.Set("unit_id", u)
	}
	raw.Del("unit")
	q := newQuery(raw)
	q.number("page", 1, ledgerMaxPage)
	f := petitionFilter(q)
	return f, q.kept("page"), q.err()
}

// describeLedgerFilter says in words which items a list holds: the
// first line of the export and the heading of the printed list.
func (s *Server) describeLedgerFilter(r *http.Request, kept url.Values, catLabels map[string]string) (string, error) {
	var parts []string
	if v := kept["state"]; len(v) > 0 {
		var labels []string
		for _, st := range strings.Split(strings.Join(v, ","), ",") {
			if st = strings.TrimSpace(st); st != "" {
				labels = append(labels, xinfang.State(st).Label())
			}
		}
		parts = append(parts, "状态："+strings.Join(labels, "、"))
	}
	if v := kept.Get("warning"); v != "" {
		parts = append(parts, "预警："+xinfang.Warning(v).Label())
	}
	if v := kept.Get("unit_id"); v != "" {
		_, idx, err := s.units(r)
		if err != nil {
			return "", err
		}
		name := "单位 " + v
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && idx[id] != nil {
			name = idx[id].Name
		}
		parts = append(parts, "单位（含下级）："+name)
	}
	if v := kept.Get("channel"); v != "" {
		parts = append(parts, "信访形式："+xinfang.Channel(v).Label())
	}
	if v := kept.Get("category"); v != "" {
		label := catLabels[v]
		if label == "" {
			label = v
		}
		parts = append(parts, "内容分类："+label)
	}
	if from, to := kept.Get("from"), kept.Get("to"); from != "" || to != "" {
		parts = append(parts, "收到日期："+from+" 至 "+to)
	}
	if v := kept.Get("q"); v != "" {
		parts = append(parts, "关键词："+v)
	}
	if v := kept.Get("petitioner_id"); v != "" {
		parts = append(parts, "信访人编号："+v)
	}
	for _, b := range []struct{ name, label string }{{"open", "仅在办"}, {"legal_case", "涉法涉诉"}, {"repeat", "重复件"}} {
		if v := kept.Get(b.name); v != "" {
			yes := v == "1" || v == "true"
			if b.name == "open" {
				if yes {
					parts = append(parts, b.label)
				}
				continue
			}
			parts = append(parts, b.label+"："+map[bool]string{true: "是", false: "否"}[yes])
		}
	}
	if v := kept.Get("sort"); v != "" {
		parts = append(parts, "排序："+map[string]string{"due": "办理期限（近→远）", "received": "收到时间（旧→新）",
			"-received": "收到时间（新→旧）", "number": "编号"}[v])
	}
	if len(parts) == 0 {
		return "筛选条件：全部（本人数据范围内）", nil
	}
	return "筛选条件：" + strings.Join(parts, "；"), nil
}

// ledgerExportFilter reads an export's or a print's query as the ledger
// does: the filter, the parameters kept for links, the category labels
// and the filter in words.
func (s *Server) ledgerExportFilter(r *http.Request) (f xinfang.PetitionFilter, kept url.Values, catLabels map[string]string, desc string, err error) {
	if f, kept, err = ledgerExportQuery(r); err != nil {
		return f, nil, nil, "", err
	}
	if _, catLabels, err = s.categories(r); err != nil {
		return f, nil, nil, "", err
	}
	desc, err = s.describeLedgerFilter(r, kept, catLabels)
	return f, kept, catLabels, desc, err
}

// apiPetitionsXLSX streams the ledger for the filters of the query as a
// workbook of one sheet: a title line, the filters, the header, a row per
// item. The first item is read before anything is sent, so that a filter
// storage refuses is a clean error; an error after the first byte cuts
// the connection, so that no half workbook passes for a whole one.
func (s *Server) apiPetitionsXLSX(w http.ResponseWriter, r *http.Request) error {
	f, _, catLabels, desc, err := s.ledgerExportFilter(r)
	if err != nil {
		return err
	}
	now := s.Now()
	var out *xlsx.Stream
	start := func() error {
		h := w.Header()
		h.Set("Content-Type", xlsx.ContentType)
		name := "信访台账-" + s.today().String() + ".xlsx"
		h.Set("Content-Disposition", "attachment; filename=\"petitions.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		var err error
		if out, err = xlsx.NewStream(w, xlsx.PetitionSheetName, xlsx.PetitionWidths()); err != nil {
			return err
		}
		by := ""
		if u := xinfang.UserFromContext(r.Context()); u != nil {
			by = "；导出人：" + u.Name
		}
		if err := out.Row(xlsx.StyleTitle, "信访台账"); err != nil {
			return err
		}
		if err := out.Row(xlsx.StyleText, desc+"；导出时间："+fmtDateTime(now)+by+"；个人信息已脱敏"); err != nil {
			return err
		}
		return out.Row(xlsx.StyleHead, xlsx.PetitionHeader()...)
	}
	n := 0
	err = s.Petitions.EachPetition(r.Context(), f, func(p *xinfang.Petition) error {
		if out == nil {
			if err := start(); err != nil {
				return errStreamed{err}
			}
		}
		n++
		if err := out.Row(xlsx.StyleText, xlsx.PetitionRow(n, p, catLabels)...); err != nil {
			return errStreamed{err}
		}
		return nil
	})
	if err == nil && out == nil {
		err = start()
	}
	if err == nil {
		err = out.Close()
	}
	var streamed errStreamed
	if out != nil && err != nil {
		if !errors.As(err, &streamed) {
			streamed.err = err
		}
		s.Logger.Error("ledger export cut off", "err", streamed.err, "rows", n)
		panic(http.ErrAbortHandler)
	}
	return err
}

// errStreamed is an error met while writing the answer.
type errStreamed struct{ err error }

func (e errStreamed) Error() string { return e.err.Error() }
func (e errStreamed) Unwrap() error { return e.err }

// errTooLong stops the walk of a list longer than a printed list may be.
var errTooLong = errors.New("list too long")

type ledgerPrintView struct {
	base
	Filter   string
	Header   []string
	Rows     [][]string
	PageBack string
	Export   string
	Printed  string
}

// handleLedgerPrint is the printable list (打印列表) of the ledger for the
// filters of the query: every row on A4 landscape, page numbers from the
// print's @page. A list longer than printMax is refused (422), naming the
// limit and the Excel export instead, and recorded as nothing.
func (s *Server) handleLedgerPrint(w http.ResponseWriter, r *http.Request) error {
	f, kept, catLabels, desc, err := s.ledgerExportFilter(r)
	if err != nil {
		return err
	}
	v := &ledgerPrintView{Header: xlsx.PetitionHeader(), PageBack: "/petitions", Export: "/petitions/export.xlsx", Filter: desc}
	if len(kept) > 0 {
		v.PageBack += "?" + kept.Encode()
		v.Export += "?" + kept.Encode()
	}
	most := printMax
	if s.PrintMax > 0 {
		most = s.PrintMax
	}
	err = s.Petitions.EachPetition(r.Context(), f, func(p *xinfang.Petition) error {
		if len(v.Rows) == most {
			return errTooLong
		}
		v.Rows = append(v.Rows, xlsx.PetitionRow(len(v.Rows)+1, p, catLabels))
		return nil
	})
	if errors.Is(err, errTooLong) {
		return xinfang.Errorf(xinfang.EINVALID, "符合条件的信访件超过 %d 件，无法生成打印列表；请缩小筛选范围，或使用“导出 Excel”", most)
	}
	if err != nil {
		return err
	}
	v.Title = "信访台账（打印）"
	v.Printed = fmtDateTime(s.Now())
	s.fillBase(r, &v.base)
	return s.renderEntry(w, http.StatusOK, "ledger_print.html", "ledgerprintlayout", v)
}

// ExportURL is the ledger's export (导出 Excel) with the current filters.
func (v *ledgerView) ExportURL() string { return withQuery("/petitions/export.xlsx", v.Q) }

// PrintURL is the ledger's printable list with the current filters.
func (v *ledgerView) PrintURL() string { return withQuery("/petitions/print", v.Q) }

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
