package lsp

import (
	"context"
	"sync"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/schema"
)

// Analyzer-backed types for hover (ide/types.go): each query is analysed
// once per connection and namespace, through connect.Client.Schema (the
// query envelope: analysed, never run), in the background. A hover waits
// at most typesWait for an answer, so it never blocks the editor: what
// comes later answers the next hover.

const (
	typesWait    = 300 * time.Millisecond // longest a hover waits for Spark
	typesTimeout = 20 * time.Second       // longest one analysis may take
	maxTypes     = 512                    // answers kept; then the cache starts over
)

// typeCache holds Spark's answers by connection, namespace and query text.
type typeCache struct {
	mu      sync.Mutex
	entries map[typeKey]*typeEntry
}

type typeKey struct {
	client    *connect.Client
	namespace string
	query     string
}

type typeEntry struct {
	done chan struct{}
	cols []schema.Column
	ok   bool
}

// reset forgets every answer (the catalog changed).
func (c *typeCache) reset() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// typeAnalyzer is the connected session as ide.Analyzer.
type typeAnalyzer struct {
	s         *Server
	client    *connect.Client
	namespace string
}

// analyzer is the ide.Analyzer of the current connection, or nil.
func (s *Server) analyzer() ide.Analyzer {
	client, ok := s.client()
	if !ok {
		return nil
	}
	ns := ""
	if c := s.catalog(); c != nil {
		snap := c.Snapshot()
		ns = snap.CurrentCatalog + "." + snap.CurrentNamespace
	}
	return typeAnalyzer{s: s, client: client, namespace: ns}
}

// Columns answers from the cache, or starts the analysis and waits for it
// at most typesWait.
func (a typeAnalyzer) Columns(ctx context.Context, query string) ([]schema.Column, bool) {
	c := &a.s.types
	key := typeKey{a.client, a.namespace, query}
	c.mu.Lock()
	e, found := c.entries[key]
	if !found {
		if c.entries == nil || len(c.entries) >= maxTypes {
			c.entries = map[typeKey]*typeEntry{}
		}
		e = &typeEntry{done: make(chan struct{})}
		c.entries[key] = e
	}
	c.mu.Unlock()
	if !found {
		a.s.goBackground(func() { a.analyze(key, e) })
	}
	wait := time.NewTimer(typesWait)
	defer wait.Stop()
	select {
	case <-e.done:
		return e.cols, e.ok
	case <-wait.C:
	case <-ctx.Done():
	}
	return nil, false
}

// analyze asks Spark for the columns of key's query. A failure that is not
// Spark's verdict on the query (the connection) is forgotten, so that a
// later hover asks again.
func (a typeAnalyzer) analyze(key typeKey, e *typeEntry) {
	defer close(e.done)
	ctx, cancel := context.WithTimeout(a.s.ctx, typesTimeout)
	defer cancel()
	client, _ := a.s.analysisOf(ctx, a.client) // a copy of the session, where the server has one
	cols, err := client.Schema(ctx, key.query)
	if err != nil {
		if connect.IsTransport(err) || ctx.Err() != nil {
			c := &a.s.types
			c.mu.Lock()
			if c.entries[key] == e {
				delete(c.entries, key)
			}
			c.mu.Unlock()
		}
		return
	}
	e.cols = make([]schema.Column, len(cols))
	for i, col := range cols {
		e.cols[i] = schema.Column{Name: col.Name, Type: col.Type}
	}
	e.ok = true
}
