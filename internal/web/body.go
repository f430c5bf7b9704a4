package web

import (
	"errors"
	"mime"
	"net/http"
	"sort"
	"strconv"

	"xinfang"
)

// Request bodies are read up to a cap per route, before anything else
// reads them (security.md: every request body is validated), so that no
// request, signed in or not, makes the server read, hold or spool more.
const (
	// defaultBodyLimit is the cap of every form and JSON body.
	defaultBodyLimit = 1 << 20
	// smallBodyLimit is the cap of the routes that take no more than a
	// user name and a password, which anyone may call.
	smallBodyLimit = 64 << 10
)

// bodyLimits are the routes of the table whose cap is not the default, by
// their method and pattern. The routes that take a file have the
// attachment limit instead (uploadRoutes).
var bodyLimits = map[string]int64{
	"POST /login":           smallBodyLimit,
	"POST /logout":          smallBodyLimit,
	"POST /password":        smallBodyLimit,
	"POST /api/v1/login":    smallBodyLimit,
	"POST /api/v1/logout":   smallBodyLimit,
	"POST /api/v1/password": smallBodyLimit,
}

// bodyLimit is the cap of the route registered as pattern ("POST /login").
func bodyLimit(pattern string) int64 {
	if n, ok := bodyLimits[pattern]; ok {
		return n
	}
	return defaultBodyLimit
}

// limitBody caps the body of r at its route's limit and reads a page's
// form at once: a body over the cap is ETOOLARGE (413), and is not read
// further. The JSON of the API is read by checkInput, before its handler.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := s.mux.Handler(r)
		if uploadRoutes[pattern] || importUploadRoutes[pattern] {
			limit := s.attachmentLimit()
			if importUploadRoutes[pattern] {
				limit = xinfang.MaxImportSize
			}
			if err := readUpload(w, r, limit+uploadSlack); err != nil {
				s.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if err := readBody(w, r, bodyLimit(pattern)); err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// readBody caps r's body at limit bytes. A page's form is parsed here,
// a multipart form in memory: with the body capped at limit, no part of it
// can reach ParseMultipartForm's spill to disk, and a file is refused,
// since no route takes one.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) error {
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if isAPI(r) {
		return nil
	}
	var err error
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		if err = r.ParseMultipartForm(limit); err == nil && len(r.MultipartForm.File) > 0 {
			names := make([]string, 0, len(r.MultipartForm.File))
			for k := range r.MultipartForm.File {
				names = append(names, k)
			}
			sort.Strings(names)
			r.MultipartForm.RemoveAll()
			return xinfang.FieldError(names[0], "此处不接受上传文件")
		}
	}
	if err != nil {
		if big := tooLargeOf(err); big != nil {
			return big
		}
		return xinfang.FieldError("body", "表单无法解析")
	}
	return nil
}

// readUpload caps the body of an upload route at limit bytes and parses a
// page's form with its file: the fields, the CSRF token among them, in
// memory, the file on disk past uploadMemory (removed after the request
// by net/http). The API's form is parsed by its handler.
func readUpload(w http.ResponseWriter, r *http.Request, limit int64) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		// No file: read as any other form, and the handler says what is missing.
		return readBody(w, r, defaultBodyLimit)
	}
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if isAPI(r) {
		return nil
	}
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		if big := tooLargeOf(err); big != nil {
			return big
		}
		return xinfang.FieldError("file", "请以表单上传文件")
	}
	return nil
}

// tooLargeOf returns ETOOLARGE when err is a read of a capped body that hit
// its cap, else nil.
func tooLargeOf(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return nil
}

// tooLarge is the error of a body over limit bytes.
func tooLarge(limit int64) error {
	size := strconv.FormatInt(limit>>10, 10) + " KiB"
	if limit >= 1<<20 && limit%(1<<20) == 0 {
		size = strconv.FormatInt(limit>>20, 10) + " MiB"
	}
	return xinfang.Errorf(xinfang.ETOOLARGE, "提交的内容过大（上限 %s）", size)
}
