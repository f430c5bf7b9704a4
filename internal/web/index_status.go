package web

import (
	"context"
	"net/http"

	"xinfang"
)

// indexIncomplete returns the progress of the petitions' search and
// repeat index while it is being built, nil once it is complete: the
// answers of search, the ledger's text filter, the repeat check and the
// watch list carry it, so that a client knows their results may miss
// older petitions.
func (s *Server) indexIncomplete(ctx context.Context) *xinfang.IndexStatus {
	if s.IndexStatus == nil {
		return nil
	}
	st := s.IndexStatus(ctx)
	if !st.Building {
		return nil
	}
	return &st
}

// noteIndex shows, on a page whose results come from the index, that the
// index is incomplete.
func (s *Server) noteIndex(r *http.Request, b *base) {
	if st := s.indexIncomplete(r.Context()); st != nil {
		b.IndexNotice = st.Notice()
	}
}

// noteSlowIndexes shows, on a list, that database indexes an upgrade added
// are still being built: the list is complete but may be slow.
func (s *Server) noteSlowIndexes(r *http.Request, b *base) {
	if s.IndexStatus == nil || b.IndexNotice != "" {
		return
	}
	b.IndexNotice = s.IndexStatus(r.Context()).SlowNotice()
}

// listIndexStatus is the index status a list's API answer carries: while
// its text filter's index is incomplete, or while database indexes are
// still being built; nil otherwise.
func (s *Server) listIndexStatus(ctx context.Context, text bool) *xinfang.IndexStatus {
	if s.IndexStatus == nil {
		return nil
	}
	st := s.IndexStatus(ctx)
	if !text {
		st.Building, st.Percent = false, 0
	}
	if !st.Building && st.Indexes == 0 {
		return nil
	}
	return &st
}
