package schema

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for a logger written from goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var (
	salesReturns = Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "returns"}
	hrEmployees  = Ref{Catalog: "spark_catalog", Namespace: "hr", Table: "employees"}
	hrContracts  = Ref{Catalog: "spark_catalog", Namespace: "hr", Table: "contracts"}
)

// One namespace whose tables cannot be listed does not stop the others from
// loading; it keeps what it had, is logged, counted and retried on lookup.
func TestRefreshOneNamespaceFails(t *testing.T) {
	f := newFake()
	var logs syncBuffer
	c := newCache(t, f, Options{Prefetch: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	denied := errors.New("[PERMISSION_DENIED] no USE SCHEMA on hr")
	f.set(func(f *fakeSource) {
		f.tables["spark_catalog.sales"] = append(f.tables["spark_catalog.sales"], Table{Name: "returns"})
		f.tables["spark_catalog.hr"] = append(f.tables["spark_catalog.hr"], Table{Name: "contracts"})
		f.failArg["Tables spark_catalog hr"] = denied
	})
	err := c.Refresh(ctx)
	if !errors.Is(err, denied) {
		t.Fatalf("Refresh = %v, want it to carry the namespace's error", err)
	}
	if !strings.Contains(err.Error(), "hr") {
		t.Errorf("error %q does not name the namespace", err)
	}
	s := c.Snapshot()
	if s.Table(salesReturns) == nil {
		t.Error("the namespaces that listed fine were not swapped in")
	}
	if s.Table(hrEmployees) == nil {
		t.Error("the failed namespace lost what the previous snapshot had")
	}
	if s.Table(hrContracts) != nil {
		t.Error("the failed namespace shows a listing it never got")
	}
	if st := c.Stats(); st.Failed != 1 || st.Namespaces != 3 {
		t.Errorf("stats = %+v, want 1 failed of 3 namespaces", st)
	}
	if l := logs.String(); strings.Count(l, "PERMISSION_DENIED") != 1 || !strings.Contains(l, "level=WARN") || !strings.Contains(l, "namespace=hr") {
		t.Errorf("want one warning naming hr and its error, got:\n%s", l)
	}

	// While it still fails, a lookup retries, serves the old tables, and
	// does not claim they are complete.
	before := f.countArg("Tables spark_catalog hr")
	n, complete := c.Namespace(ctx, "spark_catalog", "hr")
	if complete || n == nil || n.Table("employees") == nil {
		t.Errorf("lookup of a still failing namespace = %+v, %v", n, complete)
	}
	if f.countArg("Tables spark_catalog hr") != before+1 {
		t.Errorf("the lookup did not retry the listing")
	}

	// Once the server lets us, the lookup gets the tables.
	f.set(func(f *fakeSource) { delete(f.failArg, "Tables spark_catalog hr") })
	n, complete = c.Namespace(ctx, "spark_catalog", "hr")
	if !complete || n == nil || n.Table("contracts") == nil {
		t.Fatalf("lookup after recovery = %+v, %v", n, complete)
	}
	if st := c.Stats(); st.Failed != 0 {
		t.Errorf("Failed = %d after the retry succeeded", st.Failed)
	}
	// Now it is loaded and complete: no more relisting.
	before = f.countArg("Tables spark_catalog hr")
	if _, complete := c.Namespace(ctx, "spark_catalog", "hr"); !complete || f.countArg("Tables spark_catalog hr") != before {
		t.Errorf("a recovered namespace is still retried")
	}
}

// On first start (nothing cached) a failing namespace is there but not
// listed, so a lookup loads it rather than taking it for empty.
func TestFirstRefreshOneNamespaceFails(t *testing.T) {
	f := newFake()
	f.failArg["Tables spark_catalog hr"] = errors.New("timeout")
	c := newCache(t, f, Options{})
	ctx := context.Background()
	if err := c.Refresh(ctx); err == nil {
		t.Fatal("a partial refresh reported no error")
	}
	s := c.Snapshot()
	if s.RefreshedAt.IsZero() || s.Namespace("spark_catalog", "sales") == nil || len(s.Namespace("spark_catalog", "sales").Tables) != 3 {
		t.Fatalf("the rest did not load: %+v", s.Namespace("spark_catalog", "sales"))
	}
	if n := s.Namespace("spark_catalog", "hr"); n == nil || n.TablesLoaded() {
		t.Errorf("hr = %+v, want present and not listed", n)
	}
	f.set(func(f *fakeSource) { delete(f.failArg, "Tables spark_catalog hr") })
	if n, complete := c.Namespace(ctx, "spark_catalog", "hr"); !complete || n == nil || n.Table("employees") == nil {
		t.Errorf("lookup = %+v, %v", n, complete)
	}
	if tbl, complete := c.Table(ctx, hrEmployees); !complete || tbl == nil || !tbl.ColumnsLoaded() {
		t.Errorf("Table = %+v, %v", tbl, complete)
	}
}

// One catalog whose namespaces cannot be listed does not stop the others;
// it keeps what it had.
func TestRefreshOneCatalogFails(t *testing.T) {
	f := newFake()
	f.set(func(f *fakeSource) {
		f.catalogs = append(f.catalogs, "broken_ext")
		f.namespaces["broken_ext"] = []string{"raw"}
		f.tables["broken_ext.raw"] = []Table{{Name: "events"}}
	})
	c := newCache(t, f, Options{})
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("external catalog unreachable")
	f.set(func(f *fakeSource) {
		f.tables["spark_catalog.sales"] = append(f.tables["spark_catalog.sales"], Table{Name: "returns"})
		f.failArg["Namespaces broken_ext"] = broken
	})
	err := c.Refresh(ctx)
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "broken_ext") {
		t.Fatalf("Refresh = %v", err)
	}
	s := c.Snapshot()
	if s.Table(salesReturns) == nil {
		t.Error("the other catalog did not load")
	}
	if s.Table(Ref{Catalog: "broken_ext", Namespace: "raw", Table: "events"}) == nil {
		t.Error("the failed catalog lost what it had")
	}
	if f.countArg("Tables broken_ext raw") != 1 {
		t.Errorf("tables of a catalog whose namespaces failed were listed: %d", f.countArg("Tables broken_ext raw"))
	}
	if st := c.Stats(); st.Failed != 1 || !s.CatalogFailed("BROKEN_EXT") || s.CatalogFailed("spark_catalog") {
		t.Errorf("Failed = %d, want 1 (broken_ext)", st.Failed)
	}
	if n := s.Namespace("broken_ext", "raw"); n == nil || !n.Failed() {
		t.Errorf("a kept namespace of the failed catalog is not marked: %+v", n)
	}
	// Its kept namespaces are not vouched for: a lookup relists them.
	f.set(func(f *fakeSource) {
		f.tables["broken_ext.raw"] = append(f.tables["broken_ext.raw"], Table{Name: "clicks"})
	})
	if n, complete := c.Namespace(ctx, "broken_ext", "raw"); !complete || n == nil || n.Table("clicks") == nil {
		t.Errorf("lookup in the failed catalog = %+v, %v", n, complete)
	}

	// First start with no cache: the good catalog still loads.
	f2 := newFake()
	f2.set(func(f *fakeSource) {
		f.catalogs = append(f.catalogs, "broken_ext")
		f.failArg["Namespaces broken_ext"] = broken
	})
	c2 := newCache(t, f2, Options{})
	if err := c2.Refresh(ctx); !errors.Is(err, broken) {
		t.Fatalf("Refresh = %v", err)
	}
	if n := c2.Snapshot().Namespace("spark_catalog", "sales"); n == nil || len(n.Tables) != 3 {
		t.Errorf("sales = %+v", n)
	}
	if c2.Snapshot().Catalog("broken_ext") == nil {
		t.Error("the failed catalog is not listed")
	}
}

// Functions and temporary views failing keep the old ones; the rest loads.
func TestRefreshFunctionsFail(t *testing.T) {
	f := newFake()
	c := newCache(t, f, Options{})
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeSource) {
		f.tables["spark_catalog.sales"] = append(f.tables["spark_catalog.sales"], Table{Name: "returns"})
		f.fail["Functions"] = errors.New("boom")
	})
	if err := c.Refresh(ctx); err == nil {
		t.Fatal("no error")
	}
	s := c.Snapshot()
	if s.Table(salesReturns) == nil || s.Function("abs") == nil {
		t.Errorf("returns = %v, abs = %v", s.Table(salesReturns), s.Function("abs"))
	}
}

