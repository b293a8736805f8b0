package lsp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
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
	touches touchLimiter
}

// liveCache is the current cache and whether it has a source (its loads
// may still bring more).
type liveCache struct {
	cache  *schema.Cache
	online bool
}

// touchEvery is how often completion asks the cache to prefetch the same
// namespace: Touch looks at every table of it, too much work for every
// keystroke in a namespace of 100,000 tables, and a prefetch in flight or
// done does not need asking again soon.
const touchEvery = 30 * time.Second

// touchLimiter calls Cache.Touch at most once per touchEvery per namespace.
// It holds caches weakly: a closed one is not kept alive.
type touchLimiter struct {
	mu   sync.Mutex
	last map[touchKey]time.Time
}

type touchKey struct {
	cache   weak.Pointer[schema.Cache]
	cat, ns string
}

func (l *touchLimiter) touch(c *schema.Cache, cat, ns string) {
	k := touchKey{weak.Make(c), strings.ToLower(cat), strings.ToLower(ns)}
	now := time.Now()
	l.mu.Lock()
	if at, ok := l.last[k]; ok && now.Sub(at) < touchEvery {
		l.mu.Unlock()
		return
	}
	if l.last == nil || len(l.last) >= 1024 {
		l.last = map[touchKey]time.Time{}
	}
	l.last[k] = now
	l.mu.Unlock()
	c.Touch(cat, ns)
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
// superseded generation's cache is closed at once.
func (s *Server) openSchema(gen uint64, key string, src schema.Source) {
	if s.schema.offline {
		src = nil
	}
	c := schema.New(src, schema.Options{Key: key, Dir: s.schema.dir, Logger: s.log})
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

// catalogView is what one completion or hover reads of the catalog: the
// snapshot, the current namespace at the cursor, and whether every lookup
// was answered in full. All its lookups share one deadline, the cache's
// budget, so a request never waits longer than that however many tables
// it needs.
type catalogView struct {
	cache  *schema.Cache // nil: no catalog (only the text and the built-ins)
	online bool          // the cache loads from Spark
	// touches, when set, rate-limits prefetches (else every one is asked).
	touches *touchLimiter
	snap    *schema.Snapshot
	// cat and ns are the current catalog and namespace at the cursor: those
	// of the last USE before it, else the session's.
	cat, ns string
	// partial is set when a lookup of an online cache answered before its
	// load finished (the answer may grow: completion says isIncomplete).
	partial bool
}

// newCatalogView reads the cache for a cursor at off of text.
func newCatalogView(cache *schema.Cache, online bool, text string, off int) *catalogView {
	v := &catalogView{cache: cache, online: online, snap: schema.NewSnapshot(nil, nil, nil)}
	if cache != nil {
		v.snap = cache.Snapshot()
	}
	v.cat, v.ns = v.snap.CurrentCatalog, v.snap.CurrentNamespace
	if cat, ns, ok := sqltext.CurrentNamespace(text, off); ok {
		if cat != "" {
			v.cat = cat
			if ns == "" {
				ns = "default" // USE CATALOG c: the catalog's default namespace
			}
		}
		if ns != "" {
			v.ns = ns
		}
	}
	return v
}

// lookupCtx is the context all lookups of a request share: the cache's budget.
func lookupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, lookupBudget)
}

// lookupBudget is how long a request waits for the catalog in all (the
// schema cache's default budget).
const lookupBudget = 150 * time.Millisecond

// qualify resolves the parts of a table name as Spark would at the cursor
// (see schema.Snapshot.Qualify), in the current namespace of the view.
func (v *catalogView) qualify(parts []string) schema.Ref {
	switch len(parts) {
	case 0:
		return schema.Ref{}
	case 1:
		if t := v.snap.Table(schema.Ref{Table: parts[0]}); t != nil {
			return schema.Ref{Table: parts[0]} // a temporary view
		}
		return schema.Ref{Catalog: v.cat, Namespace: v.ns, Table: parts[0]}
	case 2:
		return schema.Ref{Catalog: v.cat, Namespace: parts[0], Table: parts[1]}
	}
	n := len(parts)
	return schema.Ref{Catalog: parts[0], Namespace: strings.Join(parts[1:n-1], "."), Table: parts[n-1]}
}

