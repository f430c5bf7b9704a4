package xlsx

import (
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// PetitionSheetName is the sheet of the petition ledger's export (信访台账).
const PetitionSheetName = "信访台账"

// petitionColumns are the columns of the petition ledger's export and of
// its printed list, with their widths in the spreadsheet.
var petitionColumns = []struct {
	head  string
	width float64
}{
	{"序号", 7}, {"编号", 22}, {"收到时间", 17}, {"信访形式", 9}, {"信访人", 10}, {"证件号码", 21}, {"联系电话", 14},
	{"问题属地", 14}, {"内容分类", 14}, {"概况", 40}, {"状态", 10}, {"承办单位", 16}, {"办理期限", 11}, {"预警", 9},
}

// PetitionHeader is the header row of the petition ledger.
func PetitionHeader() []string {
	out := make([]string, len(petitionColumns))
	for i, c := range petitionColumns {
		out[i] = c.head
	}
	return out
}

// PetitionWidths are the widths of the petition ledger's columns.
func PetitionWidths() []float64 {
	out := make([]float64, len(petitionColumns))
	for i, c := range petitionColumns {
		out[i] = c.width
	}
	return out
}

// PetitionRow is the n-th row (1-based) of the petition ledger: p's
// columns, with the ID number and phone of its petitioner always masked
// (the ledger leaves the system), and its 内容分类 by its label in
// catLabels where there is one.
func PetitionRow(n int, p *xinfang.Petition, catLabels map[string]string) []string {
	var name, id, phone string
	if p.Anonymous {
		name = "匿名"
	} else if pt := p.Petitioner; pt != nil {
		name = pt.Name
		if pt.IDNumber != "" {
			id = xinfang.MaskIDNumber(pt.IDNumber)
		}
		if pt.Phone != "" {
			phone = xinfang.MaskPhone(pt.Phone)
		}
	}
	locality, unit := "", ""
	if p.Locality != nil {
		locality = p.Locality.Name
	}
	if p.HandlingUnit != nil {
		unit = p.HandlingUnit.Name
	} else if p.RegUnit != nil {
		unit = p.RegUnit.Name
	}
	category := catLabels[p.Category]
	if category == "" {
		category = p.Category
	}
	due, received := "", ""
	if !p.DueDate.IsZero() {
		due = p.DueDate.String()
	}
	if !p.ReceivedAt.IsZero() {
		received = p.ReceivedAt.In(calendar.Location()).Format("2006-01-02 15:04")
	}
	return []string{strconv.Itoa(n), p.Number, received, p.Channel.Label(), name, id, phone,
		locality, category, p.Summary, p.State.Label(), unit, due, p.Warning.Label()}
}
