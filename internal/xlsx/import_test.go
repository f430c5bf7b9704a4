package xlsx_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"xinfang"
	"xinfang/internal/xlsx"
)

// The template reads back through the import's own reader: its head
// finds every column, and its example row holds a value per column.
func TestTemplateReadsBack(t *testing.T) {
	for _, kind := range []xinfang.ImportKind{xinfang.ImportPetitions, xinfang.ImportCases} {
		var buf bytes.Buffer
		if err := xlsx.Template(&buf, kind, []xlsx.Dict{{Name: "单位", Rows: [][2]string{{"JZ", "甲镇"}}}}); err != nil {
			t.Fatal(err)
		}
		rr, err := xlsx.OpenRows(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		head, line, err := rr.Next()
		if err != nil || line != 1 {
			t.Fatalf("%s head: %v %d", kind, err, line)
		}
		cols := xlsx.ImportColumns(kind)
		idx, probs := xlsx.HeadIndex(head, cols)
		if len(probs) != 0 || len(idx) != len(cols) {
			t.Errorf("%s head %v: %d columns found, problems %+v", kind, head, len(idx), probs)
		}
		example, line, err := rr.Next()
		if err != nil || line != 2 || example[idx["number"]] != cols[0].Example {
			t.Errorf("%s example row %v (line %d): %v", kind, example, line, err)
		}
		if _, _, err := rr.Next(); err != io.EOF {
			t.Errorf("%s: more than the example row: %v", kind, err)
		}
		rr.Close()
	}
}

// CSV comes as UTF-8, with or without BOM, or as GB18030 the way Excel
// saves it on a Chinese Windows; an old .xls is refused with a message.
func TestOpenRowsCSV(t *testing.T) {
	text := "原编号,信访人\nA-1,张三\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"utf8": []byte(text), "bom": []byte("\xef\xbb\xbf" + text), "gb18030": []byte(gb)} {
		rr, err := xlsx.OpenRows(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		head, _, _ := rr.Next()
		row, line, _ := rr.Next()
		if strings.Join(head, "|") != "原编号|信访人" || strings.Join(row, "|") != "A-1|张三" || line != 2 {
			t.Errorf("%s: head %v row %v line %d", name, head, row, line)
		}
	}
	if _, err := xlsx.OpenRows([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")); err == nil || !strings.Contains(err.Error(), ".xls") {
		t.Errorf("an .xls file: %v", err)
	}
	_, probs := xlsx.HeadIndex([]string{"原编号", "不明列"}, xlsx.PetitionImportColumns)
	if len(probs) == 0 || probs[0].Column != "不明列" {
		t.Errorf("unknown and missing columns: %+v", probs)
	}
}