// The error summary is capped however many namespaces fail.
func TestRefreshErrorCapped(t *testing.T) {
	f := newFake()
	for i := 0; i < 50; i++ {
		f.addTables("spark_catalog", "ns"+string(rune('a'+i/26))+string(rune('a'+i%26)), 1, 1)
	}
	f.fail["Tables"] = errors.New("denied")
	c := newCache(t, f, Options{})
	err := c.Refresh(context.Background())
	var pe *PartialError
	if !errors.As(err, &pe) || pe.Failed != 53 {
		t.Fatalf("Refresh = %v", err)
	}
	if len(pe.Unwrap()) > 11 || !strings.Contains(err.Error(), "53") {
		t.Errorf("error not capped: %d errors, %q", len(pe.Unwrap()), err)
	}
	if st := c.Stats(); st.Failed != 53 || st.Namespaces != 53 {
		t.Errorf("stats = %+v", st)
	}
}

// Closing the cache mid-refresh swaps nothing in.
func TestRefreshCancelledSwapsNothing(t *testing.T) {
	f := newFake()
	c := New(f, Options{})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := c.Snapshot()
	gate := make(chan struct{})
	f.set(func(f *fakeSource) {
		f.tables["spark_catalog.sales"] = append(f.tables["spark_catalog.sales"], Table{Name: "returns"})
		f.failArg["Tables spark_catalog hr"] = errors.New("denied")
	})
	calls := f.count("Tables")
	f.set(func(f *fakeSource) { f.gate = gate })
	c.RefreshAsync()
	for range 5 { // Current, Catalogs, Functions, TempViews, Namespaces
		gate <- struct{}{}
	}
	eventually(t, "a listing", func() bool { return f.count("Tables") > calls })
	c.Close()
	if c.Snapshot() != before {
		t.Error("a cancelled refresh swapped in a snapshot")
	}
}
