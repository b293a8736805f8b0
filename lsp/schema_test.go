package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/schema"
)

// memSource is an in-memory schema.Source: the fixtures' catalog and the
// benchmarks' synthetic ones. Every answer is a copy (the cache owns it).
type memSource struct {
	mu       sync.Mutex
	cur      [2]string                            // current catalog and namespace
	catalogs []string                             // in order
	tables   map[string]map[string][]schema.Table // catalog → namespace → tables with columns
	comments map[string]string                    // "cat" or "cat.ns" → comment
	temps    []schema.Table
	fns      []schema.Function
	calls    map[string]int
}

func newMemSource() *memSource {
	return &memSource{tables: map[string]map[string][]schema.Table{}, comments: map[string]string{}, calls: map[string]int{}}
}

func (m *memSource) add(cat, ns string, ts ...schema.Table) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tables[cat] == nil {
		m.tables[cat] = map[string][]schema.Table{}
		m.catalogs = append(m.catalogs, cat)
	}
	m.tables[cat][ns] = append(m.tables[cat][ns], ts...)
}

func (m *memSource) count(method string) {
	m.mu.Lock()
	m.calls[method]++
	m.mu.Unlock()
}

func (m *memSource) Current(ctx context.Context) (string, string, error) {
	m.count("Current")
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur[0], m.cur[1], nil
}

func (m *memSource) Catalogs(ctx context.Context) ([]schema.Catalog, error) {
	m.count("Catalogs")
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []schema.Catalog
	for _, c := range m.catalogs {
		out = append(out, schema.Catalog{Name: c, Comment: m.comments[c]})
	}
	return out, nil
}

func (m *memSource) Namespaces(ctx context.Context, catalog string) ([]schema.Namespace, error) {
	m.count("Namespaces")
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []schema.Namespace
	for ns := range m.tables[catalog] {
		out = append(out, schema.Namespace{Catalog: catalog, Name: ns, Comment: m.comments[catalog+"."+ns]})
	}
	slices.SortFunc(out, func(a, b schema.Namespace) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (m *memSource) list(catalog, namespace string, columns bool) ([]schema.Table, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts, ok := m.tables[catalog][namespace]
	if !ok {
		return nil, fmt.Errorf("[SCHEMA_NOT_FOUND] The schema `%s`.`%s` cannot be found", catalog, namespace)
	}
	out := make([]schema.Table, len(ts))
	for i, t := range ts {
		t.Catalog, t.Namespace = catalog, namespace
		if columns {
			t.Columns, t.ColumnsAt = slices.Clone(t.Columns), time.Now()
		} else {
			t.Columns = nil
		}
		out[i] = t
	}
	return out, nil
}

func (m *memSource) Tables(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	m.count("Tables")
	return m.list(catalog, namespace, false)
}

func (m *memSource) TablesWithColumns(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	m.count("TablesWithColumns")
	return m.list(catalog, namespace, true)
}

func (m *memSource) Columns(ctx context.Context, catalog, namespace, table string) ([]schema.Column, error) {
	m.count("Columns")
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.temps
	if catalog != "" || namespace != "" {
		ts = m.tables[catalog][namespace]
	}
	for _, t := range ts {
		if strings.EqualFold(t.Name, table) {
			return slices.Clone(t.Columns), nil
		}
	}
	return nil, fmt.Errorf("[TABLE_OR_VIEW_NOT_FOUND] %s", table)
}

func (m *memSource) TempViews(ctx context.Context) ([]schema.Table, error) {
	m.count("TempViews")
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]schema.Table, len(m.temps))
	for i, t := range m.temps {
		t.Columns = nil
		out[i] = t
	}
	return out, nil
}

func (m *memSource) Functions(ctx context.Context) ([]schema.Function, error) {
	m.count("Functions")
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.fns), nil
}

