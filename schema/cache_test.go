package schema

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func newCache(t *testing.T, src Source, opt Options) *Cache {
	t.Helper()
	c := New(src, opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// eventually polls cond until it holds or the timeout expires.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestRefreshLoadsNamesNotColumns(t *testing.T) {
	f := newFake()
	c := newCache(t, f, Options{})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	if s.CurrentCatalog != "spark_catalog" || s.CurrentNamespace != "default" {
		t.Errorf("current = %s.%s", s.CurrentCatalog, s.CurrentNamespace)
	}
	sales := s.Namespace("", "SALES")
	if sales == nil || len(sales.Tables) != 3 || sales.Comment != "the sales namespace" {
		t.Fatalf("sales = %+v", sales)
	}
	if names := []string{sales.Tables[0].Name, sales.Tables[1].Name, sales.Tables[2].Name}; fmt.Sprint(names) != "[big_orders customers orders]" {
		t.Errorf("tables not sorted: %v", names)
	}
	if f.count("Columns") != 0 || f.count("TablesWithColumns") != 0 {
		t.Errorf("a refresh loads no columns: %v", f.calls)
	}
	st := c.Stats()
	want := Stats{Catalogs: 1, Namespaces: 3, Tables: 4, Functions: 2}
	if st.Catalogs != want.Catalogs || st.Namespaces != want.Namespaces || st.Tables != want.Tables || st.Columns != 0 || st.Functions != 2 || st.Stale {
		t.Errorf("stats = %+v", st)
	}
}

func TestLazyColumns(t *testing.T) {
	f := newFake()
	c := newCache(t, f, Options{Budget: 5 * time.Second})
	ctx := context.Background()
	// No refresh: the first lookup finds the current catalog, lists the
	// namespace and loads the table's columns.
	tbl, complete := c.Table(ctx, Ref{Namespace: "sales", Table: "ORDERS"})
	if !complete || tbl == nil || len(tbl.Columns) != 3 {
		t.Fatalf("Table = %+v, %v", tbl, complete)
	}
	if got := tbl.PartitionColumns(); fmt.Sprint(got) != "[order_date]" {
		t.Errorf("partition columns = %v", got)
	}
	if f.count("Current") != 1 || f.count("Tables") != 1 || f.count("Columns") != 1 {
		t.Errorf("calls = %v", f.calls)
	}
	// Again: served from the snapshot.
	if _, complete := c.Table(ctx, Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"}); !complete || f.count("Columns") != 1 {
		t.Errorf("second lookup called the source: %v", f.calls)
	}
	// A missing table of a freshly listed namespace is a final answer.
	if tbl, complete := c.Table(ctx, Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "nope"}); tbl != nil || !complete {
		t.Errorf("missing table = %v, %v", tbl, complete)
	}
	// Other tables of the namespace are listed but have no columns yet.
	if cu := c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "customers"}); cu == nil || cu.ColumnsLoaded() {
		t.Errorf("customers = %+v", cu)
	}
}

func TestSingleFlight(t *testing.T) {
	f := newFake()
	f.latency = 50 * time.Millisecond
	c := newCache(t, f, Options{Budget: 5 * time.Second})
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tbl, ok := c.Table(context.Background(), Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"}); !ok || tbl == nil {
				t.Errorf("Table = %v, %v", tbl, ok)
			}
		}()
	}
	wg.Wait()
	if f.count("Tables") != 1 || f.count("Columns") != 1 {
		t.Errorf("50 concurrent misses: calls = %v, want one Tables and one Columns", f.calls)
	}
}

func TestBudgetExpires(t *testing.T) {
	f := newFake()
	f.latency = time.Second
	c := newCache(t, f, Options{Budget: 30 * time.Millisecond})
	start := time.Now()
	tbl, complete := c.Table(context.Background(), Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"})
	if took := time.Since(start); took > 500*time.Millisecond { // generous: loaded CI machines
		t.Errorf("lookup took %v with a 30ms budget", took)
	}
	if tbl != nil || complete {
		t.Errorf("before the load: %v, %v", tbl, complete)
	}
	// The load goes on without the caller and lands in a later snapshot.
	eventually(t, "columns", func() bool {
		tb := c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"})
		return tb != nil && tb.ColumnsLoaded()
	})
	// The caller's context also ends the wait.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, complete := c.Namespace(ctx, "spark_catalog", "hr"); complete {
		t.Error("a cancelled lookup claims completeness")
	}
}

