package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
	"xinfang/internal/xlsx"
)

// Import (导入) of petitions and backlog cases from the bureau's earlier
// ledger: the template of each kind, the upload, the check of every row
// shown with each problem by row and column, and the commit, all or
// nothing. Checking and committing run in the background; their pages
// refresh themselves (a Refresh header, no script) and show how far they
// are. Who may import is xinfang.CanImport.

// ImportStore keeps the imports.
type ImportStore interface {
	CreateImport(ctx context.Context, kind xinfang.ImportKind, name string, data []byte) (*xinfang.Import, error)
	CheckImport(ctx context.Context, id int64) error
	StartCommit(ctx context.Context, id int64) error
	RunCommit(ctx context.Context, id int64) error
	FindImport(ctx context.Context, id int64) (*xinfang.Import, error)
	FindImports(ctx context.Context, limit int) ([]*xinfang.Import, error)
	FindImportProblems(ctx context.Context, id int64, offset, limit int) ([]xinfang.ImportProblem, error)
}

// importUploadRoutes take an import's file, up to xinfang.MaxImportSize.
var importUploadRoutes = map[string]bool{
	"POST /imports":        true,
	"POST /api/v1/imports": true,
}

// importProblemsShown is how many problems the import's page lists; the
// CSV of problems holds all that were kept.
const importProblemsShown = 500

// importKind reads the kind of a form or query ("petitions" by default).
func importKind(v string) (xinfang.ImportKind, error) {
	if v == "" {
		return xinfang.ImportPetitions, nil
	}
	k := xinfang.ImportKind(v)
	if !k.Valid() {
		return "", xinfang.FieldError("kind", "应为 petitions（信访件）或 cases（信访积案）")
	}
	return k, nil
}

// startImport uploads the file of r's form and starts its check.
func (s *Server) startImport(r *http.Request) (*xinfang.Import, error) {
	kind, err := importKind(r.FormValue("kind"))
	if err != nil {
		return nil, err
	}
	f, h, err := uploadedFile(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, xinfang.MaxImportSize+1))
	if err != nil {
		return nil, err
	}
	im, err := s.Imports.CreateImport(r.Context(), kind, h.Filename, data)
	if err != nil {
		return nil, err
	}
	s.background(r, "import check", func(ctx context.Context) error { return s.Imports.CheckImport(ctx, im.ID) })
	return im, nil
}

// background runs fn after the answer, as the user of r, recorded in the
// audit log as r's route.
func (s *Server) background(r *http.Request, what string, fn func(ctx context.Context) error) {
	ctx := context.WithoutCancel(r.Context())
	go func() {
		if err := fn(ctx); err != nil && xinfang.ErrorCode(err) == xinfang.EINTERNAL {
			s.Logger.Error(what, "err", err)
		}
	}()
}

// commitImport starts the commit of an import whose check passed.
func (s *Server) commitImport(r *http.Request) (*xinfang.Import, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.Imports.StartCommit(r.Context(), id); err != nil {
		return nil, err
	}
	s.background(r, "import commit", func(ctx context.Context) error { return s.Imports.RunCommit(ctx, id) })
	return s.Imports.FindImport(r.Context(), id)
}

// importTemplate writes the template of the query's kind, with the
// dictionaries as they are now.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request) error {
	kind, err := importKind(r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	pairs := func(name string, labels []xinfang.Label) xlsx.Dict {
		d := xlsx.Dict{Name: name}
		for _, l := range labels {
			d.Rows = append(d.Rows, [2]string{l.Code, l.Label})
		}
		return d
	}
	units, err := s.Directory.FindUnits(r.Context())
	if err != nil {
		return err
	}
	ud := xlsx.Dict{Name: "单位"}
	for _, u := range units {
		if !u.Disabled {
			ud.Rows = append(ud.Rows, [2]string{u.Code, u.Name})
		}
	}
	var dicts []xlsx.Dict
	if kind == xinfang.ImportCases {
		dicts = []xlsx.Dict{pairs("积案来源", xinfang.CaseSources), pairs("状态", []xinfang.Label{
			{Code: string(xinfang.CaseUnresolved), Label: xinfang.CaseUnresolved.Label()}, {Code: string(xinfang.CaseResolving), Label: xinfang.CaseResolving.Label()}}), ud}
	} else {
		cats, err := s.Directory.Dictionary(r.Context(), xinfang.DictCategory)
		if err != nil {
			return err
		}
		cd := xlsx.Dict{Name: "内容分类"}
		for _, c := range cats {
			if c.Active {
				cd.Rows = append(cd.Rows, [2]string{c.Code, c.Label})
			}
		}
		dicts = []xlsx.Dict{pairs("信访形式", xinfang.Channels), pairs("信访目的", xinfang.Purposes), pairs("状态", xinfang.ImportableStateLabels()),
			pairs("处理结果", xinfang.Outcomes), cd, ud}
	}
	var buf bytes.Buffer
	if err := xlsx.Template(&buf, kind, dicts); err != nil {
		return err
	}
	name := "导入模板-" + kind.Label() + ".xlsx"
	w.Header().Set("Content-Type", xlsx.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename=\"import-"+string(kind)+".xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	_, err = w.Write(buf.Bytes())
	return err
}

// importProblemsCSV writes every problem kept of an import as CSV.
func (s *Server) importProblemsCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	probs, err := s.Imports.FindImportProblems(r.Context(), id, 0, 0)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename=\"import-"+strconv.FormatInt(id, 10)+"-problems.csv\"")
	w.Write([]byte("\xef\xbb\xbf"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"行", "列", "问题"})
	for _, p := range probs {
		cw.Write([]string{strconv.Itoa(p.Row), p.Column, p.Message})
	}
	cw.Flush()
	return cw.Error()
}

