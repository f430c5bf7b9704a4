package calendar_test

import (
	"fmt"

	"xinfang/internal/calendar"
)

func ExampleCalendar_DueAfterWorkdays() {
	cal := calendar.Default()
	e := cal.DueAfterWorkdays(calendar.MustParseDate("2026-09-29"), 5)
	fmt.Println(e)
	// Output:
	// 起算日 2026-09-29 不计入，自次日起计算 5 个工作日
	// 2026-10-01 至 2026-10-07 国庆节(法定节假日)，不计为工作日
	// 2026-10-10 为国庆节调休上班，计为第 4 个工作日
	// 2026-10-11 周日休息，不计为工作日
	// 第 5 个工作日为 2026-10-12
}

func ExampleCalendar_DueAfterDays() {
	cal := calendar.Default()
	e := cal.DueAfterDays(calendar.MustParseDate("2026-02-01"), 15, true)
	fmt.Println(e)
	fmt.Println(e.Due, *e.RolledFrom)
	// Output:
	// 起算日 2026-02-01 不计入，自次日起计算 15 日
	// 第 15 日为 2026-02-16
	// 2026-02-16 至 2026-02-23 春节(法定节假日)，不计为工作日
	// 期限末日 2026-02-16 为春节(法定节假日)，顺延至 2026-02-24
	// 2026-02-24 2026-02-16
}
