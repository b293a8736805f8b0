package lsp

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/schema"
)

// The analysis session: diagnostics and catalog lookups run on a copy of
// the user's Spark session (CloneSession, Spark 4.1+), so that nothing they
// send can change the session the user's runs use (its settings, current
// namespace, temporary objects), while they still see what those runs
// made: a run that sent anything but queries makes the copy stale, and the
// next analysis copies the session again. A server without CloneSession
// (the client remembers its UNIMPLEMENTED) analyses on the user's session.

// cloneTimeout bounds one CloneSession call; analysis waits for it.
const cloneTimeout = 5 * time.Second

// staleRelease is how long a stale copy lives on before its session is
// released: releasing interrupts what still runs there, and a catalog read
// interrupted inside a Hive metastore call leaks one of the metastore's
// pooled connections (see connect's execOptions). Catalog loads end
// within their timeout (2 min) meanwhile.
const staleRelease = 2 * time.Minute

type analysisSession struct {
	mu     sync.Mutex      // held while cloning: analyses wait for the one copy
	parent *connect.Client // the user's session that clone copies
	clone  *connect.Client // nil: none yet, or stale; parent: no copy (unsupported)
	src    *connect.SchemaSource
}

// analysisClient returns the client analysis runs on: the copy of the
// connected client's session, made now if there is none (or it is stale),
// else the connected client itself. ok is false when not connected.
func (s *Server) analysisClient(ctx context.Context) (*connect.Client, bool) {
	c, ok := s.client()
	if !ok {
		return nil, false
	}
	ac, _ := s.analysisOf(ctx, c)
	return ac, true
}

// analysisOf returns the client analysis of c's session runs on and its
// schema source.
func (s *Server) analysisOf(ctx context.Context, c *connect.Client) (*connect.Client, *connect.SchemaSource) {
	a := &s.analysis
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.parent == c && a.src != nil {
		return a.clone, a.src
	}
	s.dropCloneLocked()
	a.parent = c
	cctx, cancel := context.WithTimeout(ctx, cloneTimeout)
	clone, err := c.Clone(cctx)
	cancel()
	switch {
	case errors.Is(err, connect.ErrUnsupported):
		a.clone, a.src = c, c.SchemaSource()
		return c, a.src
	case err != nil:
		a.parent = nil // try again next time
		s.log.Warn("copying the session for analysis failed; analysing on the session of your runs", "err", err)
		return c, c.SchemaSource()
	}
	a.clone, a.src = clone, clone.SchemaSource()
	s.log.Debug("analysis session copied", "session", clone.SessionID())
	return clone, a.src
}

// analysisStale makes the next analysis copy the session again: a run
// changed it (or may have).
func (s *Server) analysisStale() {
	s.analysis.mu.Lock()
	defer s.analysis.mu.Unlock()
	s.dropCloneLocked()
}

// dropCloneLocked releases the copy in the background; analysis.mu is held.
func (s *Server) dropCloneLocked() {
	a := &s.analysis
	if old := a.clone; old != nil && old != a.parent {
		s.goBackground(func() {
			t := time.NewTimer(staleRelease)
			defer t.Stop()
			select {
			case <-t.C:
			case <-s.ctx.Done():
			}
			old.Close()
		})
	}
	a.clone, a.parent, a.src = nil, nil, nil
}

// analysisSource is the schema source over the analysis session of c's,
// for the catalog cache of c's connection.
func (s *Server) analysisSource(c *connect.Client) func() schema.Source {
	return func() schema.Source {
		ctx, cancel := context.WithTimeout(s.ctx, cloneTimeout)
		defer cancel()
		_, src := s.analysisOf(ctx, c)
		return src
	}
}
