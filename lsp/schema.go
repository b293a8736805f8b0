package lsp

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/schema"
)

// The catalog cache (package schema) of the remote being served. A
// connection attempt first opens the remote's disk cache without a source,
// so completion and hover know the catalog before Spark answers, and
// offline when it never does; once connected, a cache over the client
// replaces it and refreshes in the background. A reconnect or the end of
// the session closes it (saving it to disk). Completion and hover read it
// through a catalogView and never wait on Spark beyond the cache's budget.

// schemaState is the server's catalog cache. cur is written under
// spark.mu (with the connection generation it belongs to) and read without
// locking.
type schemaState struct {
	// dir holds the cache files ("": the user cache directory).
	dir string
	// offline keeps every cache without a source: no catalog calls at all.
	// Tests of other features set it so that Spark sees only their calls.
	offline bool
	// pinned, when set, is served whatever the connection (tests).
	pinned *schema.Cache

	cur     atomic.Pointer[liveCache]
	touches ide.TouchLimiter
}

// liveCache is the current cache and whether it has a source (its loads
// may still bring more).
type liveCache struct {
	cache  *schema.Cache
	online bool
}

// catalogChangeTimeout bounds the reloads after a run changed the catalog;
// the run answers after them, so the next completion sees the change.
const catalogChangeTimeout = 10 * time.Second

// catalog returns the schema cache, or nil before any connection attempt.
func (s *Server) catalog() *schema.Cache {
	c, _ := s.liveCatalog()
	return c
}

// liveCatalog returns the schema cache and whether it loads from Spark.
func (s *Server) liveCatalog() (*schema.Cache, bool) {
	if s.schema.pinned != nil {
		return s.schema.pinned, true
	}
	if lc := s.schema.cur.Load(); lc != nil {
		return lc.cache, lc.online
	}
	return nil, false
}

// openSchema opens the cache of key over src (nil: disk only) for
// connection generation gen and makes it current, closing the one it
// replaces; with a source it starts a full refresh in the background. A
// superseded generation's cache is closed at once. version is the Spark
// version of the server src reads ("": the one the cache file recorded),
// whose built-ins completion and hover offer.
func (s *Server) openSchema(gen uint64, key string, src schema.Source, version string) {
	if s.schema.offline {
		src = nil
	}
	c := schema.New(src, schema.Options{Key: key, Dir: s.schema.dir, Logger: s.log, SparkVersion: version})
	s.spark.mu.Lock()
	if gen != s.spark.gen {
		s.spark.mu.Unlock()
		s.closeSchema(c)
		return
	}
	old := s.schema.cur.Swap(&liveCache{cache: c, online: src != nil})
	s.spark.mu.Unlock()
	if old != nil {
		s.goBackground(func() { s.closeSchema(old.cache) })
	}
	st := c.Stats()
	s.log.Info("schema cache opened", "online", src != nil, "path", c.Path(), "tables", st.Tables, "columns", st.Columns, "age", st.Age.Round(time.Second))
	if src != nil {
		c.RefreshAsync()
	}
}

// sparkVersionSeen is the Spark version whose built-ins apply: the catalog
// cache's (the server's, or the one last seen), "" for the newest.
func (s *Server) sparkVersionSeen() string {
	if c := s.catalog(); c != nil {
		return c.Snapshot().SparkVersion
	}
	return ""
}

// dropSchemaLocked takes the current cache away for the caller to close;
// spark.mu is held.
func (s *Server) dropSchemaLocked() *schema.Cache {
	if lc := s.schema.cur.Swap(nil); lc != nil {
		return lc.cache
	}
	return nil
}

// closeSchema stops a cache's loads and saves it.
func (s *Server) closeSchema(c *schema.Cache) {
	if c == nil {
		return
	}
	if err := c.Close(); err != nil {
		s.log.Warn("saving the schema cache", "path", c.Path(), "err", err)
	}
}

// catalogChanged reloads what each statement of a run changed in the
// catalog (run.go's onCatalogChanged), before the run answers, so that the
// next completion sees it.
func (s *Server) catalogChanged(stmts []string) {
	c, online := s.liveCatalog()
	if !online {
		return // nothing to reload from: the next connection refreshes
	}
	ctx, cancel := context.WithTimeout(s.ctx, catalogChangeTimeout)
	defer cancel()
	for _, st := range stmts {
		h, ok := schema.DDLHint(st)
		if !ok {
			continue // CACHE TABLE, MSCK REPAIR, ...: no name changes
		}
		if err := c.Invalidate(ctx, h); err != nil {
			s.log.Warn("reloading the catalog after a change", "err", err)
		}
	}
}

// refreshSchema reloads every name of the catalog (sparkls.refreshSchema).
func (s *Server) refreshSchema(ctx context.Context) error {
	if s.schema.offline {
		s.log.Info("schema refresh requested; catalog loading is off")
		return nil
	}
	c := s.catalog()
	if _, ok := s.client(); !ok || c == nil {
		st := s.sparkStatus()
		why := st.State
		if st.Message != "" {
			why += ": " + st.Message
		}
		return fmt.Errorf("%s: not connected to Spark (%s)", CommandRefreshSchema, why)
	}
	began := time.Now()
	err := c.Refresh(ctx)
	var partial *schema.PartialError
	if err != nil && !errors.As(err, &partial) {
		return err
	}
	st := c.Stats()
	s.log.Info("schema refreshed", "took", time.Since(began).Round(time.Millisecond), "namespaces", st.Namespaces, "tables", st.Tables, "failed", st.Failed)
	if partial != nil {
		// What could be listed is in; say what could not.
		s.logToClient(protocol.MessageTypeWarning, "sparkls: "+partial.Error())
	}
	return nil
}

// ---------------------------------------------------------------------------
// Reading the catalog for one request.
