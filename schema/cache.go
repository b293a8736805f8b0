package schema

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a Cache. The zero value is usable (no persistence).
type Options struct {
	// Key names the remote for persistence (RemoteKey); "" keeps the cache
	// in memory only.
	Key string
	// Dir holds the cache files; "" is os.UserCacheDir()/sparkls.
	Dir string
	// TTL is the age after which a snapshot, a namespace listing or a
	// table's columns count as stale and are reloaded in the background
	// while still served. Default 24h.
	TTL time.Duration
	// Budget is how long a lookup that misses waits for an on-demand load
	// before answering with what it has. Default 150ms.
	Budget time.Duration
	// Prefetch bounds the concurrent Source calls of background work
	// (prefetch and full refresh). Default 4.
	Prefetch int
	// LoadTimeout bounds one background load. Default 2m; a full refresh
	// gets 5 times as long.
	LoadTimeout time.Duration
	// SaveDelay debounces saving after a change. Default 2s.
	SaveDelay time.Duration
	// SparkVersion is the version of the Spark server the source reads
	// from; "" keeps the one the cache file recorded.
	SparkVersion string
	// Logger receives one line per ignored cache file, failed background
	// load and save.
	Logger *slog.Logger
	// Now replaces time.Now in tests.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.TTL <= 0 {
		o.TTL = 24 * time.Hour
	}
	if o.Budget <= 0 {
		o.Budget = 150 * time.Millisecond
	}
	if o.Prefetch <= 0 {
		o.Prefetch = 4
	}
	if o.LoadTimeout <= 0 {
		o.LoadTimeout = 2 * time.Minute
	}
	if o.SaveDelay <= 0 {
		o.SaveDelay = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// ErrClosed is returned by loads asked of a closed Cache.
var ErrClosed = errors.New("schema cache closed")

// Cache holds the current Snapshot of one remote's catalog and loads it from
// a Source: names by a full Refresh, a namespace's tables and a table's
// columns lazily on first need (single-flight: concurrent misses share one
// load), whole namespaces in the background (Touch, bounded concurrency).
// It is safe for concurrent use; Snapshot never blocks.
type Cache struct {
	src   Source
	opt   Options
	path  string // the cache file; "" without persistence
	snap  atomic.Pointer[Snapshot]
	types interner
	// version is every snapshot's SparkVersion: Options.SparkVersion, else
	// the cache file's.
	version string

	mu sync.Mutex // serialises writers of snap
	// invalidated records, per namespace key, when Invalidate last ran:
	// a column load that started earlier must not undo it.
	invalidated map[string]time.Time
	// currentAt is when loadCurrent last set the current namespace (a USE
	// ran): a refresh that read it earlier must not undo it. Guarded by mu.
	currentAt time.Time
	// tempAt and functionsAt are when Invalidate last swapped in the
	// temporary views, the functions: a refresh that listed them earlier
	// (maybe on a copy of the session made before a run created a view)
	// must not undo it. Guarded by mu.
	tempAt, functionsAt time.Time

	fmu     sync.Mutex // guards flights, closed and wg.Add
	flights map[string]*flight
	closed  bool
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc

	sem  chan struct{} // one token per concurrent background Source call
	bulk atomic.Int32  // TablesWithColumns: 0 unknown, 1 works, -1 unsupported

	saveMu    sync.Mutex // one save at a time
	timerMu   sync.Mutex
	saveTimer *time.Timer
	dirty     atomic.Bool
}

// New returns a cache over src (nil: offline, disk only) and reads the disk
// cache of opt.Key, so completion works before the server answers. A
// missing, corrupt or foreign cache file is logged and ignored.
func New(src Source, opt Options) *Cache {
	opt.defaults()
	c := &Cache{src: src, opt: opt, flights: map[string]*flight{}, invalidated: map[string]time.Time{}, sem: make(chan struct{}, opt.Prefetch)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.version = opt.SparkVersion
	empty := NewSnapshot(nil, nil, nil)
	empty.SparkVersion = c.version
	c.snap.Store(empty)
	if opt.Key != "" {
		dir := opt.Dir
		if dir == "" {
			if ucd, err := os.UserCacheDir(); err == nil {
				dir = filepath.Join(ucd, "sparkls")
			}
		}
		if dir != "" {
			c.path = filepath.Join(dir, cacheFileName(opt.Key))
		}
	}
	if c.path != "" {
		start := time.Now()
		s, err := ReadFile(c.path, opt.Key)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			c.opt.Logger.Warn("ignoring schema cache file", "path", c.path, "err", err)
		default:
			s.FromDisk = true
			if c.version == "" {
				c.version = s.SparkVersion
			}
			s.SparkVersion = c.version
			if s.RefreshedAt.IsZero() {
				s.LoadTime = time.Since(start)
			}
			c.snap.Store(s)
			c.opt.Logger.Debug("schema cache loaded", "path", c.path, "took", time.Since(start))
		}
	}
	return c
}

// Snapshot returns the current snapshot. It never blocks.
func (c *Cache) Snapshot() *Snapshot { return c.snap.Load() }

// Stats describe the current snapshot.
func (c *Cache) Stats() Stats { return c.Snapshot().Stats(c.opt.Now(), c.opt.TTL) }

// Path is the cache file ("" without persistence).
func (c *Cache) Path() string { return c.path }

// Close stops background work, waits for it, and saves unsaved changes.
func (c *Cache) Close() error {
	c.fmu.Lock()
	if c.closed {
		c.fmu.Unlock()
		return nil
	}
	c.closed = true
	c.fmu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.timerMu.Lock()
	if c.saveTimer != nil {
		c.saveTimer.Stop()
	}
	c.timerMu.Unlock()
	if c.dirty.Load() {
		return c.Save()
	}
	return nil
}

// ---- single flight ----

type flight struct {
	done chan struct{}
	err  error
}

// start runs fn once per key at a time, detached from any caller: a caller
// whose budget expires stops waiting, the load goes on and lands in a later
// snapshot.
func (c *Cache) start(key string, timeout time.Duration, fn func(ctx context.Context) error) *flight {
	c.fmu.Lock()
	defer c.fmu.Unlock()
	if f := c.flights[key]; f != nil {
		return f
	}
	f := &flight{done: make(chan struct{})}
	if c.closed || c.src == nil {
		f.err = ErrClosed
		if c.src == nil {
			f.err = errors.New("schema cache has no source (offline)")
		}
		close(f.done)
		return f
	}
	c.flights[key] = f
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, timeout)
		defer cancel()
		func() {
			defer func() {
				if r := recover(); r != nil {
					f.err = fmt.Errorf("schema load %s panicked: %v", key, r)
					c.opt.Logger.Error("schema load panicked", "key", key, "panic", r, "stack", string(debug.Stack()))
				}
			}()
			f.err = fn(ctx)
		}()
		if f.err != nil && !errors.Is(f.err, context.Canceled) {
			c.opt.Logger.Debug("schema load failed", "key", key, "err", f.err)
		}
		c.fmu.Lock()
		delete(c.flights, key)
		c.fmu.Unlock()
		close(f.done)
	}()
	return f
}

