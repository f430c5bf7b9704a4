package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"

	"xinfang"
)

// checkInput refuses, before any handler runs, text no field may hold
// (xinfang.TextProblem: NUL and other control characters, bidi controls,
// invalid UTF-8): in a path value, a query parameter, a form field, or
// any string of a JSON body, key or value. Each is named as the API
// names its fields — the parameter, the form field, the JSON path such as
// co_petitioners.0.name — in one EINVALID error. The JSON body of the API
// is read here, within the cap limitBody set, and given back to the
// handler as it came.
func checkInput(r *http.Request, pattern string) error {
	p := xinfang.Problems{}
	for _, name := range pathNames(pattern) {
		refuseText(p, name, r.PathValue(name))
	}
	checkValues(p, r.URL.Query())
	if r.PostForm != nil {
		checkValues(p, r.PostForm)
	}
	if isAPI(r) && hasBody(r) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if big := tooLargeOf(err); big != nil {
				return big
			}
			return xinfang.FieldError("body", "请求体无法读取")
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		// A body that is not JSON is refused by decodeJSON, with its reason.
		checkJSON(p, body)
	}
	return p.Err()
}

// hasBody reports whether r is of a method whose body a handler reads.
func hasBody(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// refuseText adds the problem of v, if any, on field.
func refuseText(p xinfang.Problems, field, v string) {
	if msg := xinfang.TextProblem(v); msg != "" {
		p.Add(field, msg)
	}
}

// fieldName is the name under which a parameter or member called name is
// reported: name itself, or quoted in ASCII when it is empty or holds what
// no text may, so that every error names something that can be read.
func fieldName(name string) string {
	if name == "" || xinfang.TextProblem(name) != "" {
		return strconv.QuoteToASCII(name)
	}
	return name
}

// checkName returns fieldName(name), adding a problem when the name
// itself holds what no text may.
func checkName(p xinfang.Problems, name string) string {
	if msg := xinfang.TextProblem(name); msg != "" {
		p.Add(fieldName(name), "名称中"+msg)
	}
	return fieldName(name)
}

// checkValues checks the names and values of a query or a form.
func checkValues(p xinfang.Problems, vs map[string][]string) {
	keys := make([]string, 0, len(vs))
	for k := range vs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field := checkName(p, k)
		for _, v := range vs[k] {
			refuseText(p, field, v)
		}
	}
}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(?:\.\.\.)?\}`)

// pathNames returns the names of the wildcards of a route's pattern.
func pathNames(pattern string) []string {
	var out []string
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		out = append(out, m[1])
	}
	return out
}

// maxJSONDepth bounds the nesting checkJSON follows; no body of the API
// nests more than a few levels.
const maxJSONDepth = 32

var errJSONDepth = errors.New("json nested too deep")

// checkJSON checks every string of a JSON body, naming each by its path.
// It stops at the first syntax error, which decodeJSON reports.
func checkJSON(p xinfang.Problems, body []byte) {
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := walkJSON(p, dec, "", 0); err == errJSONDepth {
		p.Add("body", "JSON 嵌套过深")
	}
}

func walkJSON(p xinfang.Problems, dec *json.Decoder, path string, depth int) error {
	if depth > maxJSONDepth {
		return errJSONDepth
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case string:
		if path == "" {
			path = "body"
		}
		refuseText(p, path, t)
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := tok.(string)
				field := joinPath(path, fieldName(key))
				if msg := xinfang.TextProblem(key); msg != "" {
					p.Add(field, "名称中"+msg)
				}
				if err := walkJSON(p, dec, field, depth+1); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walkJSON(p, dec, joinPath(path, strconv.Itoa(i)), depth+1); err != nil {
					return err
				}
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return err
		}
	}
	return nil
}

// joinPath names a member of the JSON value at path, as the domain names
// fields: co_petitioners.0.name.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
