package xlsx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"xinfang"
)

// Import (导入): the columns of the templates, the templates themselves,
// and a reader of the rows of an uploaded file — an Excel workbook (its
// first sheet, read row by row with excelize's streaming reader) or a CSV
// file (UTF-8, with or without BOM, or GB18030 as Excel writes it on a
// Chinese Windows). What a row means is storage's to check.

// Column is one column of an import template.
type Column struct {
	Key      string // the field it fills
	Head     string // its head in the file
	Required bool
	Note     string // what it takes, for the template's notes
	Example  string // the example row's value
}

// PetitionImportColumns are the columns of the petitions' template.
var PetitionImportColumns = []Column{
	{"number", "原编号", true, "原台账中的信访件编号；导入后沿用，重复导入以此识别", "SFS-XFJ-2023-000123"},
	{"received_at", "收到日期", true, "YYYY-MM-DD，可带时间 HH:MM", "2023-06-01 09:30"},
	{"channel", "信访形式", true, "见“字典”：信访形式（名称或代码）", "来信"},
	{"name", "信访人", true, "姓名或单位名称；匿名件填“匿名”", "张三"},
	{"id_number", "身份证号", false, "18 位居民身份证号，校验末位校验码", "110101199003070011"},
	{"phone", "联系电话", false, "手机或固定电话", "13800138000"},
	{"address", "通讯地址", false, "", "示范市城关镇幸福路 1 号"},
	{"person_count", "信访人数", false, "整数，默认 1", "1"},
	{"summary", "概况", true, "200 字以内", "反映拖欠工程款问题"},
	{"content", "投诉内容", true, "", "某建筑公司拖欠工程款三个月未付。"},
	{"request", "诉求", false, "", "请求督促支付工程款"},
	{"category", "内容分类", true, "见“字典”：内容分类（代码或名称）", "1401"},
	{"purpose", "信访目的", true, "见“字典”：信访目的", "申诉求决"},
	{"locality", "问题属地", true, "单位名称或代码，见“字典”：单位", "城关镇"},
	{"reg_unit", "登记单位", false, "单位名称或代码；空则为导入人所在单位", ""},
	{"state", "状态", true, "见“字典”：状态", "办理中"},
	{"handling_unit", "承办单位", false, "待签收、已签收、办理中、已答复、办结须填写", "城关镇"},
	{"state_on", "状态日期", false, "转送（待签收、已签收）、受理（办理中）、答复、办结等的日期；空则为收到日期", "2023-06-05"},
	{"outcome", "处理结果", false, "已答复、办结须填写：支持、解释说明、不予支持", ""},
	{"legal_case", "涉法涉诉", false, "是/否，默认否", "否"},
}

// CaseImportColumns are the columns of the backlog cases' template.
var CaseImportColumns = []Column{
	{"number", "原编号", true, "原台账中的积案编号；导入后沿用，重复导入以此识别", "SFS-JA-2022-0007"},
	{"title", "案件名称", true, "", "某小区业主反映物业问题"},
	{"source", "积案来源", true, "见“字典”：积案来源", "市排查"},
	{"petitioners", "信访人", true, "姓名，多人以顿号分隔", "李四、王五"},
	{"summary", "案情概要", true, "", "业主多次反映物业服务问题未解决。"},
	{"unit", "责任单位", true, "单位名称或代码，见“字典”：单位", "城关镇"},
	{"leader", "包案领导", true, "领导的用户名或姓名", "sw.fsj"},
	{"deadline", "化解时限", true, "YYYY-MM-DD", "2023-12-31"},
	{"state", "状态", true, "未化解 或 化解中", "化解中"},
	{"created_on", "立案日期", true, "YYYY-MM-DD", "2022-08-15"},
	{"petitions", "关联信访件编号", false, "已在系统中的信访件编号，多个以顿号分隔", ""},
}

// ImportColumns returns the columns of kind's template.
func ImportColumns(kind xinfang.ImportKind) []Column {
	if kind == xinfang.ImportCases {
		return CaseImportColumns
	}
	return PetitionImportColumns
}

// ImportSheetName is the data sheet of a template: the first sheet, which
// is the one read.
const ImportSheetName = "导入数据"

// Dict is one dictionary of a template's 字典 sheet: code and name pairs.
type Dict struct {
	Name string
	Rows [][2]string
}