func TestPrefetchBound(t *testing.T) {
	f := newFake()
	f.addTables("spark_catalog", "big", 60, 5)
	f.latency = 5 * time.Millisecond
	c := newCache(t, f, Options{Prefetch: 3})
	c.Touch("spark_catalog", "big")
	eventually(t, "every table's columns", func() bool {
		n := c.Snapshot().Namespace("spark_catalog", "big")
		return n != nil && len(n.Tables) == 60 && c.columnsFresh(n)
	})
	if got := f.count("Columns"); got != 60 {
		t.Errorf("Columns calls = %d, want 60 (one per table, no bulk path)", got)
	}
	if m := f.maxInflight(); m > 3 {
		t.Errorf("max concurrent calls = %d, bound 3", m)
	}
	// Touching a loaded namespace does nothing.
	c.Touch("spark_catalog", "big")
	if got := f.count("Columns"); got != 60 {
		t.Errorf("second Touch loaded again: %d calls", got)
	}
}

func TestPrefetchBulk(t *testing.T) {
	f := newFake()
	f.bulk = true
	f.addTables("spark_catalog", "big", 500, 20)
	c := newCache(t, f, Options{})
	c.Touch("", "big") // before the current catalog is known
	eventually(t, "bulk columns", func() bool {
		n := c.Snapshot().Namespace("spark_catalog", "big")
		return n != nil && len(n.Tables) == 500 && c.columnsFresh(n)
	})
	if f.count("TablesWithColumns") != 1 || f.count("Columns") != 0 || f.count("Tables") != 0 {
		t.Errorf("calls = %v, want one bulk call", f.calls)
	}
	// Types are interned: every "int" shares one string.
	n := c.Snapshot().Namespace("spark_catalog", "big")
	a, b := n.Tables[0].Columns[0].Type, n.Tables[499].Columns[19].Type
	if a != b || unsafeData(a) != unsafeData(b) {
		t.Error("column types are not interned")
	}
}

// A names-only relisting (SHOW TABLES) keeps the kinds, comments and
// columns that a bulk load brought.
func TestRelistingKeepsWhatBulkKnew(t *testing.T) {
	f := newFake()
	f.bulk, f.namesOnly = true, true
	c := newCache(t, f, Options{})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "big_orders"}); v == nil || v.Kind != KindTable {
		t.Fatalf("names-only big_orders = %+v", v)
	}
	c.Touch("spark_catalog", "sales")
	eventually(t, "bulk", func() bool { return c.columnsFresh(c.Snapshot().Namespace("spark_catalog", "sales")) })
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	v := s.Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "big_orders"})
	o := s.Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"})
	if v.Kind != KindView || !v.ColumnsLoaded() || o.Comment != "Customer orders" || len(o.Columns) != 3 {
		t.Errorf("after relisting: big_orders %+v, orders %+v", v, o)
	}
}

// Readers of snapshots never block and never see half a refresh: every
// namespace a reader sees holds tables of one generation only.
func TestSnapshotSwapRace(t *testing.T) {
	f := newFake()
	f.bulk = true
	gen := func(g int) {
		f.set(func(f *fakeSource) {
			for _, ns := range []string{"a", "b", "c"} {
				var ts []Table
				for i := 0; i < 40; i++ {
					ts = append(ts, Table{Name: fmt.Sprintf("g%d_t%02d", g, i), Columns: []Column{{Name: "x", Type: "int"}}})
				}
				f.tables["spark_catalog."+ns] = ts
			}
			f.namespaces["spark_catalog"] = []string{"a", "b", "c"}
		})
	}
	gen(0)
	c := newCache(t, f, Options{Prefetch: 2})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 8; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := c.Snapshot()
				g := -1
				for _, cat := range s.Catalogs {
					for _, n := range cat.Namespaces {
						for _, tb := range n.Tables {
							var tg int
							fmt.Sscanf(tb.Name, "g%d_", &tg)
							if g >= 0 && tg != g {
								t.Errorf("snapshot mixes generations %d and %d", g, tg)
								return
							}
							g = tg
						}
					}
				}
				s.Search(Query{Text: "t1", Want: WantTables})
			}
		}()
	}
	for g := 1; g <= 20; g++ {
		gen(g)
		if err := c.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestErrorMidRefreshKeepsSnapshot(t *testing.T) {
	f := newFake()
	c := newCache(t, f, Options{Prefetch: 1})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := c.Snapshot()
	f.set(func(f *fakeSource) {
		f.tables["spark_catalog.sales"] = append(f.tables["spark_catalog.sales"], Table{Name: "returns"})
	})
	// The server unreachable (Current or Catalogs failing) keeps everything.
	for _, method := range []string{"Current", "Catalogs"} {
		f.set(func(f *fakeSource) { f.failNth[method] = f.calls[method] + 1 })
		err := c.Refresh(context.Background())
		if err == nil {
			t.Fatalf("refresh with a failing %s succeeded", method)
		}
		if c.Snapshot() != before {
			t.Errorf("a refresh whose %s failed replaced the snapshot", method)
		}
		if c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "returns"}) != nil {
			t.Error("half a refresh is visible")
		}
	}
	// A failing on-demand load leaves the snapshot too and answers incomplete.
	f.set(func(f *fakeSource) { f.fail["Columns"] = errors.New("cluster down") })
	if tbl, complete := c.Table(context.Background(), Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"}); complete || tbl == nil || tbl.ColumnsLoaded() {
		t.Errorf("Table with a failing source = %+v, %v", tbl, complete)
	}
}

func TestPersistenceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	key := "key-of-me"
	f := newFake()
	f.temps = []Table{{Name: "tmp_v", Kind: KindTempView, Columns: []Column{{Name: "a", Type: "int"}}}}
	c := New(f, Options{Key: key, Dir: dir, Budget: 5 * time.Second, SparkVersion: "3.5.7"})
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	c.Table(ctx, Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"})
	want := c.Snapshot()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// A new cache with no working source completes from disk alone.
	down := newFake()
	down.fail["Tables"] = errors.New("cluster starting")
	c2 := newCache(t, down, Options{Key: key, Dir: dir})
	got := c2.Snapshot()
	if !got.FromDisk || got.RefreshedAt.UnixNano() != want.RefreshedAt.UnixNano() {
		t.Errorf("FromDisk = %v, RefreshedAt = %v want %v", got.FromDisk, got.RefreshedAt, want.RefreshedAt)
	}
	if got.CurrentCatalog != "spark_catalog" || got.CurrentNamespace != "default" {
		t.Errorf("current = %s.%s", got.CurrentCatalog, got.CurrentNamespace)
	}
	// The version of the server last seen, for the built-ins offline.
	if want.SparkVersion != "3.5.7" || got.SparkVersion != "3.5.7" {
		t.Errorf("SparkVersion in memory %q, from disk %q", want.SparkVersion, got.SparkVersion)
	}
	orders := got.Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"})
	if orders == nil || fmt.Sprint(orders.Columns) != fmt.Sprint(want.Table(orders.Ref()).Columns) || orders.Comment != "Customer orders" || orders.Kind != KindManaged {
		t.Errorf("orders from disk = %+v", orders)
	}
	if len(got.TempViews) != 0 {
		t.Error("temporary views are session state; they must not be saved")
	}
	if ws, gs := want.Stats(time.Now(), time.Hour), got.Stats(time.Now(), time.Hour); ws.Tables != gs.Tables || ws.Columns != gs.Columns || ws.Functions != gs.Functions || ws.Namespaces != gs.Namespaces {
		t.Errorf("stats: disk %+v, memory %+v", gs, ws)
	}
	if m, _ := got.Search(Query{Text: "ordrs", Want: WantTables}); len(m) == 0 || m[0].Name != "orders" {
		t.Errorf("search after load = %v", m)
	}
	// A server of another version replaces the recorded one at once.
	c4 := newCache(t, down, Options{Key: key, Dir: dir, SparkVersion: "4.3.0"})
	if v := c4.Snapshot().SparkVersion; v != "4.3.0" {
		t.Errorf("SparkVersion with a 4.3.0 source = %q", v)
	}
	// Another remote has another file.
	c3 := newCache(t, nil, Options{Key: "key-of-someone-else", Dir: dir})
	if len(c3.Snapshot().Catalogs) != 0 {
		t.Error("another user's cache was loaded")
	}
}

