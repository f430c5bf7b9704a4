package web

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"

	"xinfang"
)

// wantRefusal fails unless err is a refusal of input: EINVALID naming at
// least one field, or ETOOLARGE; never a panic, never an internal error.
func wantRefusal(t *testing.T, err error) {
	t.Helper()
	switch xinfang.ErrorCode(err) {
	case xinfang.EINVALID:
		if len(xinfang.ErrorFields(err)) == 0 {
			t.Fatalf("refused without naming a field: %v", err)
		}
		for k, m := range xinfang.ErrorFields(err) {
			if k == "" || m == "" {
				t.Fatalf("a field without a name or a message: %v", err)
			}
		}
	case xinfang.ETOOLARGE:
	default:
		t.Fatalf("not a refusal of input: %v", err)
	}
}

// FuzzPetitionFilter: the one parser of the petition list and the ledger
// never panics; what it refuses it refuses naming parameters of the query;
// what it accepts round-trips: the query the ledger repeats in its links
// (kept) reads back to the same filter, and from is before to.
func FuzzPetitionFilter(f *testing.F) {
	for _, s := range []string{
		"", "state=registered,handling&unit_id=2&channel=letter&category=05&warning=near&from=2026-03-01&to=2026-03-05&q=%E5%B7%A5%E8%B5%84&open=true&sort=due&legal_case=false",
		"state=registered&state=handling", "state=lost", "stat=x", "from=2026-03-05&to=2026-03-01", "from=2026-02-30", "category=%25",
		"unit_id=-1", "repeat=maybe", "q=+a+&q=b", "channel=&channel=letter", "sort=number&sort=colour", "petitioner_id=9223372036854775808",
		"to=9999-12-31", "open=1", "%zz=1", "a;b=c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		vals, _ := url.ParseQuery(raw) // as r.URL.Query() reads it
		q := newQuery(vals)
		flt := petitionFilter(q)
		if err := q.err(); err != nil {
			wantRefusal(t, err)
			names := map[string]bool{}
			for k := range vals {
				names[fieldName(k)] = true
			}
			for k := range xinfang.ErrorFields(err) {
				if !names[k] {
					t.Fatalf("%q: the error names %q, not a parameter of the query: %v", raw, k, err)
				}
			}
			return
		}
		if !flt.From.IsZero() && !flt.To.IsZero() && !flt.From.Before(flt.To) {
			t.Fatalf("%q: from %v not before to %v", raw, flt.From, flt.To)
		}
		kept := q.kept()
		q2 := newQuery(kept)
		again := petitionFilter(q2)
		if err := q2.err(); err != nil {
			t.Fatalf("%q accepted, its kept form %q refused: %v", raw, kept.Encode(), err)
		}
		if !reflect.DeepEqual(flt, again) {
			t.Fatalf("%q reads as %+v, its kept form %q as %+v", raw, flt, kept.Encode(), again)
		}
	})
}

// FuzzRegistrationBody: the API's registration body, through what the
// route does before storage — checkInput, decodeJSON, the petition it
// makes and the domain's Validate — never panics and refuses only with a
// named field; a petition Validate accepts holds text only, and is
// accepted again unchanged: validation is a fixed point.
func FuzzRegistrationBody(f *testing.F) {
	for _, s := range []string{
		`{"channel":"visit","received_at":"2026-03-02T09:30:00+08:00","petitioner":{"name":"张三","id_number":"11010519491231002X","phone":"13812345678","address":"甲镇幸福村 3 组"},"co_petitioners":[],"summary":"反映拖欠工资问题","content":"……","request":"要求结清工资","category":"0501","purpose":"claim","locality_id":4}`,
		`{"channel":"letter","received_at":"2026-03-01","anonymous":true,"summary":"x","content":"y","category":"05","purpose":"proposal","locality_id":1,"person_count":7,"cross_flags":"跨地区,cross_region"}`,
		`{"channel":"visit","received_at":"2026-03-02T09:30","petitioner":{"name":" 李四 ","org":true,"org_code":"91350100m000100y43","id_type":"passport","id_number":"e1234５６７８"},"co_petitioners":[{"name":"王五","phone":"010-62345678"},null],"summary":"s","content":"c","category":"0501","purpose":"claim","locality_id":4,"involved_count":3}`,
		`{"summary":"a\u0000b"}`, `{"co_petitioners":[{"name":"\u202e"}]}`, `{"received_at":"1900-01-01"}`, `{"person_count":1e30}`,
		`{"state":"closed"}`, `[]`, `"x"`, `{`, ``, `{"petitioner":{"key_person":true,"key_reason":"\t扬言\n"}}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/petitions", bytes.NewReader(body))
		if err := checkInput(r, "/api/v1/petitions"); err != nil {
			wantRefusal(t, err)
			return
		}
		var in apiRegistration
		if err := decodeJSON(r, &in); err != nil {
			wantRefusal(t, err)
			return
		}
		p, err := in.petition()
		if err != nil {
			wantRefusal(t, err)
			return
		}
		if err := p.Validate(now); err != nil {
			wantRefusal(t, err)
			return
		}
		forEachString(reflect.ValueOf(p), func(s string) {
			if msg := xinfang.TextProblem(s); msg != "" {
				t.Fatalf("accepted a petition holding %q: %s", s, msg)
			}
		})
		before, _ := json.Marshal(p)
		if err := p.Validate(now); err != nil {
			t.Fatalf("accepted %s, then refused it: %v", before, err)
		}
		if after, _ := json.Marshal(p); !bytes.Equal(before, after) {
			t.Fatalf("validating again changed %s into %s", before, after)
		}
	})
}

// forEachString calls fn with every string reachable from v.
func forEachString(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			forEachString(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				forEachString(v.Field(i), fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			forEachString(v.Index(i), fn)
		}
	}
}
