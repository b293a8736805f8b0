package ide

import (
	"context"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// How a request reads the catalog cache: through a catalogView with one
// deadline for all its lookups, never waiting on Spark beyond the cache's
// budget, and prefetching touched namespaces at a bounded rate.

// touchEvery is how often completion asks the cache to prefetch the same
// namespace: Touch looks at every table of it, too much work for every
// keystroke in a namespace of 100,000 tables, and a prefetch in flight or
// done does not need asking again soon.
const touchEvery = 30 * time.Second

// TouchLimiter calls Cache.Touch at most once per touchEvery per namespace.
// It holds caches weakly: a closed one is not kept alive.
type TouchLimiter struct {
	mu   sync.Mutex
	last map[touchKey]time.Time
}

type touchKey struct {
	cache   weak.Pointer[schema.Cache]
	cat, ns string
}

// Touch asks c to prefetch namespace cat.ns unless it was asked within
// touchEvery.
func (l *TouchLimiter) Touch(c *schema.Cache, cat, ns string) {
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

// catalogView is what one completion or hover reads of the catalog: the
// snapshot, the current namespace at the cursor, and whether every lookup
// was answered in full. All its lookups share one deadline, the cache's
// budget, so a request never waits longer than that however many tables
// it needs.
type catalogView struct {
	cache  *schema.Cache // nil: no catalog (only the text and the built-ins)
	online bool          // the cache loads from Spark
	// touches, when set, rate-limits prefetches (else every one is asked).
	touches *TouchLimiter
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
	return context.WithTimeout(ctx, LookupBudget)
}

// LookupBudget is how long a request waits for the catalog in all (the
// schema cache's default budget).
const LookupBudget = 150 * time.Millisecond

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
		v.touches.Touch(v.cache, cat, ns)
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