func TestStaleAfterTTL(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f := newFake()
	c := newCache(t, f, Options{TTL: time.Hour, Now: clock, Budget: 5 * time.Second})
	if !c.Stats().Stale {
		t.Error("a never loaded cache is not stale")
	}
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Stale || st.Age != 0 {
		t.Errorf("fresh stats = %+v", st)
	}
	c.Table(context.Background(), Ref{Catalog: "spark_catalog", Namespace: "hr", Table: "employees"})
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	if st := c.Stats(); !st.Stale || st.Age != 2*time.Hour {
		t.Errorf("old stats = %+v", st)
	}
	// Stale columns are served at once and reloaded behind.
	if tbl, complete := c.Table(context.Background(), Ref{Catalog: "spark_catalog", Namespace: "hr", Table: "employees"}); tbl == nil || !complete {
		t.Fatalf("stale table = %v, %v", tbl, complete)
	}
	eventually(t, "background reload", func() bool { return f.count("Columns") == 2 })
}

func TestCorruptCacheFile(t *testing.T) {
	key := "key-of-u"
	good := Encode(NewSnapshot([]*Catalog{NewCatalog("c", "", nil, time.Now())}, nil, nil), key, time.Now())
	flipped := bytes.Clone(good)
	flipped[len(flipped)-3] ^= 0xff
	cases := map[string][]byte{
		"empty":     {},
		"garbage":   []byte("this is not a schema cache at all, just text"),
		"truncated": good[:len(good)-4],
		"flipped":   flipped,
		"version":   append([]byte(fileMagic+"\x09"), good[len(fileMagic)+1:]...),
		"foreign":   Encode(NewSnapshot(nil, nil, nil), "key-of-other", time.Now()),
		"huge len":  append(append([]byte(nil), good[:headerSize]...), 0xff, 0xff, 0xff, 0xff, 0x0f),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path, _ := CacheFile(dir, key)
			os.MkdirAll(filepath.Dir(path), 0o700)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			c := newCache(t, nil, Options{Key: key, Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if len(c.Snapshot().Catalogs) != 0 {
				t.Error("a bad cache file was loaded")
			}
			if !bytes.Contains(logs.Bytes(), []byte("ignoring schema cache file")) {
				t.Errorf("no log line; logs: %s", logs.String())
			}
		})
	}
	// And the good one loads.
	if _, err := Decode(good, key); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidateAfterDDL(t *testing.T) {
	f := newFake()
	c := newCache(t, f, Options{Budget: 5 * time.Second})
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	orders := Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"}
	c.Table(ctx, orders)
	c.Table(ctx, Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "customers"})
	ddl := func(stmt string, change func(f *fakeSource)) {
		t.Helper()
		f.set(change)
		h, ok := DDLHint(stmt)
		if !ok {
			t.Fatalf("DDLHint(%q) found nothing", stmt)
		}
		if err := c.Invalidate(ctx, h); err != nil {
			t.Fatalf("Invalidate(%+v): %v", h, err)
		}
	}

	ddl("ALTER TABLE sales.orders ADD COLUMNS (note STRING)", func(f *fakeSource) {
		ts := f.tables["spark_catalog.sales"]
		ts[0].Columns = append(ts[0].Columns, Column{Name: "note", Type: "string"})
	})
	if tb := c.Snapshot().Table(orders); tb == nil || tb.Column("note") == nil {
		t.Errorf("orders after ALTER = %+v", tb)
	}
	if cu := c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "customers"}); cu == nil || !cu.ColumnsLoaded() {
		t.Error("invalidating one table forgot its neighbours' columns")
	}

	ddl("CREATE TABLE sales.returns (id INT)", func(f *fakeSource) {
		f.tables["spark_catalog.sales"] = append(f.tables["spark_catalog.sales"], Table{Name: "returns", Columns: []Column{{Name: "id", Type: "int"}}})
	})
	if tb := c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "returns"}); tb == nil || len(tb.Columns) != 1 {
		t.Errorf("returns after CREATE = %+v", tb)
	}

	ddl("DROP TABLE IF EXISTS sales.returns", func(f *fakeSource) {
		ts := f.tables["spark_catalog.sales"]
		f.tables["spark_catalog.sales"] = ts[:len(ts)-1]
	})
	if c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "returns"}) != nil {
		t.Error("returns survived DROP")
	}

	ddl("CREATE DATABASE IF NOT EXISTS staging", func(f *fakeSource) {
		f.namespaces["spark_catalog"] = append(f.namespaces["spark_catalog"], "staging")
		f.tables["spark_catalog.staging"] = []Table{{Name: "raw"}}
	})
	if n := c.Snapshot().Namespace("", "staging"); n == nil || n.Table("raw") == nil {
		t.Errorf("staging after CREATE DATABASE = %+v", n)
	}
	ddl("DROP DATABASE staging CASCADE", func(f *fakeSource) {
		f.namespaces["spark_catalog"] = f.namespaces["spark_catalog"][:3]
		delete(f.tables, "spark_catalog.staging")
	})
	if c.Snapshot().Namespace("", "staging") != nil {
		t.Error("staging survived DROP DATABASE")
	}

	ddl("CREATE OR REPLACE TEMP VIEW recent AS SELECT 1 AS one", func(f *fakeSource) {
		f.temps = []Table{{Name: "recent", Kind: KindTempView, Columns: []Column{{Name: "one", Type: "int"}}}}
	})
	s := c.Snapshot()
	if r := s.Qualify("recent"); r != (Ref{Table: "recent"}) || s.Table(r) == nil || len(s.Table(r).Columns) != 1 {
		t.Errorf("temp view: ref %v, table %+v", r, s.Table(r))
	}

	ddl("DROP VIEW recent", func(f *fakeSource) { f.temps = nil })
	if c.Snapshot().Table(Ref{Table: "recent"}) != nil {
		t.Error("recent survived DROP VIEW")
	}

	ddl("USE hr", func(f *fakeSource) { f.curNS = "hr" })
	if s := c.Snapshot(); s.CurrentNamespace != "hr" || s.Qualify("employees") != (Ref{Catalog: "spark_catalog", Namespace: "hr", Table: "employees"}) {
		t.Errorf("after USE: %s", s.CurrentNamespace)
	}

	// An empty hint is a full refresh.
	before := f.count("Catalogs")
	if err := c.Invalidate(ctx, Hint{}); err != nil || f.count("Catalogs") != before+1 {
		t.Errorf("full refresh: %v, %d catalog listings", err, f.count("Catalogs"))
	}
}

