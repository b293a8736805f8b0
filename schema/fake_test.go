package schema

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// fakeSource is an in-memory Source with call counters, injectable latency
// and errors, and a record of the most calls ever in flight at once.
type fakeSource struct {
	mu         sync.Mutex
	curCat     string
	curNS      string
	catalogs   []string
	namespaces map[string][]string // catalog → namespaces
	tables     map[string][]Table  // "cat.ns" → tables with columns
	temps      []Table             // with columns
	functions  []Function
	bulk       bool             // TablesWithColumns works
	namesOnly  bool             // Tables says names only, like SHOW TABLES
	latency    time.Duration    // every call sleeps this long (ctx-aware)
	fail       map[string]error // method → error for every call
	failNth    map[string]int   // method → fail only its nth call (1-based)
	failArg    map[string]error // "method arg..." → error for every such call
	calls      map[string]int   // method → calls
	byArg      map[string]int   // "method arg..." → calls
	inflight   int
	maxInfl    int
	gate       chan struct{} // when set, calls wait for a receive... close to release
}

func newFake() *fakeSource {
	f := &fakeSource{
		curCat: "spark_catalog", curNS: "default",
		catalogs:   []string{"spark_catalog"},
		namespaces: map[string][]string{"spark_catalog": {"default", "sales", "hr"}},
		tables:     map[string][]Table{},
		fail:       map[string]error{},
		failNth:    map[string]int{},
		failArg:    map[string]error{},
		calls:      map[string]int{},
		byArg:      map[string]int{},
		functions: []Function{
			{Name: "abs", Usage: "abs(expr)", Description: "Returns the absolute value", Builtin: true},
			{Name: "count", Usage: "count(*)", Builtin: true},
		},
	}
	f.tables["spark_catalog.sales"] = []Table{
		{Name: "orders", Kind: KindManaged, Comment: "Customer orders", Columns: []Column{
			{Name: "order_id", Type: "bigint", Nullable: true, Comment: "unique"},
			{Name: "amount", Type: "decimal(12,2)", Nullable: true},
			{Name: "order_date", Type: "date", Nullable: true, Partition: true},
		}},
		{Name: "customers", Kind: KindManaged, Columns: []Column{
			{Name: "customer_id", Type: "bigint"}, {Name: "name", Type: "string", Nullable: true},
		}},
		{Name: "big_orders", Kind: KindView, Columns: []Column{{Name: "order_id", Type: "bigint", Nullable: true}}},
	}
	f.tables["spark_catalog.hr"] = []Table{
		{Name: "employees", Kind: KindManaged, Columns: []Column{{Name: "emp_id", Type: "int"}, {Name: "dept_id", Type: "int"}}},
	}
	f.tables["spark_catalog.default"] = nil
	return f
}

// addTables fills a namespace with n tables of cols columns each.
func (f *fakeSource) addTables(catalog, ns string, n, cols int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.namespaces[catalog], ns) {
		f.namespaces[catalog] = append(f.namespaces[catalog], ns)
	}
	for i := 0; i < n; i++ {
		t := Table{Name: fmt.Sprintf("t%04d", i), Kind: KindManaged}
		for j := 0; j < cols; j++ {
			t.Columns = append(t.Columns, Column{Name: fmt.Sprintf("c%02d", j), Type: "int", Nullable: true})
		}
		f.tables[catalog+"."+ns] = append(f.tables[catalog+"."+ns], t)
	}
}

func (f *fakeSource) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *fakeSource) countArg(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byArg[key]
}

func (f *fakeSource) maxInflight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInfl
}

func (f *fakeSource) set(fn func(f *fakeSource)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// enter records a call and applies latency, the gate and injected errors.
func (f *fakeSource) enter(ctx context.Context, method string, args ...string) error {
	f.mu.Lock()
	f.calls[method]++
	n := f.calls[method]
	key := strings.Join(append([]string{method}, args...), " ")
	f.byArg[key]++
	f.inflight++
	f.maxInfl = max(f.maxInfl, f.inflight)
	lat, gate := f.latency, f.gate
	err := f.fail[method]
	if e := f.failArg[key]; e != nil {
		err = e
	}
	if f.failNth[method] == n {
		err = fmt.Errorf("injected failure of %s call %d", method, n)
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if lat > 0 {
		t := time.NewTimer(lat)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

func (f *fakeSource) Current(ctx context.Context) (string, string, error) {
	if err := f.enter(ctx, "Current"); err != nil {
		return "", "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.curCat, f.curNS, nil
}

func (f *fakeSource) Catalogs(ctx context.Context) ([]Catalog, error) {
	if err := f.enter(ctx, "Catalogs"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Catalog
	for _, c := range f.catalogs {
		out = append(out, Catalog{Name: c})
	}
	return out, nil
}

func (f *fakeSource) Namespaces(ctx context.Context, catalog string) ([]Namespace, error) {
	if err := f.enter(ctx, "Namespaces", catalog); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Namespace
	for _, n := range f.namespaces[f.cat(catalog)] {
		out = append(out, Namespace{Name: n, Comment: "the " + n + " namespace"})
	}
	return out, nil
}

func (f *fakeSource) cat(c string) string {
	if c == "" {
		return f.curCat
	}
	return c
}

func (f *fakeSource) list(catalog, ns string, withColumns bool) ([]Table, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts, ok := f.tables[f.cat(catalog)+"."+ns]
	if !ok {
		return nil, fmt.Errorf("[SCHEMA_NOT_FOUND] %s", ns)
	}
	out := make([]Table, len(ts))
	for i, t := range ts {
		if !withColumns {
			t.Columns = nil
		} else {
			t.Columns = slices.Clone(t.Columns)
		}
		out[i] = t
	}
	return out, nil
}

func (f *fakeSource) Tables(ctx context.Context, catalog, ns string) ([]Table, error) {
	if err := f.enter(ctx, "Tables", catalog, ns); err != nil {
		return nil, err
	}
	ts, err := f.list(catalog, ns, false)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.namesOnly {
		for i := range ts {
			ts[i] = Table{Name: ts[i].Name}
		}
	}
	return ts, err
}

func (f *fakeSource) TablesWithColumns(ctx context.Context, catalog, ns string) ([]Table, error) {
	f.mu.Lock()
	bulk := f.bulk
	f.mu.Unlock()
	if !bulk {
		return nil, fmt.Errorf("fake: %w", ErrUnsupported)
	}
	if err := f.enter(ctx, "TablesWithColumns", catalog, ns); err != nil {
		return nil, err
	}
	return f.list(catalog, ns, true)
}

func (f *fakeSource) Columns(ctx context.Context, catalog, ns, table string) ([]Column, error) {
	if err := f.enter(ctx, "Columns", catalog, ns, table); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var ts []Table
	if catalog == "" && ns == "" {
		ts = f.temps
	} else {
		ts = f.tables[f.cat(catalog)+"."+ns]
	}
	for _, t := range ts {
		if strings.EqualFold(t.Name, table) {
			return slices.Clone(t.Columns), nil
		}
	}
	return nil, fmt.Errorf("[TABLE_OR_VIEW_NOT_FOUND] %s.%s", ns, table)
}

func (f *fakeSource) TempViews(ctx context.Context) ([]Table, error) {
	if err := f.enter(ctx, "TempViews"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Table, len(f.temps))
	for i, t := range f.temps {
		t.Columns = nil
		out[i] = t
	}
	return out, nil
}

func (f *fakeSource) Functions(ctx context.Context) ([]Function, error) {
	if err := f.enter(ctx, "Functions"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.functions), nil
}