// demoSource is the demo catalog of scripts/spark-server (as far as the
// fixtures need it), a second catalog, a temporary view and a few functions.
func demoSource() *memSource {
	m := newMemSource()
	m.cur = [2]string{"spark_catalog", "default"}
	col := func(name, typ, comment string) schema.Column {
		return schema.Column{Name: name, Type: typ, Comment: comment, Nullable: true}
	}
	m.add("spark_catalog", "default", schema.Table{Name: "numbers", Kind: schema.KindManaged, Columns: []schema.Column{col("n", "int", "")}})
	m.add("spark_catalog", "sales",
		schema.Table{Name: "orders", Kind: schema.KindManaged, Comment: "Customer orders, partitioned by day", Columns: []schema.Column{
			col("order_id", "bigint", "unique order number"),
			col("customer_id", "bigint", "references sales.customers"),
			col("amount", "decimal(12,2)", "order total in EUR"),
			col("status", "string", "new, shipped, cancelled"),
			{Name: "order_date", Type: "date", Comment: "partition column", Nullable: true, Partition: true},
		}},
		schema.Table{Name: "customers", Kind: schema.KindManaged, Comment: "Customers", Columns: []schema.Column{
			{Name: "customer_id", Type: "bigint", Comment: "primary key"},
			col("name", "string", ""), col("email", "string", ""), col("country", "string", "ISO 3166 code"),
		}},
		schema.Table{Name: "big_orders", Kind: schema.KindView, Comment: "Orders with an amount over 100", Columns: []schema.Column{
			col("order_id", "bigint", ""), col("amount", "decimal(12,2)", ""),
		}},
		schema.Table{Name: "all_types", Kind: schema.KindManaged, Columns: []schema.Column{
			col("id", "int", ""), col("tags", "array<string>", ""),
			col("address", "struct<street:string,city:string,geo:struct<lat:double,lon:double>>", "postal address"),
			col("props", "map<string,string>", ""), col("lines", "array<struct<sku:string,qty:int>>", "order lines"),
		}},
	)
	m.add("spark_catalog", "hr",
		schema.Table{Name: "employees", Kind: schema.KindManaged, Columns: []schema.Column{
			col("emp_id", "int", ""), col("name", "string", ""), col("dept_id", "int", ""), col("salary", "decimal(10,2)", "yearly, EUR"),
		}},
		schema.Table{Name: "departments", Kind: schema.KindManaged, Columns: []schema.Column{col("dept_id", "int", ""), col("name", "string", "")}},
	)
	m.add("spark_catalog", "web_logs",
		schema.Table{Name: "page_views", Kind: schema.KindManaged, Comment: "Page views; column names that need backticks", Columns: []schema.Column{
			col("view_id", "bigint", ""), col("url", "string", ""), col("user-agent", "string", "browser"), col("referrer url", "string", ""),
			col("status_code", "int", ""),
		}},
		schema.Table{Name: "select", Kind: schema.KindManaged, Comment: "A table named with a reserved word", Columns: []schema.Column{
			col("from", "string", ""), col("where", "int", ""),
		}},
	)
	m.add("lake", "raw", schema.Table{Name: "clicks", Kind: schema.KindExternal, Columns: []schema.Column{col("id", "bigint", ""), col("at", "timestamp", "")}})
	m.comments["spark_catalog.sales"] = "Orders, customers and a table with every common Spark type"
	m.comments["lake"] = "The data lake"
	m.temps = []schema.Table{{Name: "recent_orders", Kind: schema.KindTempView, Columns: []schema.Column{col("order_id", "bigint", ""), col("amount", "decimal(12,2)", "")}}}
	m.fns = []schema.Function{
		{Name: "abs", Usage: "abs(expr)", Description: "Returns the absolute value of the numeric or interval value.", Builtin: true},
		{Name: "count", Usage: "count(*)", Description: "Returns the total number of retrieved rows, including rows containing null.", Builtin: true},
		{Name: "coalesce", Usage: "coalesce(expr1, expr2, ...)", Description: "Returns the first non-null argument if exists. Otherwise, null.", Builtin: true},
		{Name: "current_date", Usage: "current_date()", Description: "Returns the current date at the start of query evaluation.", Builtin: true},
		{Name: "date_add", Usage: "date_add(start_date, num_days)", Description: "Returns the date that is `num_days` after `start_date`.", Builtin: true},
		{Name: "substr", Usage: "substr(str, pos[, len])", Description: "Returns the substring of `str` that starts at `pos` and is of length `len`.", Builtin: true},
		{Name: "sum", Usage: "sum(expr)", Description: "Returns the sum calculated from values of a group.", Builtin: true},
		{Name: "+", Usage: "expr1 + expr2", Description: "Returns `expr1`+`expr2`.", Builtin: true},
		{Name: "mask_email", Usage: "", Description: "", Builtin: false},
	}
	return m
}

