package connect

// schema.Source over the REAL local Spark Connect server (gated by
// SPARKLS_IT_REMOTE like integration_test.go), and the schema tree parser.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// schemaITClient connects to the real server, or skips when none is
// configured. Tests of package connect read SPARKLS_IT_REMOTE by hand:
// internal/ittest imports connect, so using it here would be a cycle.
func schemaITClient(t testing.TB) *Client {
	t.Helper()
	remote := os.Getenv("SPARKLS_IT_REMOTE")
	if remote == "" {
		t.Skip("SPARKLS_IT_REMOTE not set: no real Spark Connect server (make test starts one)")
	}
	r, err := ParseRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := Dial(ctx, r, Options{Version: "test"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func schemaITRun(t testing.TB, c *Client, sql string, lim Limits) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	res, err := c.Run(ctx, sql, RunOptions{Limits: lim})
	if err != nil {
		t.Fatalf("Run(%q): %v", sql, err)
	}
	return res
}

// countingSource counts the calls (each one Spark Connect operation) that a
// Cache makes through a Source.
type countingSource struct {
	schema.Source
	noBulk bool
	mu     sync.Mutex
	calls  map[string]int
}

func (s *countingSource) count(m string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[m]++
}

func (s *countingSource) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.calls {
		n += v
	}
	return n
}

func (s *countingSource) Tables(ctx context.Context, c, n string) ([]schema.Table, error) {
	s.count("Tables")
	return s.Source.Tables(ctx, c, n)
}

func (s *countingSource) TablesWithColumns(ctx context.Context, c, n string) ([]schema.Table, error) {
	if s.noBulk {
		return nil, schema.ErrUnsupported
	}
	s.count("TablesWithColumns")
	return s.Source.TablesWithColumns(ctx, c, n)
}

func (s *countingSource) Columns(ctx context.Context, c, n, t string) ([]schema.Column, error) {
	s.count("Columns")
	return s.Source.Columns(ctx, c, n, t)
}

func (s *countingSource) Current(ctx context.Context) (string, string, error) {
	s.count("Current")
	return s.Source.Current(ctx)
}

func (s *countingSource) Catalogs(ctx context.Context) ([]schema.Catalog, error) {
	s.count("Catalogs")
	return s.Source.Catalogs(ctx)
}

func (s *countingSource) Namespaces(ctx context.Context, c string) ([]schema.Namespace, error) {
	s.count("Namespaces")
	return s.Source.Namespaces(ctx, c)
}

func (s *countingSource) TempViews(ctx context.Context) ([]schema.Table, error) {
	s.count("TempViews")
	return s.Source.TempViews(ctx)
}

func (s *countingSource) Functions(ctx context.Context) ([]schema.Function, error) {
	s.count("Functions")
	return s.Source.Functions(ctx)
}

func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func colsString(cols []schema.Column, comments bool) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "%s %s", c.Name, c.Type)
		if c.Partition {
			b.WriteString(" partition")
		}
		if comments && c.Comment != "" {
			fmt.Fprintf(&b, " -- %s", c.Comment)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The demo catalog loads completely through a Cache and matches what
// SHOW TABLES and DESCRIBE say.
func TestITSchemaSourceDemoCatalog(t *testing.T) {
	c := schemaITClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	src := &countingSource{Source: c.SchemaSource()}
	cache := schema.New(src, schema.Options{Budget: 30 * time.Second})
	defer cache.Close()
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	s := cache.Snapshot()
	if s.CurrentCatalog != "spark_catalog" || len(s.Functions) < 300 {
		t.Fatalf("current catalog %q, %d functions", s.CurrentCatalog, len(s.Functions))
	}
	if f := s.Function("abs"); f == nil || !f.Builtin || f.Usage == "" || f.Description == "" {
		t.Errorf("abs = %+v", f)
	}
	for _, db := range []string{"sales", "hr", "web_logs"} {
		n := s.Namespace("", db)
		if n == nil || !n.TablesLoaded() {
			t.Fatalf("namespace %s missing from %+v", db, s.Catalogs[0].Namespaces)
		}
		res := schemaITRun(t, c, "SHOW TABLES IN "+db, Limits{Rows: 10000})
		var want, got []string
		for _, r := range res.Rows {
			if r[2].Text != "true" {
				want = append(want, strings.ToLower(r[1].Text))
			}
		}
		for _, tb := range n.Tables {
			got = append(got, strings.ToLower(tb.Name))
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: tables %v, SHOW TABLES says %v", db, got, want)
		}
		cache.Touch("", db)
	}
	waitFor(t, "the demo catalog's columns", 2*time.Minute, func() bool {
		for _, db := range []string{"sales", "hr", "web_logs"} {
			for _, tb := range cache.Snapshot().Namespace("", db).Tables {
				if !tb.ColumnsLoaded() {
					return false
				}
			}
		}
		return true
	})
	t.Logf("calls: %v", src.calls)
	if src.calls["TablesWithColumns"] != 3 || src.calls["Columns"] != 0 {
		t.Errorf("want one bulk call per namespace and no per-table call: %v", src.calls)
	}

	if v := cache.Snapshot().Table(schema.Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "big_orders"}); v == nil || v.Kind != schema.KindView || v.Comment == "" {
		t.Errorf("sales.big_orders after the bulk load = %+v", v)
	}

	// sales.orders against DESCRIBE (names, types, partition column), with
	// comments once described.
	orders, complete := cache.Describe(ctx, schema.Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"})
	if !complete || orders == nil {
		t.Fatalf("Describe(sales.orders) = %v, %v", orders, complete)
	}
	res := schemaITRun(t, c, "DESCRIBE sales.orders", Limits{Rows: 1000})
	var want strings.Builder
	partitions := false
	var parts []string
	for _, r := range res.Rows {
		name := r[0].Text
		switch {
		case strings.HasPrefix(name, "# Partition"):
			partitions = true
		case name == "" || strings.HasPrefix(name, "#"):
		case partitions:
			parts = append(parts, name)
		default:
			fmt.Fprintf(&want, "%s %s", name, r[1].Text)
			want.WriteString("\x00" + r[2].Text + "\n")
		}
	}
	lines := strings.Split(strings.TrimSuffix(want.String(), "\n"), "\n")
	for i, l := range lines {
		head, comment, _ := strings.Cut(l, "\x00")
		if slices.Contains(parts, strings.Fields(head)[0]) {
			head += " partition"
		}
		if comment != "" {
			head += " -- " + comment
		}
		lines[i] = head
	}
	if got, want := colsString(orders.Columns, true), strings.Join(lines, "\n")+"\n"; got != want {
		t.Errorf("sales.orders:\n%s\nDESCRIBE:\n%s", got, want)
	}
}

// The bulk path (SHOW TABLE EXTENDED's schema tree) renders every type of
// the demo catalog exactly as ListColumns does.
func TestITSchemaBulkMatchesListColumns(t *testing.T) {
	c := schemaITClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	src := c.SchemaSource()
	for _, db := range []string{"sales", "hr", "web_logs"} {
		bulk, err := src.TablesWithColumns(ctx, "spark_catalog", db)
		if err != nil {
			t.Fatalf("TablesWithColumns(%s): %v", db, err)
		}
		listed, err := src.Tables(ctx, "spark_catalog", db)
		if err != nil {
			t.Fatal(err)
		}
		if len(bulk) != len(listed) {
			t.Errorf("%s: bulk has %d tables, ListTables %d", db, len(bulk), len(listed))
		}
		for _, tb := range bulk {
			one, err := src.Columns(ctx, "spark_catalog", db, tb.Name)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := colsString(tb.Columns, false), colsString(one, false); got != want {
				t.Errorf("%s.%s bulk:\n%s\nListColumns:\n%s", db, tb.Name, got, want)
			}
			for i := range one {
				if i < len(tb.Columns) && tb.Columns[i].Nullable != one[i].Nullable {
					t.Errorf("%s.%s.%s nullable %v, ListColumns %v", db, tb.Name, one[i].Name, tb.Columns[i].Nullable, one[i].Nullable)
				}
			}
			if !tb.NoColumnComments {
				t.Errorf("%s.%s: bulk columns claim comments", db, tb.Name)
			}
		}
	}
}

// Temporary views and DDL invalidation on the real server.
func TestITSchemaInvalidateTempView(t *testing.T) {
	c := schemaITClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cache := schema.New(c.SchemaSource(), schema.Options{Budget: 30 * time.Second})
	defer cache.Close()
	stmt := "CREATE OR REPLACE TEMP VIEW sparkls_it_tmp AS SELECT 1 AS one, 'x' AS two"
	schemaITRun(t, c, stmt, Limits{})
	h, ok := schema.DDLHint(stmt)
	if !ok {
		t.Fatal("no hint")
	}
	if err := cache.Invalidate(ctx, h); err != nil {
		t.Fatal(err)
	}
	s := cache.Snapshot()
	tb := s.Table(s.Qualify("sparkls_it_tmp"))
	if tb == nil || colsString(tb.Columns, false) != "one int\ntwo string\n" {
		t.Fatalf("temp view = %+v", tb)
	}
}

// BenchmarkITSchemaLoad1000 loads the 1,000 tables × 20 columns of
// schema_bench_1000 (scripts/bench_catalog_pyspark.py --create makes it).
func BenchmarkITSchemaLoad1000(b *testing.B) {
	c := schemaITClient(b)
	if tables, err := c.ListTables(context.Background(), "schema_bench_1000"); err != nil || len(tables) < 1000 {
		b.Skipf("schema_bench_1000 missing (%v): run scripts/bench_catalog_pyspark.py --create", err)
	}
	benchSchemaLoad(b, c, "schema_bench_1000")
}

// BenchmarkITSchemaLoadDemo loads the columns of the demo catalog.
func BenchmarkITSchemaLoadDemo(b *testing.B) {
	benchSchemaLoad(b, schemaITClient(b), "sales", "hr", "web_logs")
}

// benchSchemaLoad loads every column of the namespaces dbs four ways,
// reporting wall time and calls (each call one Spark Connect operation):
// the Cache's bulk path, its per-table fallback (4 at once), and naive
// sequential loops of ListTables then ListColumns (what PySpark's catalog
// API offers) or DESCRIBE TABLE per table.
func benchSchemaLoad(b *testing.B, c *Client, dbs ...string) {
	ctx := context.Background()
	load := func(b *testing.B, noBulk bool) {
		calls := 0
		for b.Loop() {
			src := &countingSource{Source: c.SchemaSource(), noBulk: noBulk}
			cache := schema.New(src, schema.Options{Prefetch: 4, LoadTimeout: 10 * time.Minute})
			for _, db := range dbs {
				cache.Touch("spark_catalog", db)
			}
			waitFor(b, "columns", 10*time.Minute, func() bool {
				for _, db := range dbs {
					n := cache.Snapshot().Namespace("spark_catalog", db)
					if n == nil || !n.TablesLoaded() {
						return false
					}
					for _, t := range n.Tables {
						if !t.ColumnsLoaded() {
							return false
						}
					}
				}
				return true
			})
			cache.Close()
			calls = src.total()
		}
		b.ReportMetric(float64(calls), "calls")
	}
	b.Run("bulk", func(b *testing.B) { load(b, false) })
	b.Run("per-table-x4", func(b *testing.B) { load(b, true) })
	naive := func(b *testing.B, columns func(db, table string) error) {
		calls := 0
		for b.Loop() {
			calls = 0
			for _, db := range dbs {
				tables, err := c.ListTables(ctx, db)
				if err != nil {
					b.Fatal(err)
				}
				calls++
				for _, t := range tables {
					if t.Temporary {
						continue
					}
					if err := columns(db, t.Name); err != nil {
						b.Fatal(err)
					}
					calls++
				}
			}
		}
		b.ReportMetric(float64(calls), "calls")
	}
	b.Run("naive-listColumns", func(b *testing.B) {
		naive(b, func(db, table string) error { _, err := c.ListColumns(ctx, db, table); return err })
	})
	b.Run("naive-describe", func(b *testing.B) {
		naive(b, func(db, table string) error {
			_, err := c.Run(ctx, "DESCRIBE TABLE "+sqltext.Quote(db)+"."+sqltext.Quote(table), RunOptions{Limits: catalogLimits})
			return err
		})
	})
}

// The information cell of SHOW TABLE EXTENDED for sales.all_types and
// sales.orders on Spark 4.0.1 (the Key: value lines trimmed).
const allTypesInfo = "Catalog: spark_catalog\nDatabase: sales\nTable: all_types\nType: MANAGED\nProvider: parquet\n" +
	"Comment: One column of every common Spark SQL type, with edge-case values\nSchema: root\n" +
	" |-- id: integer (nullable = true)\n |-- c_tinyint: byte (nullable = true)\n |-- c_smallint: short (nullable = true)\n" +
	" |-- c_bigint: long (nullable = false)\n |-- c_decimal: decimal(12,2) (nullable = true)\n" +
	" |-- c_timestamp_ntz: timestamp_ntz (nullable = true)\n" +
	" |-- c_int_array: array (nullable = true)\n |    |-- element: integer (containsNull = true)\n" +
	" |-- c_map: map (nullable = true)\n |    |-- key: string\n |    |-- value: integer (valueContainsNull = true)\n" +
	" |-- c_struct: struct (nullable = true)\n |    |-- sku: string (nullable = true)\n |    |-- qty: integer (nullable = true)\n" +
	" |-- c_struct_array: array (nullable = true)\n |    |-- element: struct (containsNull = true)\n" +
	" |    |    |-- sku: string (nullable = true)\n |    |    |-- qty: integer (nullable = true)\n" +
	" |-- c_map_of_arrays: map (nullable = true)\n |    |-- key: string\n |    |-- value: array (valueContainsNull = true)\n" +
	" |    |    |-- element: double (containsNull = true)\n |-- referrer url: string (nullable = true)\n\n"

func TestParseTableInformation(t *testing.T) {
	tb, err := parseTableInformation(allTypesInfo)
	if err != nil {
		t.Fatal(err)
	}
	want := `id int
c_tinyint tinyint
c_smallint smallint
c_bigint bigint
c_decimal decimal(12,2)
c_timestamp_ntz timestamp_ntz
c_int_array array<int>
c_map map<string,int>
c_struct struct<sku:string,qty:int>
c_struct_array array<struct<sku:string,qty:int>>
c_map_of_arrays map<string,array<double>>
referrer url string
`
	if got := colsString(tb.Columns, false); got != want {
		t.Errorf("columns:\n%s\nwant:\n%s", got, want)
	}
	if tb.Kind != schema.KindManaged || !strings.HasPrefix(tb.Comment, "One column") || !tb.NoColumnComments {
		t.Errorf("table = %+v", tb)
	}
	if tb.Columns[3].Nullable || !tb.Columns[0].Nullable {
		t.Error("nullability lost")
	}

	orders, err := parseTableInformation("Type: MANAGED\nPartition Columns: [`order_date`, `region`]\nSchema: root\n" +
		" |-- order_id: long (nullable = true)\n |-- order_date: date (nullable = true)\n |-- region: string (nullable = true)\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := colsString(orders.Columns, false); got != "order_id bigint\norder_date date partition\nregion string partition\n" {
		t.Errorf("partitions: %s", got)
	}

	for _, bad := range []string{
		"Type: MANAGED\n", // no schema
		"Type: MANAGED\nSchema: root\n |-- a integer\n",     // no ": "
		"Type: MANAGED\nSchema: root\n |    |-- a: int\n",   // skips a level
		"Type: MANAGED\nSchema: root\n |-- a: integer (nu…", // cut by the cell limit
	} {
		if _, err := parseTableInformation(bad); !errors.Is(err, errUnparsable) {
			t.Errorf("parseTableInformation(%q) = %v, want errUnparsable", bad, err)
		}
	}
}

func TestSchemaKeyIgnoresToken(t *testing.T) {
	a, _ := ParseRemote("sc://h:1/;user_id=u;token=one;use_ssl=true;x-databricks-cluster-id=c1")
	b, _ := ParseRemote("sc://h:1/;user_id=u;token=two;use_ssl=true;x-databricks-cluster-id=c1")
	d, _ := ParseRemote("sc://h:1/;user_id=u;token=one;use_ssl=true;x-databricks-cluster-id=c2")
	ca, _ := NewClient(a, Options{})
	cb, _ := NewClient(b, Options{})
	cd, _ := NewClient(d, Options{})
	defer ca.Close()
	defer cb.Close()
	defer cd.Close()
	if ca.SchemaKey() != cb.SchemaKey() {
		t.Error("the token changes the cache key")
	}
	if ca.SchemaKey() == cd.SchemaKey() {
		t.Error("another cluster has the same cache key")
	}
	if strings.Contains(ca.SchemaKey(), "one") {
		t.Error("key shows the token")
	}
}