// wait waits for f until the lookup's budget (counted from start) or ctx
// runs out, and reports whether f finished without error.
func (c *Cache) wait(ctx context.Context, start time.Time, f *flight) bool {
	left := c.opt.Budget - time.Since(start)
	if left <= 0 {
		select {
		case <-f.done:
			return f.err == nil
		default:
			return false
		}
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-f.done:
		return f.err == nil
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// acquire takes a background slot (at most Options.Prefetch at once).
func (c *Cache) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Cache) release() { <-c.sem }

// bg runs one background Source call in a slot.
func bg[T any](ctx context.Context, c *Cache, call func(context.Context) (T, error)) (T, error) {
	if err := c.acquire(ctx); err != nil {
		var zero T
		return zero, err
	}
	defer c.release()
	return call(ctx)
}

// ---- writing snapshots ----

// update swaps in fn(current snapshot). Writers are serialised; readers
// keep whatever snapshot they hold.
func (c *Cache) update(fn func(*Snapshot) *Snapshot) {
	c.mu.Lock()
	old := c.snap.Load()
	s := fn(old)
	if s != old {
		if s.SparkVersion != c.version {
			s.SparkVersion = c.version // unpublished: every published one has it
		}
		c.snap.Store(s)
	}
	c.mu.Unlock()
	if s != old {
		c.changed()
	}
}

// changed schedules a debounced save.
func (c *Cache) changed() {
	if c.path == "" {
		return
	}
	c.dirty.Store(true)
	c.timerMu.Lock()
	defer c.timerMu.Unlock()
	if c.saveTimer != nil {
		return
	}
	c.saveTimer = time.AfterFunc(c.opt.SaveDelay, func() {
		c.timerMu.Lock()
		c.saveTimer = nil
		c.timerMu.Unlock()
		if err := c.Save(); err != nil {
			c.opt.Logger.Warn("saving schema cache", "path", c.path, "err", err)
		}
	})
}

// Save writes the current snapshot to the cache file now.
func (c *Cache) Save() error {
	if c.path == "" {
		return nil
	}
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.dirty.Store(false)
	s := c.Snapshot()
	if err := WriteFile(c.path, c.opt.Key, s, c.opt.Now()); err != nil {
		c.dirty.Store(true)
		return err
	}
	return nil
}

func (c *Cache) stale(at time.Time) bool {
	return at.IsZero() || c.opt.Now().Sub(at) > c.opt.TTL
}

// internColumns shares the type strings of freshly loaded columns.
func (c *Cache) internColumns(cols []Column) {
	for i := range cols {
		cols[i].Type = c.types.intern(cols[i].Type)
	}
}

// catalogOf resolves "" to the current catalog, asking the server when the
// snapshot does not know it yet.
func (c *Cache) catalogOf(ctx context.Context, catalog string) (string, error) {
	if catalog != "" {
		return catalog, nil
	}
	if cur := c.Snapshot().CurrentCatalog; cur != "" {
		return cur, nil
	}
	if err := c.loadCurrent(ctx); err != nil {
		return "", err
	}
	return c.Snapshot().CurrentCatalog, nil
}

func (c *Cache) loadCurrent(ctx context.Context) error {
	cat, ns, err := c.src.Current(ctx)
	if err != nil {
		return err
	}
	c.update(func(s *Snapshot) *Snapshot {
		c.currentAt = c.opt.Now() // update holds c.mu
		if s.CurrentCatalog == cat && s.CurrentNamespace == ns {
			return s
		}
		out := s.clone()
		out.CurrentCatalog, out.CurrentNamespace = cat, ns
		return out
	})
	return nil
}

// canonical spells a catalog and namespace the way the snapshot does
// (names are case-insensitive; the server's spelling wins).
func (s *Snapshot) canonical(catalog, namespace string) (string, string) {
	if c := s.Catalog(catalog); c != nil {
		catalog = c.Name
		if n := c.Namespace(namespace); n != nil {
			namespace = n.Name
		}
	}
	return catalog, namespace
}

func nsKey(catalog, namespace string) string {
	return lowerASCII(catalog) + "\x00" + lowerASCII(namespace)
}

// ---- namespaces ----

// Namespace returns a namespace with its tables listed ("" catalog: the
// current one). A namespace not listed yet is loaded, waiting at most the
// budget; complete is false when the answer is not final yet (the load goes
// on in the background). A stale listing is served and reloaded behind. A
// namespace the last refresh could not list is relisted like one never
// listed, serving what an earlier load had when the relisting fails too.
func (c *Cache) Namespace(ctx context.Context, catalog, namespace string) (n *Namespace, complete bool) {
	start := time.Now()
	s := c.Snapshot()
	if catalog == "" {
		catalog = s.CurrentCatalog
	}
	if n = s.Namespace(catalog, namespace); n != nil && n.TablesLoaded() && !n.failed {
		if c.stale(n.TablesAt) {
			c.startTables(catalog, namespace, "")
		}
		return n, true
	}
	if c.wait(ctx, start, c.startTables(catalog, namespace, "")) {
		s = c.Snapshot()
		n = s.Namespace(catalog, namespace)
		return n, true
	}
	return c.Snapshot().Namespace(catalog, namespace), false
}

func (c *Cache) startTables(catalog, namespace, skip string) *flight {
	return c.start("tables:"+nsKey(catalog, namespace), c.opt.LoadTimeout, func(ctx context.Context) error {
		return c.loadTables(ctx, catalog, namespace, skip)
	})
}

// loadTables lists a namespace's tables and swaps them in, keeping the
// columns already loaded for tables that are still there (but those of skip).
func (c *Cache) loadTables(ctx context.Context, catalog, namespace, skip string) error {
	catalog, err := c.catalogOf(ctx, catalog)
	if err != nil {
		return err
	}
	catalog, namespace = c.Snapshot().canonical(catalog, namespace)
	began := c.opt.Now()
	list, err := c.src.Tables(ctx, catalog, namespace)
	if err != nil {
		return err
	}
	now := c.opt.Now()
	fresh := make([]*Table, len(list))
	for i := range list {
		t := list[i]
		t.Catalog, t.Namespace, t.Columns, t.ColumnsAt = catalog, namespace, nil, time.Time{}
		fresh[i] = &t
	}
	c.update(func(s *Snapshot) *Snapshot {
		// A listing taken before Invalidate must not undo it (a table
		// created or dropped in between would vanish or come back).
		if at, ok := c.invalidated[nsKey(catalog, namespace)]; ok && began.Before(at) {
			return s
		}
		old := s.Namespace(catalog, namespace)
		carryColumns(fresh, old, lowerASCII(skip))
		comment := ""
		if old != nil {
			comment = old.Comment
		}
		return s.withNamespace(NewNamespace(catalog, namespace, comment, fresh, now))
	})
	return nil
}

// ---- tables ----

// relistAfter is how old a namespace listing must be before a lookup of a
// table it does not hold relists it (the table may have been created
// elsewhere).
const relistAfter = 30 * time.Second

// Table returns a table with its columns, loading what is missing (the
// namespace's listing, the columns) within the budget. complete is true when
// the answer is final: the table with its columns, or nil because the
// freshly listed namespace has no such table. r is qualified (Snapshot.Qualify);
// an empty Catalog alone means the current catalog.
func (c *Cache) Table(ctx context.Context, r Ref) (t *Table, complete bool) {
	start := time.Now()
	s := c.Snapshot()
	if r.Catalog == "" && r.Namespace != "" {
		r.Catalog = s.CurrentCatalog
	}
	if t = s.Table(r); t != nil && t.ColumnsLoaded() {
		if c.stale(t.ColumnsAt) {
			c.startColumns(r)
		}
		return t, true
	}
	if t == nil && r.Namespace != "" {
		if n := s.Namespace(r.Catalog, r.Namespace); n != nil && n.TablesLoaded() && !n.failed && c.opt.Now().Sub(n.TablesAt) < relistAfter {
			return nil, true // freshly listed, no such table
		}
	}
	ok := c.wait(ctx, start, c.startColumns(r))
	t = c.Snapshot().Table(r)
	return t, ok && (t == nil || t.ColumnsLoaded())
}

// Describe is Table with column comments: columns that came from a bulk
// listing without comments are reloaded for the table alone.
func (c *Cache) Describe(ctx context.Context, r Ref) (t *Table, complete bool) {
	start := time.Now()
	t, complete = c.Table(ctx, r)
	if t == nil || !t.NoColumnComments {
		return t, complete
	}
	r = t.Ref()
	ok := c.wait(ctx, start, c.startColumns(r))
	if t2 := c.Snapshot().Table(r); t2 != nil {
		t = t2
	}
	return t, ok && !t.NoColumnComments
}

func (c *Cache) startColumns(r Ref) *flight {
	key := "columns:" + nsKey(r.Catalog, r.Namespace) + "\x00" + lowerASCII(r.Table)
	return c.start(key, c.opt.LoadTimeout, func(ctx context.Context) error {
		return c.loadColumns(ctx, r)
	})
}

// loadColumns loads one table's columns, listing its namespace first when
// the table is not known.
func (c *Cache) loadColumns(ctx context.Context, r Ref) error {
	temp := r.Catalog == "" && r.Namespace == ""
	if !temp {
		var err error
		if r.Catalog, err = c.catalogOf(ctx, r.Catalog); err != nil {
			return err
		}
		r.Catalog, r.Namespace = c.Snapshot().canonical(r.Catalog, r.Namespace)
		s := c.Snapshot()
		n := s.Namespace(r.Catalog, r.Namespace)
		if n == nil || !n.TablesLoaded() || (n.Table(r.Table) == nil && c.opt.Now().Sub(n.TablesAt) >= relistAfter) {
			f := c.startTables(r.Catalog, r.Namespace, "")
			select {
			case <-f.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if f.err != nil {
				return f.err
			}
		}
		if c.Snapshot().Table(r) == nil {
			return nil // no such table
		}
	} else if c.Snapshot().Table(r) == nil {
		return nil
	}
	began := c.opt.Now()
	cols, err := c.src.Columns(ctx, r.Catalog, r.Namespace, r.Table)
	if err != nil {
		return err
	}
	c.applyColumns(r.Catalog, r.Namespace, began, map[string]*Table{lowerASCII(r.Table): {Columns: cols, ColumnsAt: c.opt.Now()}})
	return nil
}

// applyColumns swaps in loaded columns unless the namespace was invalidated
// after the load began.
func (c *Cache) applyColumns(catalog, namespace string, began time.Time, loaded map[string]*Table) {
	for _, t := range loaded {
		c.internColumns(t.Columns)
		if t.Columns == nil {
			t.Columns = []Column{}
		}
	}
	c.update(func(s *Snapshot) *Snapshot {
		if at, ok := c.invalidated[nsKey(catalog, namespace)]; ok && began.Before(at) {
			return s
		}
		return s.withColumns(catalog, namespace, loaded)
	})
}

// ---- prefetch ----

// Touch loads, in the background, the columns of every table of a namespace
// the user works in ("" catalog: the current one): one bulk call where the
// Source has one, else one Columns call per table, at most
// Options.Prefetch at once across all background work.
func (c *Cache) Touch(catalog, namespace string) {
	s := c.Snapshot()
	if catalog == "" {
		catalog = s.CurrentCatalog
	}
	if n := s.Namespace(catalog, namespace); n != nil && n.TablesLoaded() && !n.failed && !c.stale(n.TablesAt) && c.columnsFresh(n) {
		return
	}
	c.start("prefetch:"+nsKey(catalog, namespace), 5*c.opt.LoadTimeout, func(ctx context.Context) error {
		return c.prefetch(ctx, catalog, namespace)
	})
}

func (c *Cache) columnsFresh(n *Namespace) bool {
	for _, t := range n.Tables {
		if !t.ColumnsLoaded() || c.stale(t.ColumnsAt) {
			return false
		}
	}
	return true
}

// prefetchBatch is how many per-table results are swapped in at once: one
// snapshot per table would copy a big namespace's table slice per table.
const prefetchBatch = 64

func (c *Cache) prefetch(ctx context.Context, catalog, namespace string) error {
	catalog, err := c.catalogOf(ctx, catalog)
	if err != nil {
		return err
	}
	catalog, namespace = c.Snapshot().canonical(catalog, namespace)
	began := c.opt.Now()
	if c.bulk.Load() >= 0 {
		list, err := bg(ctx, c, func(ctx context.Context) ([]Table, error) { return c.src.TablesWithColumns(ctx, catalog, namespace) })
		switch {
		case err == nil:
			c.bulk.Store(1)
			c.applyBulk(catalog, namespace, began, list)
			return nil
		case errors.Is(err, ErrUnsupported):
			c.bulk.Store(-1)
		case ctx.Err() != nil:
			return err
		default:
			c.opt.Logger.Debug("bulk columns failed, loading per table", "namespace", namespace, "err", err)
		}
	}
	n := c.Snapshot().Namespace(catalog, namespace)
	if n == nil || !n.TablesLoaded() || n.failed || c.stale(n.TablesAt) {
		if _, err := bg(ctx, c, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, c.loadTables(ctx, catalog, namespace, "")
		}); err != nil {
			return err
		}
		n = c.Snapshot().Namespace(catalog, namespace)
	}
	if n == nil {
		return nil
	}
	var todo []string
	for _, t := range n.Tables {
		if !t.ColumnsLoaded() || c.stale(t.ColumnsAt) {
			todo = append(todo, t.Name)
		}
	}
	var (
		mu       sync.Mutex
		batch    = map[string]*Table{}
		next     int
		firstErr error
		wg       sync.WaitGroup
	)
	flush := func() {
		if len(batch) > 0 {
			c.applyColumns(catalog, namespace, began, batch)
			batch = map[string]*Table{}
		}
	}
	for w := 0; w < min(c.opt.Prefetch, len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == len(todo) || firstErr != nil || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				name := todo[next]
				next++
				mu.Unlock()
				cols, err := bg(ctx, c, func(ctx context.Context) ([]Column, error) { return c.src.Columns(ctx, catalog, namespace, name) })
				mu.Lock()
				if err != nil {
					// A table dropped since the listing (or one the user may
					// not read) does not stop the prefetch; cancellation does.
					if firstErr == nil && ctx.Err() != nil {
						firstErr = err
					}
					c.opt.Logger.Debug("prefetch columns", "table", name, "err", err)
				} else {
					batch[lowerASCII(name)] = &Table{Columns: cols, ColumnsAt: c.opt.Now()}
					if len(batch) >= prefetchBatch {
						flush()
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	flush()
	return firstErr
}

// applyBulk swaps in a namespace listed with its columns.
func (c *Cache) applyBulk(catalog, namespace string, began time.Time, list []Table) {
	now := c.opt.Now()
	fresh := make([]*Table, len(list))
	for i := range list {
		t := list[i]
		t.Catalog, t.Namespace, t.ColumnsAt = catalog, namespace, now
		if t.Columns == nil {
			t.Columns = []Column{}
		}
		c.internColumns(t.Columns)
		fresh[i] = &t
	}
	c.update(func(s *Snapshot) *Snapshot {
		if at, ok := c.invalidated[nsKey(catalog, namespace)]; ok && began.Before(at) {
			return s
		}
		old := s.Namespace(catalog, namespace)
		comment, name := "", namespace
		if old != nil {
			comment, name = old.Comment, old.Name
			// Keep comments a Describe loaded when the bulk path has none.
			for _, t := range fresh {
				if o := old.Table(t.Name); t.NoColumnComments && o != nil && o.ColumnsLoaded() && !o.NoColumnComments && sameColumns(o.Columns, t.Columns) {
					t.Columns, t.NoColumnComments = o.Columns, false
				}
			}
		}
		return s.withNamespace(NewNamespace(catalog, name, comment, fresh, now))
	})
}

func sameColumns(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

// ---- full refresh ----

// Refresh reloads every name from the server: the current catalog and
// namespace, catalogs, their namespaces, every namespace's tables (at most
// Options.Prefetch calls at once), temporary views and functions. Columns
// already loaded are kept for tables that are still there. Concurrent calls
// share one refresh.
//
// When the server cannot be reached (Current or Catalogs fail) or the
// refresh is cancelled, the current snapshot stays as it was and the error
// is returned. A catalog whose namespaces, or a namespace whose tables,
// cannot be listed (permissions, a broken external catalog, a timeout) does
// not stop the rest: it keeps what the previous snapshot had, is logged,
// marked Failed and relisted by a later lookup, and the new snapshot is
// swapped in; Refresh then returns a *PartialError. Functions and temporary
// views that cannot be listed are kept likewise.
func (c *Cache) Refresh(ctx context.Context) error {
	f := c.start("refresh", 5*c.opt.LoadTimeout, c.refresh)
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RefreshAsync starts Refresh in the background (a failure is logged).
func (c *Cache) RefreshAsync() {
	f := c.start("refresh", 5*c.opt.LoadTimeout, c.refresh)
	go func() {
		<-f.done
		var partial *PartialError
		switch {
		case f.err == nil || errors.Is(f.err, context.Canceled) || errors.Is(f.err, ErrClosed):
		case errors.As(f.err, &partial): // each failure is logged already
			c.opt.Logger.Info("schema refreshed in part", "failed", partial.Failed)
		default:
			c.opt.Logger.Warn("schema refresh failed; keeping the cached catalog", "err", f.err)
		}
	}()
}

// maxRefreshErrors caps the errors a PartialError carries.
const maxRefreshErrors = 10

// PartialError is what Refresh returns when it swapped in a snapshot
// missing parts it could not list (see Refresh).
type PartialError struct {
	// Failed counts the parts that failed: catalogs, namespaces, the
	// functions, the temporary views.
	Failed int
	// Errs are the first maxRefreshErrors of their errors, each naming its part.
	Errs []error
}

func (e *PartialError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "schema refresh incomplete: %d part(s) could not be listed", e.Failed)
	for _, err := range e.Errs {
		b.WriteString("; ")
		b.WriteString(err.Error())
	}
	if more := e.Failed - len(e.Errs); more > 0 {
		fmt.Fprintf(&b, "; and %d more", more)
	}
	return b.String()
}

// Unwrap gives the errors kept, for errors.Is and errors.As.
func (e *PartialError) Unwrap() []error { return e.Errs }

func (e *PartialError) add(err error) {
	e.Failed++
	if len(e.Errs) < maxRefreshErrors {
		e.Errs = append(e.Errs, err)
	}
}

func (c *Cache) refresh(ctx context.Context) error {
	began := time.Now()
	stamp := c.opt.Now() // on the clock of c.currentAt, c.tempAt, c.functionsAt
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type call = func(context.Context) error
	var (
		curCat, curNS string
		catalogs      []Catalog
		functions     []Function
		temps         []Table
		fnErr, tvErr  error
	)
	// Only Current and Catalogs failing (the server unreachable) stop the
	// refresh; everything below them fails alone.
	first := []call{
		func(ctx context.Context) (err error) { curCat, curNS, err = c.src.Current(ctx); return },
		func(ctx context.Context) (err error) { catalogs, err = c.src.Catalogs(ctx); return },
		func(ctx context.Context) error { functions, fnErr = c.src.Functions(ctx); return nil },
		func(ctx context.Context) error { temps, tvErr = c.src.TempViews(ctx); return nil },
	}
	if err := c.parallel(ctx, first); err != nil {
		return err
	}
	namespaces := make([][]Namespace, len(catalogs))
	nsErrs := make([]error, len(catalogs))
	var calls []call
	for i, cat := range catalogs {
		calls = append(calls, func(ctx context.Context) error {
			namespaces[i], nsErrs[i] = c.src.Namespaces(ctx, cat.Name)
			return nil
		})
	}
	if err := c.parallel(ctx, calls); err != nil {
		return err
	}
	tables := make([][][]Table, len(catalogs))
	tblErrs := make([][]error, len(catalogs))
	calls = calls[:0]
	for i, cat := range catalogs {
		if nsErrs[i] != nil {
			continue
		}
		tables[i] = make([][]Table, len(namespaces[i]))
		tblErrs[i] = make([]error, len(namespaces[i]))
		for j, ns := range namespaces[i] {
			calls = append(calls, func(ctx context.Context) error {
				tables[i][j], tblErrs[i][j] = c.src.Tables(ctx, cat.Name, ns.Name)
				return nil
			})
		}
	}
	// parallel reports a cancellation that came while the calls ran, so
	// that errors seen past here are the server's, not ours.
	if err := c.parallel(ctx, calls); err != nil {
		return err
	}

	var partial PartialError
	fail := func(err error, msg string, args ...any) {
		partial.add(err)
		c.opt.Logger.Warn(msg, append(args, "err", err)...)
	}
	if fnErr != nil {
		fail(fmt.Errorf("listing functions: %w", fnErr), "schema refresh: cannot list functions; keeping the cached ones")
	}
	if tvErr != nil {
		fail(fmt.Errorf("listing temporary views: %w", tvErr), "schema refresh: cannot list temporary views; keeping the cached ones")
	}
	now := c.opt.Now()
	cats := make([]*Catalog, len(catalogs))
	failedCats := map[string]bool{}
	for i, cat := range catalogs {
		if err := nsErrs[i]; err != nil {
			fail(fmt.Errorf("listing the namespaces of %s: %w", cat.Name, err), "schema refresh: cannot list a catalog's namespaces; keeping the cached ones", "catalog", cat.Name)
			cats[i] = NewCatalog(cat.Name, cat.Comment, nil, time.Time{})
			failedCats[lowerASCII(cat.Name)] = true
			continue
		}
		nss := make([]*Namespace, len(namespaces[i]))
		for j, ns := range namespaces[i] {
			if err := tblErrs[i][j]; err != nil {
				fail(fmt.Errorf("listing the tables of %s.%s: %w", cat.Name, ns.Name, err), "schema refresh: cannot list a namespace's tables; keeping the cached ones", "catalog", cat.Name, "namespace", ns.Name)
				nss[j] = NewNamespace(cat.Name, ns.Name, ns.Comment, nil, time.Time{})
				nss[j].failed = true
				continue
			}
			ts := make([]*Table, len(tables[i][j]))
			for k := range tables[i][j] {
				t := tables[i][j][k]
				t.Catalog, t.Namespace, t.Columns, t.ColumnsAt = cat.Name, ns.Name, nil, time.Time{}
				ts[k] = &t
			}
			nss[j] = NewNamespace(cat.Name, ns.Name, ns.Comment, ts, now)
		}
		cats[i] = NewCatalog(cat.Name, cat.Comment, nss, now)
	}
	tv := make([]*Table, len(temps))
	for i := range temps {
		t := temps[i]
		t.Catalog, t.Namespace, t.Kind, t.Columns, t.ColumnsAt = "", "", KindTempView, nil, time.Time{}
		tv[i] = &t
	}
	fresh := NewSnapshot(cats, tv, functions)
	fresh.CurrentCatalog, fresh.CurrentNamespace = curCat, curNS
	fresh.RefreshedAt, fresh.LoadTime = now, time.Since(began)
	if len(failedCats) > 0 {
		fresh.failedCats = failedCats
	}
	c.update(func(old *Snapshot) *Snapshot {
		if stamp.Before(c.currentAt) {
			// A USE reloaded the current namespace after this refresh read it.
			fresh.CurrentCatalog, fresh.CurrentNamespace = old.CurrentCatalog, old.CurrentNamespace
		}
		// Columns loaded while the refresh ran are in old: keep them, and
		// keep whole what failed to list (fresh is not published yet).
		for i, cat := range fresh.Catalogs {
			oc := old.Catalog(cat.Name)
			if fresh.CatalogFailed(cat.Name) {
				if oc != nil {
					fresh.Catalogs[i] = keepFailedCatalog(oc, cat)
				}
				continue
			}
			for j, n := range cat.Namespaces {
				var on *Namespace
				if oc != nil {
					on = oc.Namespace(n.Name)
				}
				if n.failed {
					if on != nil {
						cat.Namespaces[j] = keepFailedNamespace(on, n)
					}
					continue
				}
				carryColumns(n.Tables, on, "")
			}
		}
		if fnErr != nil || stamp.Before(c.functionsAt) {
			fresh.Functions, fresh.fnIdx = old.Functions, old.fnIdx
		}
		if tvErr != nil || stamp.Before(c.tempAt) {
			fresh.TempViews, fresh.tmpIdx = old.TempViews, old.tmpIdx
		} else {
			carryColumns(fresh.TempViews, &Namespace{Tables: sortedTables(old.TempViews)}, "")
		}
		return fresh
	})
	if partial.Failed > 0 {
		return &partial
	}
	return nil
}

// keepFailedNamespace is what an earlier load had of a namespace the
// refresh could not list (fresh: its placeholder, named as listed now),
// marked for relisting.
func keepFailedNamespace(old, fresh *Namespace) *Namespace {
	n := *old
	n.Catalog, n.Name, n.Comment, n.failed = fresh.Catalog, fresh.Name, fresh.Comment, true
	return &n
}

// keepFailedCatalog is what an earlier load had of a catalog whose
// namespaces the refresh could not list, its namespaces marked for
// relisting.
func keepFailedCatalog(old, fresh *Catalog) *Catalog {
	c := *old
	c.Name, c.Comment = fresh.Name, fresh.Comment
	c.Namespaces = make([]*Namespace, len(old.Namespaces))
	for i, n := range old.Namespaces {
		nn := *n
		nn.Catalog, nn.failed = c.Name, true
		c.Namespaces[i] = &nn
	}
	return &c
}

func sortedTables(ts []*Table) []*Table {
	return NewNamespace("", "", "", append([]*Table(nil), ts...), time.Time{}).Tables
}

// parallel runs calls, at most Options.Prefetch at once; the first error
// cancels the others and is returned.
func (c *Cache) parallel(ctx context.Context, calls []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for _, fn := range calls {
		if err := c.acquire(ctx); err != nil {
			once.Do(func() { firstErr = err })
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.release()
			if err := fn(ctx); err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// ---- invalidation ----

// Hint names what a statement changed, for Invalidate. DDLHint guesses it
// from a DDL statement's text.
type Hint struct {
	Catalog   string // "" for the current one
	Namespace string // "" with a Table: the current one
	Table     string
	Temp      bool // a temporary view (Table) may have changed; without Namespace, the current namespace's view of that name too
	Current   bool // USE / SET CATALOG changed the current namespace
	Functions bool // a function was created or dropped
}

func (h Hint) zero() bool { return h == Hint{} }

// Invalidate reloads what a statement changed, synchronously: a namespace
// (its existence and its tables), a table (its namespace's listing and its
// columns), temporary views, the current namespace, functions. An empty
// hint is a full Refresh. Loads of the namespace that began before this call
// no longer land.
func (c *Cache) Invalidate(ctx context.Context, h Hint) error {
	if c.src == nil {
		return errors.New("schema cache has no source (offline)")
	}
	if h.zero() {
		return c.Refresh(ctx)
	}
	if h.Current {
		if err := c.loadCurrent(ctx); err != nil {
			return err
		}
		h.Functions = true // UDFs are listed for the current namespace
	}
	if h.Functions {
		fns, err := c.src.Functions(ctx)
		if err != nil {
			return err
		}
		c.update(func(s *Snapshot) *Snapshot {
			c.functionsAt = c.opt.Now() // update holds c.mu
			out := s.clone()
			out.Functions = fns
			out.reindexFunctions()
			return out
		})
	}
	if h.Temp {
		if err := c.reloadTemp(ctx, h.Table); err != nil {
			return err
		}
		// DROP VIEW v may have dropped a temporary view or a view of the
		// current namespace: when no temporary view v remains, relist that too.
		if h.Table == "" || h.Namespace == "" && c.Snapshot().Table(Ref{Table: h.Table}) != nil {
			return nil
		}
	}
	if h.Namespace == "" && h.Table == "" {
		return nil
	}
	catalog, err := c.catalogOf(ctx, h.Catalog)
	if err != nil {
		return err
	}
	namespace := h.Namespace
	if namespace == "" {
		namespace = c.Snapshot().CurrentNamespace
	}
	c.mu.Lock()
	c.invalidated[nsKey(catalog, namespace)] = c.opt.Now()
	c.mu.Unlock()

	if h.Table == "" {
		// CREATE, DROP or ALTER DATABASE: relist the catalog's namespaces.
		list, err := c.src.Namespaces(ctx, catalog)
		if err != nil {
			return err
		}
		exists := false
		for _, ns := range list {
			if strings.EqualFold(ns.Name, namespace) {
				exists, namespace = true, ns.Name
				c.update(func(s *Snapshot) *Snapshot {
					n := s.Namespace(catalog, namespace)
					if n == nil {
						return s.withNamespace(NewNamespace(catalog, ns.Name, ns.Comment, nil, time.Time{}))
					}
					nn := *n
					nn.Comment = ns.Comment
					return s.withNamespace(&nn)
				})
			}
		}
		if !exists {
			c.update(func(s *Snapshot) *Snapshot { return s.withoutNamespace(catalog, namespace) })
			return nil
		}
		return c.loadTables(ctx, catalog, namespace, "")
	}
	if err := c.loadTables(ctx, catalog, namespace, h.Table); err != nil {
		return err
	}
	r := Ref{Catalog: catalog, Namespace: namespace, Table: h.Table}
	if c.Snapshot().Table(r) == nil {
		return nil // dropped or renamed away
	}
	return c.loadColumns(ctx, r)
}

func (s *Snapshot) reindexFunctions() {
	fns := append([]Function(nil), s.Functions...)
	tmp := NewSnapshot(nil, nil, fns)
	s.Functions, s.fnIdx = tmp.Functions, tmp.fnIdx
}

// reloadTemp relists the temporary views (and reloads the columns of table).
func (c *Cache) reloadTemp(ctx context.Context, table string) error {
	list, err := c.src.TempViews(ctx)
	if err != nil {
		return err
	}
	tv := make([]*Table, len(list))
	for i := range list {
		t := list[i]
		t.Catalog, t.Namespace, t.Kind, t.Columns, t.ColumnsAt = "", "", KindTempView, nil, time.Time{}
		tv[i] = &t
	}
	c.update(func(s *Snapshot) *Snapshot {
		c.tempAt = c.opt.Now() // update holds c.mu
		carryColumns(tv, &Namespace{Tables: sortedTables(s.TempViews)}, lowerASCII(table))
		out := s.clone()
		out.TempViews = tv
		out.tmpIdx = newNameSet(len(tv), func(i int) string { return tv[i].Name })
		return out
	})
	if table == "" || c.Snapshot().Table(Ref{Table: table}) == nil {
		return nil
	}
	return c.loadColumns(ctx, Ref{Table: table})
}