// demoCache is a cache over src as the fixtures use it: how says which.
//
//	warm     every name and every column loaded (the default)
//	cold     names only: columns load on demand, within the budget
//	disk     no source: what a previous session saved (names and columns)
func demoCache(t testing.TB, src *memSource, how string) *schema.Cache {
	t.Helper()
	dir := t.TempDir()
	opts := schema.Options{Key: "demo", Dir: dir, Budget: ide.LookupBudget}
	c := schema.New(src, opts)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if how == "cold" {
		return c
	}
	s := c.Snapshot()
	for _, cat := range s.Catalogs {
		for _, ns := range cat.Namespaces {
			for _, tb := range ns.Tables {
				if tb, ok := c.Table(ctx, tb.Ref()); !ok || tb == nil {
					t.Fatalf("loading %v", tb)
				}
			}
		}
	}
	for _, tv := range s.TempViews {
		c.Table(ctx, tv.Ref())
	}
	if how != "disk" {
		return c
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	d := schema.New(nil, opts)
	t.Cleanup(func() { d.Close() })
	if d.Stats().Tables == 0 {
		t.Fatalf("the disk cache holds nothing")
	}
	return d
}

// The disk cache opens before the connection under the key the client
// uses once connected.
func TestSchemaKeyMatchesClient(t *testing.T) {
	for _, remote := range []string{"sc://example.com:443/;user_id=ann;x-team=a", "sc://127.0.0.1:15002", "sc://h/;token=t;use_ssl=true"} {
		r, err := connect.ParseRemote(remote)
		if err != nil {
			t.Fatal(err)
		}
		c, err := connect.NewClient(r, connect.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := connect.SchemaKey(r), c.SchemaKey(); got != want {
			t.Errorf("%s: schemaKey %q, client %q", remote, got, want)
		}
	}
}

func (c *testClient) eventuallyCompletes(uri string, line, char int, label string) protocol.CompletionList {
	c.t.Helper()
	var list protocol.CompletionList
	eventually(c.t, fmt.Sprintf("completion of %s at %d:%d", label, line, char), func() bool {
		list = c.complete(uri, line, char)
		return slices.Contains(labels(list), label)
	})
	return list
}

// eventuallyHovers asks for a hover until its Markdown holds every want.
func (c *testClient) eventuallyHovers(uri string, pos protocol.Position, want ...string) string {
	c.t.Helper()
	md := ""
	eventually(c.t, fmt.Sprintf("a hover at %v with %q", pos, want), func() bool {
		var h *protocol.Hover
		c.callOK(protocol.MethodTextDocumentHover, map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos}, &h)
		if h == nil {
			return false
		}
		md = h.Contents.Value
		for _, w := range want {
			if !strings.Contains(md, w) {
				return false
			}
		}
		return true
	})
	return md
}

// fakeCatalog is a small catalog for the fake Spark Connect server.
func fakeCatalog() connecttest.Catalog {
	return connecttest.Catalog{
		Databases: []connecttest.Database{
			{Name: "default"},
			{Name: "sales", Description: "Orders and customers", Tables: []connecttest.Table{
				{Name: "orders", Comment: "Customer orders", Columns: []connecttest.Column{
					{Name: "order_id", Type: "bigint", Comment: "unique order number", Nullable: true},
					{Name: "amount", Type: "decimal(12,2)", Comment: "order total in EUR", Nullable: true},
					{Name: "order_date", Type: "date", Nullable: true, Partition: true},
				}},
				{Name: "customers", Columns: []connecttest.Column{{Name: "customer_id", Type: "bigint"}}},
			}},
		},
		Functions: []connecttest.Function{{Name: "abs", Description: "abs(expr) - Returns the absolute value.", ClassName: "org.apache.spark.sql.catalyst.expressions.Abs"}},
	}
}

// Against the fake Spark Connect server: once connected the catalog loads
// in the background; completion and hover see it; the session's cache is
// saved on shutdown, and a later session that cannot reach Spark completes
// from it.
func TestCatalogFakeSpark(t *testing.T) {
	dir := t.TempDir()
	fake := connecttest.New(t)
	fake.Catalog = fakeCatalog()
	c := startServer(t, testOptions{realDial: true, catalog: true, setup: func(s *Server) { s.schema.dir = dir },
		opts: Options{Connect: connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 5 * time.Second}}})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": fakeRemote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	// The status says what the server lacks: the fake is a 4.0.1 server,
	// without GetStatus (4.2) and CloneSession (4.1).
	if sts := c.statuses(); len(sts[len(sts)-1].Lacks) != 2 {
		t.Errorf("status %+v", sts[len(sts)-1])
	}

	text := "SELECT * FROM sales.\n;\nSELECT o. FROM sales.orders o;\nSELECT * FROM sales.orders"
	c.open(docURI, text)
	list := c.eventuallyCompletes(docURI, 0, len("SELECT * FROM sales."), "orders")
	if list.IsIncomplete {
		t.Errorf("the tables of a listed namespace: isIncomplete")
	}
	c.eventuallyCompletes(docURI, 2, len("SELECT o."), "order_id")
	c.eventuallyHovers(docURI, protocol.Position{Line: 4, Character: 22}, "order_id", "unique order number", "order total in EUR", "partition")
	if err := c.exit(true); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 {
		t.Fatalf("cache files after shutdown: %v", files)
	}

	// Spark unreachable: the saved cache answers.
	c2 := startServer(t, testOptions{setup: func(s *Server) { s.schema.dir = dir }})
	c2.initialize(map[string]any{"sparkls": map[string]any{"remote": fakeRemote}}, false)
	c2.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"error"`) })
	c2.open(docURI, text)
	if got := labels(c2.complete(docURI, 0, len("SELECT * FROM sales."))); !slices.Contains(got, "orders") {
		t.Errorf("offline with a saved cache: %v", got)
	}
	if got := labels(c2.complete(docURI, 2, len("SELECT o."))); !slices.Contains(got, "amount") {
		t.Errorf("offline columns from the saved cache: %v", got)
	}
}

// A statement that changes the catalog reloads what it changed before the
// run answers (onCatalogChanged): the next completion sees the new table
// and its columns, and a dropped one is gone.
func TestCatalogChangedReloads(t *testing.T) {
	src := demoSource()
	cache := demoCache(t, src, "warm")
	c := startServer(t, testOptions{setup: func(s *Server) { s.schema.pinned = cache }})
	c.initialize(nil, false)
	c.open(docURI, "SELECT * FROM hr.\n;\nSELECT t. FROM hr.interns t\n;\nSELECT * FROM \n")

	src.add("spark_catalog", "hr", schema.Table{Name: "interns", Kind: schema.KindManaged, Columns: []schema.Column{{Name: "mentor_id", Type: "int"}}})
	src.mu.Lock()
	src.temps = append(src.temps, schema.Table{Name: "tmp_new", Kind: schema.KindTempView})
	src.mu.Unlock()
	c.srv.onCatalogChanged([]string{"CREATE TABLE hr.interns (mentor_id INT)", "CREATE TEMP VIEW tmp_new AS SELECT 1", "CACHE TABLE hr.interns"})
	if got := labels(c.complete(docURI, 0, len("SELECT * FROM hr."))); !slices.Contains(got, "interns") {
		t.Errorf("after CREATE TABLE: %v", got)
	}
	if got := labels(c.complete(docURI, 2, len("SELECT t."))); !slices.Equal(got, []string{"mentor_id"}) {
		t.Errorf("columns of the new table: %v", got)
	}
	if got := labels(c.complete(docURI, 4, len("SELECT * FROM "))); !slices.Contains(got, "tmp_new") {
		t.Errorf("after CREATE TEMP VIEW: %v", got)
	}

	src.mu.Lock()
	src.tables["spark_catalog"]["hr"] = slices.DeleteFunc(src.tables["spark_catalog"]["hr"], func(t schema.Table) bool { return t.Name == "interns" })
	src.mu.Unlock()
	c.srv.onCatalogChanged([]string{"DROP TABLE hr.interns"})
	if got := labels(c.complete(docURI, 0, len("SELECT * FROM hr."))); slices.Contains(got, "interns") {
		t.Errorf("after DROP TABLE: %v", got)
	}
	if !strings.Contains(c.log.String(), "a run changed the catalog") {
		t.Errorf("no log line")
	}
}

// sparkls.refreshSchema reloads every name; without a connection it says so.
func TestRefreshSchemaCommand(t *testing.T) {
	c := startServer(t, testOptions{catalog: true})
	c.initialize(map[string]any{"connectTimeout": 1}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"error"`) })
	m := c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandRefreshSchema})
	if m.Error == nil || !strings.Contains(m.Error.Message, "not connected to Spark") {
		t.Errorf("refresh without Spark: %s %+v", m.Result, m.Error)
	}
}