// Template writes kind's import template: the data sheet with the head
// and one example row (cells formatted as text, so that numbers and dates
// stay as typed), the notes on each column, and the dictionaries.
func Template(out io.Writer, kind xinfang.ImportKind, dicts []Dict) error {
	f := excelize.NewFile()
	defer f.Close()
	cols := ImportColumns(kind)
	if err := f.SetSheetName("Sheet1", ImportSheetName); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		head := c.Head
		if c.Required {
			head += "*"
		}
		if err := f.SetCellValue(ImportSheetName, name+"1", head); err != nil {
			return err
		}
		if err := f.SetCellStyle(ImportSheetName, name+"1", name+"1", st.head); err != nil {
			return err
		}
		if err := f.SetColStyle(ImportSheetName, name, textStyle); err != nil {
			return err
		}
		if err := f.SetCellStyle(ImportSheetName, name+"1", name+"1", st.head); err != nil {
			return err
		}
		if err := f.SetCellStr(ImportSheetName, name+"2", c.Example); err != nil {
			return err
		}
		w := float64(utf8.RuneCountInString(c.Example))*1.6 + 4
		if w < 12 {
			w = 12
		}
		if w > 40 {
			w = 40
		}
		if err := f.SetColWidth(ImportSheetName, name, name, w); err != nil {
			return err
		}
	}
	// The notes.
	const notes = "填写说明"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	rows := [][]string{{"列", "必填", "说明"}}
	for _, c := range cols {
		req := ""
		if c.Required {
			req = "是"
		}
		rows = append(rows, []string{c.Head, req, c.Note})
	}
	rows = append(rows, []string{}, []string{"第 1 行为表头，勿改动；第 2 行为示例，导入前请删除。每行一件，导入时逐行校验，全部无误才导入，任何一行有误则不导入任何数据。"},
		[]string{"同一文件再次导入时，原编号已导入且内容相同的行不作改动。"})
	for i, r := range rows {
		for j, v := range r {
			name, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(notes, name, v); err != nil {
				return err
			}
		}
	}
	_ = f.SetColWidth(notes, "A", "A", 16)
	_ = f.SetColWidth(notes, "C", "C", 70)
	// The dictionaries, side by side: code and name of each.
	const dictSheet = "字典"
	if _, err := f.NewSheet(dictSheet); err != nil {
		return err
	}
	for k, d := range dicts {
		c1, _ := excelize.ColumnNumberToName(3*k + 1)
		c2, _ := excelize.ColumnNumberToName(3*k + 2)
		if err := f.SetCellStr(dictSheet, c1+"1", d.Name); err != nil {
			return err
		}
		_ = f.SetCellStr(dictSheet, c1+"2", "代码")
		_ = f.SetCellStr(dictSheet, c2+"2", "名称")
		for i, r := range d.Rows {
			if err := f.SetCellStr(dictSheet, fmt.Sprintf("%s%d", c1, i+3), r[0]); err != nil {
				return err
			}
			if err := f.SetCellStr(dictSheet, fmt.Sprintf("%s%d", c2, i+3), r[1]); err != nil {
				return err
			}
		}
		_ = f.SetColWidth(dictSheet, c2, c2, 24)
	}
	f.SetActiveSheet(0)
	return f.Write(out)
}

// RowReader reads the rows of an uploaded file one at a time.
type RowReader struct {
	line  int
	next  func() ([]string, error)
	close func() error
}

// ErrNotTable says that a file is neither a workbook nor CSV text.
var ErrNotTable = errors.New("文件不是 Excel 工作簿（.xlsx）或 CSV 文本")

// OpenRows opens data, an .xlsx workbook (by its content: a zip) or CSV
// text, for reading row by row. A workbook's first sheet is read with
// excelize's streaming reader, so that memory does not grow with the rows.
func OpenRows(data []byte) (*RowReader, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w：%v", ErrNotTable, err)
		}
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			f.Close()
			return nil, ErrNotTable
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			f.Close()
			return nil, err
		}
		r := &RowReader{close: func() error { rows.Close(); return f.Close() }}
		r.next = func() ([]string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return nil, err
				}
				return nil, io.EOF
			}
			return rows.Columns()
		}
		return r, nil
	}
	if bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")) {
		return nil, errors.New("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后导入")
	}
	text := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(text) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(text)
		if err != nil {
			return nil, ErrNotTable
		}
		text = dec
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, ErrNotTable
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &RowReader{next: cr.Read, close: func() error { return nil }}, nil
}

// Next returns the next row's cells (trimmed), and its number as the
// spreadsheet shows it; io.EOF after the last.
func (r *RowReader) Next() ([]string, int, error) {
	cells, err := r.next()
	if err != nil {
		if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
			return nil, r.line + 1, fmt.Errorf("第 %d 行不是有效的 CSV：%v", pe.Line, pe.Err)
		}
		return nil, r.line + 1, err
	}
	r.line++
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.TrimSpace(c)
	}
	return out, r.line, nil
}

// Close releases the reader.
func (r *RowReader) Close() error { return r.close() }

// HeadIndex finds each column of cols in a head row, by its head with or
// without the required mark "*": the index of each key's cell, and a
// problem for each required column missing or head not known.
func HeadIndex(head []string, cols []Column) (map[string]int, []xinfang.ImportProblem) {
	byHead := map[string]string{}
	for _, c := range cols {
		byHead[c.Head] = c.Key
	}
	idx := map[string]int{}
	var probs []xinfang.ImportProblem
	for i, h := range head {
		h = strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), "*")
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		k, ok := byHead[h]
		if !ok {
			probs = append(probs, xinfang.ImportProblem{Row: 1, Column: h, Message: "未知的列（请使用导入模板）"})
			continue
		}
		if _, dup := idx[k]; dup {
			probs = append(probs, xinfang.ImportProblem{Row: 1, Column: h, Message: "列重复"})
			continue
		}
		idx[k] = i
	}
	for _, c := range cols {
		if _, ok := idx[c.Key]; !ok && c.Required {
			probs = append(probs, xinfang.ImportProblem{Row: 1, Column: c.Head, Message: "缺少必填列"})
		}
	}
	return idx, probs
}