// staleSource answers its first Columns call with the columns of the time
// of the call, but only once the gate opens: a slow load racing a DDL.
type staleSource struct {
	*fakeSource
	gate  chan struct{}
	once  sync.Once
	began chan struct{}
}

func (s *staleSource) Columns(ctx context.Context, catalog, ns, table string) ([]Column, error) {
	first := false
	s.once.Do(func() { first = true })
	cols, err := s.fakeSource.Columns(ctx, catalog, ns, table)
	if first {
		close(s.began)
		<-s.gate
	}
	return cols, err
}

// A load that began before an invalidation does not undo it.
func TestInvalidateBeatsInflightLoad(t *testing.T) {
	f := newFake()
	src := &staleSource{fakeSource: f, gate: make(chan struct{}), began: make(chan struct{})}
	c := newCache(t, src, Options{Budget: 5 * time.Second})
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	c.Touch("spark_catalog", "hr") // its Columns call holds the old columns
	<-src.began
	f.set(func(f *fakeSource) {
		f.tables["spark_catalog.hr"][0].Columns = []Column{{Name: "renamed", Type: "int"}}
	})
	if err := c.Invalidate(ctx, Hint{Namespace: "hr", Table: "employees"}); err != nil {
		t.Fatal(err)
	}
	close(src.gate)
	c.Close() // waits for the prefetch to land (or not)
	if tb := c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "hr", Table: "employees"}); tb == nil || tb.Column("renamed") == nil {
		t.Errorf("employees = %+v", tb)
	}
}

func TestOfflineCache(t *testing.T) {
	c := newCache(t, nil, Options{Budget: time.Second})
	start := time.Now()
	if tbl, complete := c.Table(context.Background(), Ref{Catalog: "x", Namespace: "y", Table: "z"}); tbl != nil || complete {
		t.Errorf("offline Table = %v, %v", tbl, complete)
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Error("an offline lookup waited")
	}
	if err := c.Refresh(context.Background()); err == nil {
		t.Error("offline Refresh succeeded")
	}
}

// staleTables answers its first Tables call with the listing of the time of
// the call, but only once the gate opens: a slow listing racing a DDL.
type staleTables struct {
	*fakeSource
	gate  chan struct{}
	once  sync.Once
	began chan struct{}
}

func (s *staleTables) Tables(ctx context.Context, catalog, ns string) ([]Table, error) {
	first := false
	s.once.Do(func() { first = true })
	list, err := s.fakeSource.Tables(ctx, catalog, ns)
	if first {
		close(s.began)
		<-s.gate
	}
	return list, err
}