// A completion never waits on a slow catalog beyond the budget: it answers
// what it has, isIncomplete, and the load lands for the next one.
func TestCompletionSlowCatalog(t *testing.T) {
	slow := &slowSource{Source: demoSource(), delay: 2 * time.Second, release: make(chan struct{})}
	t.Cleanup(func() { close(slow.release) })
	slowCache := schema.New(slow, schema.Options{})
	t.Cleanup(func() { slowCache.Close() })
	c := startServer(t, testOptions{setup: func(s *Server) { s.schema.pinned = slowCache }})
	c.initialize(nil, false)
	c.open(docURI, "SELECT o. FROM sales.orders o")
	begin := time.Now()
	list := c.complete(docURI, 0, len("SELECT o."))
	if took := time.Since(begin); took > time.Second {
		t.Errorf("completion took %v on a slow catalog", took)
	}
	// Not an empty list: an item says why, matches what was typed and
	// inserts nothing.
	if !list.IsIncomplete || !slices.Equal(labels(list), []string{LoadingLabel}) {
		t.Errorf("slow catalog: isIncomplete %v, %v", list.IsIncomplete, labels(list))
	}
	if it := list.Items[0]; it.TextEdit == nil || it.TextEdit.NewText != "" || it.FilterText != "" {
		t.Errorf("loading item %+v", it)
	}
	c.open(docURI+"2", "SELECT o.ord FROM sales.orders o")
	if it := c.complete(docURI+"2", 0, len("SELECT o.or")).Items[0]; it.Label != LoadingLabel || it.FilterText != "or" || it.TextEdit.NewText != "ord" {
		t.Errorf("loading item in a word %+v", it)
	}
}