// The pages.

type importsView struct {
	base
	Imports []*xinfang.Import
	Kinds   []xinfang.Label
}

func (s *Server) handleImports(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Imports.FindImports(r.Context(), 20)
	if err != nil {
		return err
	}
	v := &importsView{Imports: list, Kinds: xinfang.ImportKinds}
	v.Title, v.Nav = "导入", "imports"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "imports.html", v)
}

func (s *Server) handleStartImport(w http.ResponseWriter, r *http.Request) error {
	im, err := s.startImport(r)
	if xinfang.ErrorCode(err) == xinfang.EINVALID {
		list, lerr := s.Imports.FindImports(r.Context(), 20)
		if lerr != nil {
			return lerr
		}
		v := &importsView{Imports: list, Kinds: xinfang.ImportKinds}
		v.Title, v.Nav = "导入", "imports"
		s.fillBase(r, &v.base)
		v.Error, v.Fields = xinfang.ErrorMessage(err), xinfang.ErrorFields(err)
		return s.render(w, r, http.StatusUnprocessableEntity, "imports.html", v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/imports/"+strconv.FormatInt(im.ID, 10), http.StatusSeeOther)
	return nil
}

type importView struct {
	base
	Import   *xinfang.Import
	Problems []xinfang.ImportProblem
	More     int // problems beyond those shown
	Percent  int
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	im, err := s.Imports.FindImport(r.Context(), id)
	if err != nil {
		return err
	}
	v := &importView{Import: im}
	if im.State.Running() {
		// The page comes again in a second until the work is done.
		w.Header().Set("Refresh", "1")
		if im.Rows > 0 {
			v.Percent = min(100, im.Done*100/im.Rows)
		}
	}
	if im.Errors > 0 {
		if v.Problems, err = s.Imports.FindImportProblems(r.Context(), id, 0, importProblemsShown); err != nil {
			return err
		}
		v.More = im.Errors - len(v.Problems)
	}
	v.Title, v.Nav = "导入 #"+strconv.FormatInt(id, 10), "imports"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "import.html", v)
}

func (s *Server) handleCommitImport(w http.ResponseWriter, r *http.Request) error {
	im, err := s.commitImport(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/imports/"+strconv.FormatInt(im.ID, 10), http.StatusSeeOther)
	return nil
}

// The API.

func (s *Server) apiImports(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Imports.FindImports(r.Context(), 50)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) apiStartImport(w http.ResponseWriter, r *http.Request) error {
	im, err := s.startImport(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, im)
	return nil
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	im, err := s.Imports.FindImport(r.Context(), id)
	if err != nil {
		return err
	}
	probs, err := s.Imports.FindImportProblems(r.Context(), id, 0, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"import": im, "problems": probs})
	return nil
}

func (s *Server) apiCommitImport(w http.ResponseWriter, r *http.Request) error {
	im, err := s.commitImport(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, im)
	return nil
}

// importEventData renders the import event of an imported petition: the
// form, dates and unit the ledger gave, and the file's row it came from.
func importEventData(e *xinfang.Event, idx unitIndex) []kv {
	var out []kv
	add := func(label, value, href string) {
		if value != "" {
			out = append(out, kv{Label: label, Value: value, Href: href})
		}
	}
	add("信访形式", xinfang.Channel(e.Data["channel"]).Label(), "")
	add("收到日期", e.Data["received_on"], "")
	if id, err := strconv.ParseInt(e.Data["unit_id"], 10, 64); err == nil {
		add("承办单位", idx.Name(id), "")
	}
	add("状态日期", e.Data["state_on"], "")
	if o := e.Data["outcome"]; o != "" {
		add("处理结果", xinfang.Outcome(o).Label(), "")
	}
	if n := e.Data["import"]; n != "" {
		add("导入", "导入 #"+n+" 第 "+e.Data["row"]+" 行", "")
	}
	return out
}
