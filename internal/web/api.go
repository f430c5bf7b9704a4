package web

import "net/http"

// apiRoutes registers the JSON API under /api/v1.
func (s *Server) apiRoutes() {
	s.mux.HandleFunc("GET /api/v1/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