// A namespace listing that began before an invalidation does not undo it:
// the table created in between stays listed.
func TestInvalidateBeatsInflightListing(t *testing.T) {
	f := newFake()
	src := &staleTables{fakeSource: f, gate: make(chan struct{}), began: make(chan struct{})}
	c := newCache(t, src, Options{Budget: time.Millisecond})
	ctx := context.Background()
	c.Namespace(ctx, "spark_catalog", "hr") // its listing predates the CREATE
	<-src.began
	f.set(func(f *fakeSource) {
		f.tables["spark_catalog.hr"] = append(f.tables["spark_catalog.hr"], Table{Name: "created", Kind: KindManaged})
	})
	if err := c.Invalidate(ctx, Hint{Catalog: "spark_catalog", Namespace: "hr", Table: "created"}); err != nil {
		t.Fatal(err)
	}
	close(src.gate)
	c.Close() // waits for the listing to land (or not)
	if tb := c.Snapshot().Table(Ref{Catalog: "spark_catalog", Namespace: "hr", Table: "created"}); tb == nil {
		t.Error("the table created during a listing vanished after the listing landed")
	}
}

// A USE that reloads the current namespace while a refresh runs wins: the
// refresh read the old one before it.
func TestUseBeatsInflightRefresh(t *testing.T) {
	f := newFake()
	src := &slowRefresh{fakeSource: f, read: make(chan struct{}), gate: make(chan struct{})}
	c := newCache(t, src, Options{})
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- c.Refresh(ctx) }()
	<-src.read // the refresh has read "default"
	f.set(func(f *fakeSource) { f.curNS = "sales" })
	if err := c.Invalidate(ctx, Hint{Current: true}); err != nil {
		t.Fatal(err)
	}
	close(src.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := c.Snapshot().CurrentNamespace; got != "sales" {
		t.Errorf("current namespace after the refresh landed = %q, want sales", got)
	}
}

// A run that creates a temporary view or a function while a refresh runs
// wins: the refresh listed them before (with the analysis
// session, maybe on a copy of the session made before the run), and its
// listing must not drop what Invalidate found.
func TestInvalidateBeatsInflightRefresh(t *testing.T) {
	f := newFake()
	src := &slowRefresh{fakeSource: f, read: make(chan struct{}), gate: make(chan struct{}), listed: make(chan struct{})}
	c := newCache(t, src, Options{})
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- c.Refresh(ctx) }()
	<-src.listed // the refresh has listed the views and functions
	f.set(func(f *fakeSource) {
		f.temps = []Table{{Name: "made", Kind: KindTempView, Columns: []Column{{Name: "one", Type: "int"}}}}
		f.functions = append(f.functions, Function{Name: "made_fn"})
	})
	for _, h := range []Hint{{Temp: true, Table: "made"}, {Functions: true}} {
		if err := c.Invalidate(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	close(src.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	if tb := s.Table(Ref{Table: "made"}); tb == nil || len(tb.Columns) != 1 {
		t.Errorf("temporary view made after the refresh landed: %+v", tb)
	}
	if !slices.ContainsFunc(s.Functions, func(fn Function) bool { return fn.Name == "made_fn" }) {
		t.Error("function made_fn vanished after the refresh landed")
	}
}

// slowRefresh holds a refresh's catalog listing until gate closes, and says
// when the refresh's first Current answered.
type slowRefresh struct {
	*fakeSource
	once, tvOnce, fnOnce sync.Once
	read, gate           chan struct{}
	listed               chan struct{} // nil, or closed once TempViews and Functions answered
	countMu              sync.Mutex
	count                int
}

func (s *slowRefresh) TempViews(ctx context.Context) ([]Table, error) {
	out, err := s.fakeSource.TempViews(ctx)
	s.tvOnce.Do(func() { s.answeredOne() })
	return out, err
}

func (s *slowRefresh) Functions(ctx context.Context) ([]Function, error) {
	out, err := s.fakeSource.Functions(ctx)
	s.fnOnce.Do(func() { s.answeredOne() })
	return out, err
}

// answeredOne closes listed when both TempViews and Functions answered once.
func (s *slowRefresh) answeredOne() {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	s.count++
	if s.count == 2 && s.listed != nil {
		close(s.listed)
	}
}

func (s *slowRefresh) Current(ctx context.Context) (string, string, error) {
	cat, ns, err := s.fakeSource.Current(ctx)
	s.once.Do(func() { close(s.read) })
	return cat, ns, err
}

func (s *slowRefresh) Catalogs(ctx context.Context) ([]Catalog, error) {
	select {
	case <-s.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.fakeSource.Catalogs(ctx)
}