// table returns a table with its columns (nil if unknown), loading what is
// missing within the budget. describe also loads the column comments.
func (v *catalogView) table(ctx context.Context, r schema.Ref, describe bool) *schema.Table {
	if v.cache == nil {
		return v.snap.Table(r)
	}
	var t *schema.Table
	var complete bool
	if describe {
		t, complete = v.cache.Describe(ctx, r)
	} else {
		t, complete = v.cache.Table(ctx, r)
	}
	if !complete && v.online {
		v.partial = true
	}
	v.snap = v.cache.Snapshot()
	return t
}

// namespace returns a namespace with its tables listed (nil if unknown),
// loading the listing within the budget.
func (v *catalogView) namespace(ctx context.Context, cat, ns string) *schema.Namespace {
	if v.cache == nil {
		return v.snap.Namespace(cat, ns)
	}
	n, complete := v.cache.Namespace(ctx, cat, ns)
	if !complete && v.online {
		v.partial = true
	}
	v.snap = v.cache.Snapshot()
	return n
}

// touch prefetches the columns of a namespace the user works in.
func (v *catalogView) touch(cat, ns string) {
	switch {
	case v.cache == nil:
	case v.touches != nil:
		v.touches.touch(v.cache, cat, ns)
	default:
		v.cache.Touch(cat, ns)
	}
}

// refColumn is one column a FROM reference provides.
type refColumn struct {
	Name  string
	Col   *schema.Column // nil when only the text names it (a CTE's, a subquery's)
	Table *schema.Table  // the catalog table it belongs to, if any
}

// refColumns returns the columns a reference provides: those the text
// names, then those of its catalog table or, for SELECT *, of the catalog
// tables it selects from. A table whose columns had to be loaded has its
// namespace prefetched.
func (v *catalogView) refColumns(ctx context.Context, r sqltext.TableRef, describe bool) []refColumn {
	var out []refColumn
	for _, name := range r.Columns {
		out = append(out, refColumn{Name: name})
	}
	tables := r.Sources
	if r.Kind == sqltext.RefTable {
		tables = []sqltext.TableRef{r}
	}
	for _, src := range tables {
		if src.Kind != sqltext.RefTable || len(src.Name) == 0 {
			continue
		}
		ref := v.qualify(src.Name)
		loaded := v.snap.Table(ref)
		t := v.table(ctx, ref, describe)
		if t == nil {
			continue
		}
		if (loaded == nil || !loaded.ColumnsLoaded()) && ref.Namespace != "" {
			v.touch(ref.Catalog, ref.Namespace)
		}
		for i := range t.Columns {
			out = append(out, refColumn{Name: t.Columns[i].Name, Col: &t.Columns[i], Table: t})
		}
	}
	return out
}

// refName is how a reference is named in the text: its alias, else the
// last part of its name.
func refName(r sqltext.TableRef) string {
	if r.Alias != "" {
		return r.Alias
	}
	if len(r.Name) > 0 {
		return r.Name[len(r.Name)-1]
	}
	return ""
}

// quoteName spells a name for SQL: backquoted unless it is a plain
// identifier (sqltext.Quote's rule) that is not a reserved word.
func quoteName(name string) string {
	if q := sqltext.Quote(name); q != name || !isReservedKeyword(name) {
		return q
	}
	return "`" + name + "`"
}

// quoteParts spells a dotted name for SQL, each part as quoteName does.
func quoteParts(parts ...string) string { return sqltext.QuoteParts(quoteName, parts...) }

// kindName is how a table's kind reads in completion details and hovers.
func kindName(k schema.Kind) string {
	switch k {
	case schema.KindView:
		return "view"
	case schema.KindTempView:
		return "temporary view"
	case schema.KindExternal:
		return "external table"
	case schema.KindManaged:
		return "managed table"
	}
	return "table"
}

func isView(k schema.Kind) bool { return k == schema.KindView || k == schema.KindTempView }
