package xinfang_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The shape of the code, held by a test so that it cannot drift back: the
// dependencies point one way (README "Architecture"), no type grows into a
// hundred-method storage object, no file into a thousand lines.

const (
	maxExportedMethods = 40
	maxFileLines       = 800
)

// forbidden lists, per package directory, the packages of the module its
// non-test files must not import.
var forbidden = map[string][]string{
	".":                  {"xinfang/internal/sqldb", "xinfang/internal/web", "xinfang/internal/procedure", "xinfang/internal/scheduler", "xinfang/internal/demo", "xinfang/internal/xlsx", "xinfang/internal/similar", "xinfang/internal/docs"},
	"internal/calendar":  {"xinfang"},
	"internal/procedure": {"xinfang/internal/sqldb", "xinfang/internal/web", "xinfang/internal/scheduler"},
	"internal/sqldb":     {"xinfang/internal/web", "xinfang/internal/scheduler"},
	"internal/web":       {"xinfang/internal/sqldb", "xinfang/internal/scheduler", "xinfang/internal/demo"},
	"internal/scheduler": {"xinfang/internal/sqldb", "xinfang/internal/web"},
	"internal/similar":   {"xinfang/internal/sqldb", "xinfang/internal/web"},
	"internal/xlsx":      {"xinfang/internal/sqldb", "xinfang/internal/web"},
	"internal/docs":      {"xinfang/internal/sqldb", "xinfang/internal/web", "xinfang/internal/procedure", "xinfang/internal/scheduler", "xinfang/internal/app"},
	"internal/outbox":    {"xinfang/internal/sqldb", "xinfang/internal/web", "xinfang/internal/scheduler"},
	"internal/chart":     {"xinfang", "xinfang/internal/sqldb", "xinfang/internal/web"},
}

type goFile struct {
	dir  string
	path string
	file *ast.File
	fset *token.FileSet
}

func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	var out []goFile
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && path != ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		out = append(out, goFile{dir: filepath.ToSlash(filepath.Dir(path)), path: path, file: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("only %d files found", len(out))
	}
	return out
}

func TestDependenciesPointOneWay(t *testing.T) {
	for _, f := range moduleFiles(t) {
		for _, imp := range f.file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden[f.dir] {
				if p == bad {
					t.Errorf("%s imports %s", f.path, p)
				}
			}
			// The wiring is for commands (and tests) only.
			if p == "xinfang/internal/app" && !strings.HasPrefix(f.dir, "cmd/") {
				t.Errorf("%s imports the wiring %s", f.path, p)
			}
		}
	}
}

func TestNoLargeTypesOrFiles(t *testing.T) {
	methods := map[string]int{} // "dir.Type" → exported methods
	for _, f := range moduleFiles(t) {
		if n := f.fset.Position(f.file.End()).Line; n > maxFileLines {
			t.Errorf("%s has %d lines (at most %d): split it by record", f.path, n, maxFileLines)
		}
		for _, d := range f.file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			typ := fn.Recv.List[0].Type
			if s, ok := typ.(*ast.StarExpr); ok {
				typ = s.X
			}
			if g, ok := typ.(*ast.IndexExpr); ok {
				typ = g.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				methods[f.dir+"."+id.Name]++
			}
		}
	}
	for typ, n := range methods {
		if n > maxExportedMethods {
			t.Errorf("%s has %d exported methods (at most %d): give the aggregate a store of its own", typ, n, maxExportedMethods)
		}
	}
	if methods["internal/sqldb.PetitionStore"] == 0 || methods["internal/sqldb.CaseStore"] == 0 {
		t.Errorf("the storage types were not found: %v", methods)
	}
}
