package web

import (
	"net/http"
	"net/url"

	"xinfang"
)

// pageRoutes registers the staff pages.
func (s *Server) pageRoutes() {}

// errorPage renders an error for a page request.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	http.Error(w, xinfang.ErrorMessage(err), status)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
