package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// Reading the staff pages' forms: the values of a posted form turned into
// the domain's types, a bad value a problem named after its field.

// formID reads an id typed or chosen in a form; anything else is 0, which
// the domain refuses where an id is required.
func formID(v string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return id
}

// formDate reads the date field name of a form: "" is no date; a date that
// is not YYYY-MM-DD or does not exist is a problem on that field.
func formDate(f url.Values, name string, p xinfang.Problems) calendar.Date {
	return formDateAs(f, name, name, p)
}

// formDateAs is formDate for a form field whose problem is reported under
// the name the domain gives it (followup_date → followup.date).
func formDateAs(f url.Values, name, field string, p xinfang.Problems) calendar.Date {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		p.Add(field, err.Error())
	}
	return d
}

// formCodes reads the values of a repeated form field as codes; nil
// stays nil.
func formCodes[T ~string](vs []string) []T {
	if vs == nil {
		return nil
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(v)
	}
	return out
}

// parseForm reads a POST form, refusing one that cannot be read.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return xinfang.FieldError("body", "表单无法解析")
	}
	return nil
}

// recordForm reads a form posted to a record's page: the record's id from
// the path, the form, and the record's version as the writer read it.
func recordForm(r *http.Request) (int64, url.Values, int, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, 0, err
	}
	if err := parseForm(r); err != nil {
		return 0, nil, 0, err
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	return id, r.PostForm, version, nil
}