// Right after the editor starts, while the connection is being made,
// completion says it is loading and incomplete; once connected and loaded,
// the names come.
func TestCompletionWhileConnecting(t *testing.T) {
	fake := connecttest.New(t)
	fake.Catalog = fakeCatalog()
	fake.SetLatency(300 * time.Millisecond)
	c := startServer(t, testOptions{realDial: true, catalog: true,
		opts: Options{Connect: connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 5 * time.Second}}})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": fakeRemote}}, false)
	c.open(docURI, "SELECT * FROM sales.")
	list := c.complete(docURI, 0, len("SELECT * FROM sales."))
	if !list.IsIncomplete || !slices.Contains(labels(list), LoadingLabel) {
		t.Errorf("while connecting: isIncomplete %v %v", list.IsIncomplete, labels(list))
	}
	list = c.eventuallyCompletes(docURI, 0, len("SELECT * FROM sales."), "orders")
	if list.IsIncomplete || slices.Contains(labels(list), LoadingLabel) {
		t.Errorf("loaded: isIncomplete %v %v", list.IsIncomplete, labels(list))
	}
}

// slowSource delays every call until release is closed or delay passed.
type slowSource struct {
	schema.Source
	delay   time.Duration
	release chan struct{}
}

func (s *slowSource) wait(ctx context.Context) error {
	select {
	case <-time.After(s.delay):
		return nil
	case <-s.release:
		return errors.New("released")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *slowSource) Current(ctx context.Context) (string, string, error) {
	if err := s.wait(ctx); err != nil {
		return "", "", err
	}
	return s.Source.Current(ctx)
}

func (s *slowSource) Tables(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.Source.Tables(ctx, catalog, namespace)
}

// Against the real Spark Connect server with the demo catalog
// (SPARKLS_IT_REMOTE): catalog completion and hover, and a table created
// through sparkls.run is completed right after the run answers.
func TestITCatalog(t *testing.T) {
	remote := ittest.Remote(t)
	c := startServer(t, testOptions{realDial: true, catalog: true})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	// The status says what the server lacks: nothing from 4.2 on (GetStatus
	// came in 4.2, CloneSession in 4.1).
	if sts := c.statuses(); (len(sts[len(sts)-1].Lacks) == 0) != ittest.AtLeast(t, "4.2") {
		t.Errorf("status %+v", sts[len(sts)-1])
	}

	text := "SELECT * FROM sales.\n;\nSELECT o. FROM sales.orders o;\nSELECT * FROM sales.orders"
	c.open(docURI, text)
	c.eventuallyCompletes(docURI, 0, len("SELECT * FROM sales."), "orders")
	list := c.eventuallyCompletes(docURI, 2, len("SELECT o."), "order_id")
	if got := labels(list); !slices.Equal(got, []string{"order_id", "customer_id", "order_date", "amount", "status"}) &&
		!slices.Equal(got, []string{"order_id", "customer_id", "amount", "status", "order_date"}) {
		t.Errorf("columns of sales.orders: %v", got)
	}
	c.eventuallyHovers(docURI, protocol.Position{Line: 4, Character: 22}, "order_id", "unique order number", "partition")

	db := fmt.Sprintf("sparkls_it_%d", time.Now().UnixNano())
	const runDoc = "file:///work/ddl.sql"
	ddl := fmt.Sprintf("CREATE DATABASE %s;\nCREATE TABLE %s.t (x INT COMMENT 'the x') USING parquet", db, db)
	c.open(runDoc, ddl)
	t.Cleanup(func() {
		r, _ := connect.ParseRemote(remote)
		cl, err := connect.Dial(context.Background(), r, connect.Options{})
		if err == nil {
			cl.Run(context.Background(), "DROP DATABASE IF EXISTS "+db+" CASCADE", connect.RunOptions{})
			cl.Close()
		}
	})
	doc := newDocument(runDoc, "sql", 1, ddl)
	if res := c.runCall(doc, 0, len(ddl)); res.Error != nil {
		t.Fatalf("run: %+v", res.Error)
	}
	after := fmt.Sprintf("SELECT * FROM %s.\n;\nSELECT t. FROM %s.t t", db, db)
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument": map[string]any{"uri": docURI, "version": 2}, "contentChanges": []map[string]any{{"text": after}},
	})
	eventually(t, "the edit", func() bool { d, ok := c.srv.docs.load()[docURI]; return ok && d.Version == 2 })
	if got := labels(c.complete(docURI, 0, len("SELECT * FROM "+db+"."))); !slices.Equal(got, []string{"t"}) {
		t.Errorf("tables of %s right after the run: %v", db, got)
	}
	if got := labels(c.complete(docURI, 2, len("SELECT t."))); !slices.Equal(got, []string{"x"}) {
		t.Errorf("columns of %s.t right after the run: %v", db, got)
	}

	// A USE run through sparkls.run moves the namespace completion is relative to.
	const useDoc = "file:///work/use.sql"
	c.open(useDoc, "USE "+db)
	if res := c.runCall(newDocument(useDoc, "sql", 1, "USE "+db), 0, 0); res.Error != nil {
		t.Fatalf("USE: %+v", res.Error)
	}
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument": map[string]any{"uri": docURI, "version": 3}, "contentChanges": []map[string]any{{"text": "SELECT * FROM "}},
	})
	eventually(t, "the edit", func() bool { d, ok := c.srv.docs.load()[docURI]; return ok && d.Version == 3 })
	// The new namespace's tables may load on demand (isIncomplete first).
	c.eventuallyCompletes(docURI, 0, len("SELECT * FROM "), "t")
}
