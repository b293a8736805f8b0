package lsp

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/sqltext"
)

// The shapes of VARIANT columns for completion after col: (ide/variant.go):
// learnt by a sample sparkls runs itself, query-only,
//
//	SELECT schema_of_variant_agg(`col`) FROM (SELECT `col` FROM t LIMIT 1000)
//
// at most once per connection, table and column while the answer is kept
// (shapeTTL; a failure too), however fast the user types; a completion
// waits for it at most typesWait. The setting sparkls.variant.sample turns
// it off.

const (
	shapeTTL    = 10 * time.Minute
	shapeRows   = 1000 // the sample
	maxShapes   = 256
	shapeLimits = 1 << 20 // bytes of the answer
)

type shapeCache struct {
	mu      sync.Mutex
	entries map[shapeKey]*shapeEntry
}

type shapeKey struct {
	client        *connect.Client
	table, column string
}

type shapeEntry struct {
	done  chan struct{}
	at    time.Time
	shape string
	ok    bool
}

// reset forgets every shape (the catalog changed).
func (c *shapeCache) reset() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// variantShapes is the connected session as ide.VariantShapes, or nil when
// not connected or the setting is off.
func (s *Server) variantShapes(settings Settings) ide.VariantShapes {
	client, ok := s.client()
	if !ok || !settings.Variant.Sample {
		return nil
	}
	return shapeSampler{s: s, client: client}
}

type shapeSampler struct {
	s      *Server
	client *connect.Client
}

// Shape answers from the cache, or starts the sample and answers that the
// shape is not known yet (completion answers from the cache only).
func (a shapeSampler) Shape(ctx context.Context, table []string, column string) (string, bool) {
	c := &a.s.shapes
	name := sqltext.QuoteParts(sqltext.QuoteAlways, table...)
	key := shapeKey{a.client, strings.ToLower(name), strings.ToLower(column)}
	c.mu.Lock()
	e, found := c.entries[key]
	if found && time.Since(e.at) > shapeTTL {
		select {
		case <-e.done:
			found = false // stale: sample again
		default:
		}
	}
	if !found {
		if c.entries == nil || len(c.entries) >= maxShapes {
			c.entries = map[shapeKey]*shapeEntry{}
		}
		e = &shapeEntry{done: make(chan struct{}), at: time.Now()}
		c.entries[key] = e
	}
	c.mu.Unlock()
	if !found {
		col := sqltext.QuoteAlways(column)
		query := "SELECT schema_of_variant_agg(" + col + ") FROM (SELECT " + col + " FROM " + name + " LIMIT " + strconv.Itoa(shapeRows) + ")"
		a.s.goBackground(func() { a.sample(query, e) })
	}
	select {
	case <-e.done:
		return e.shape, e.ok
	default:
		return "", false
	}
}

func (a shapeSampler) sample(query string, e *shapeEntry) {
	defer close(e.done)
	ctx, cancel := context.WithTimeout(a.s.ctx, typesTimeout)
	defer cancel()
	client, _ := a.s.analysisOf(ctx, a.client) // a copy of the session, where the server has one
	r, err := client.Run(ctx, query, connect.RunOptions{Limits: connect.Limits{Rows: 1, Bytes: shapeLimits}, QueryOnly: true})
	if err != nil || len(r.Rows) != 1 || len(r.Rows[0]) != 1 || r.Rows[0][0].Null {
		return
	}
	e.shape, e.ok = r.Rows[0][0].Text, true
}
