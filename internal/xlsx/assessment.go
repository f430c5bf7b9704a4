package xlsx

import (
	"io"
	"strconv"

	"xinfang"
)

// AssessmentSheet writes a year's assessment as one sheet: the ranking,
// then each unit's breakdown line by line (what was scored, the figure,
// the points and the maximum, the note).
func AssessmentSheet(out io.Writer, a *xinfang.Assessment) error {
	s, err := NewStream(out, "年度考核", []float64{8, 22, 40, 22, 10, 10, 24})
	if err != nil {
		return err
	}
	title := strconv.Itoa(a.Rules.Year) + " 年度信访工作考核"
	if a.Rules.Frozen {
		title += "（已冻结）"
	}
	rows := [][]string{{title}, {"名次", "单位", "得分"}}
	styles := []int{StyleTitle, StyleHead}
	for _, u := range a.Units {
		rows = append(rows, []string{strconv.Itoa(u.Rank), u.UnitName, num(u.Score)})
		styles = append(styles, StyleText)
	}
	rows = append(rows, []string{""}, []string{"名次", "单位", "考核项目", "数据", "得分", "满分", "说明"})
	styles = append(styles, StyleText, StyleHead)
	for _, u := range a.Units {
		for _, l := range u.Lines {
			max := ""
			if l.Max > 0 {
				max = num(l.Max)
			}
			rows = append(rows, []string{strconv.Itoa(u.Rank), u.UnitName, l.Item, l.Figure, num(l.Points), max, l.Note})
			styles = append(styles, StyleText)
		}
		rows = append(rows, []string{strconv.Itoa(u.Rank), u.UnitName, "合计", "", num(u.Score), "", ""})
		styles = append(styles, StyleHead)
	}
	for i, r := range rows {
		if err := s.Row(styles[i], r...); err != nil {
			return err
		}
	}
	return s.Close()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
