package lsp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/ittest"
)

// connectedServer starts sparkls on the real server of remote and waits
// until it is connected.
func connectedServer(t *testing.T, remote string) *testClient {
	t.Helper()
	c := startServer(t, testOptions{realDial: true, catalog: true, setup: func(s *Server) { s.schema.dir = t.TempDir() }})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	return c
}

// sparkType is the type Spark's analyzer gives the only column of query.
func sparkType(t *testing.T, cl *connect.Client, query string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cols, err := cl.Schema(ctx, query)
	if err != nil || len(cols) != 1 {
		t.Fatalf("%s: %v %v", query, cols, err)
	}
	return cols[0].Type
}

// Hover over a CTE, a subquery alias, a derived column and an expression
// shows the types Spark's analyzer gives them (asked through the query
// envelope); the expected types are Spark's own answers to equivalent
// queries.
func TestITAnalyzerTypes(t *testing.T) {
	remote := ittest.Remote(t)
	cl := ittest.Client(t)
	total := sparkType(t, cl, "SELECT sum(amount) FROM sales.orders")
	doubled := sparkType(t, cl, "SELECT sum(amount) * 2 FROM sales.orders")
	if total != "decimal(22,2)" {
		t.Errorf("sum(decimal(12,2)) is %s to Spark", total)
	}

	c := connectedServer(t, remote)
	const uri = "file:///work/types.sql"
	text := "WITH totals AS (SELECT customer_id, sum(amount) AS total FROM sales.orders GROUP BY customer_id)\n" +
		"SELECT t.customer_id, t.total * 2 AS doubled, s.n, upper(s.n || 'x')\n" +
		"FROM totals t, (SELECT count(*) AS n FROM sales.orders) s"
	c.open(uri, text)
	doc := newDocument(uri, "sql", 1, text)
	at := func(sub string, k int) protocol.Position { return doc.Position(strings.Index(text, sub) + k) }

	c.eventuallyHovers(uri, at("totals", 1), "`totals` — common table expression", "`total` "+total, "`customer_id` bigint", "types from Spark")
	c.eventuallyHovers(uri, at("t.total", 0), "`total` "+total) // the alias of the CTE
	c.eventuallyHovers(uri, at(") s", 2), "`s` — alias of subquery", "`n` bigint", "types from Spark")
	c.eventuallyHovers(uri, at("AS doubled", 4), "`doubled` — column · `"+doubled+"`")
	// An expression without a name of its own: hover over its operator.
	c.eventuallyHovers(uri, at("* 2", 0), "`doubled` — column · `"+doubled+"`")
	c.eventuallyHovers(uri, at("|| 'x'", 0), "column · `string`")
	c.exit(true)
}

// Hover over statements that are not queries never makes Spark run them:
// the analyzer is asked only through the query envelope, and the tables
// are unchanged after hovering over every token of hostile statements.
func TestITAnalyzerTypesHostile(t *testing.T) {
	remote := ittest.Remote(t)
	cl := ittest.Client(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	state := func() string {
		var b strings.Builder
		for _, q := range []string{"SHOW TABLES IN sales", "SELECT count(*) FROM sales.orders", "SELECT count(*) FROM sales.customers"} {
			r, err := cl.Run(ctx, q, connect.RunOptions{Limits: connect.Limits{Rows: 100}})
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			for _, row := range r.Rows {
				for _, v := range row {
					b.WriteString(v.Text + ",")
				}
			}
			b.WriteString(";")
		}
		return b.String()
	}
	before := state()
	c := connectedServer(t, remote)
	const uri = "file:///work/hostile_types.sql"
	text := strings.Join([]string{
		"INSERT INTO sales.orders SELECT * FROM sales.orders",
		"CREATE TABLE sales.c_types_marker AS SELECT 1 AS a",
		"WITH x AS (SELECT 1 AS a) INSERT INTO sales.orders SELECT * FROM sales.orders",
		"WITH d AS (SELECT 1 AS a) SELECT a FROM d; DROP TABLE sales.customers",
		"EXECUTE IMMEDIATE 'DROP TABLE sales.customers'",
		"CACHE TABLE c_types_cached AS SELECT 1 AS a",
		"BEGIN\n  SELECT 1 AS a;\n  DROP TABLE sales.customers;\nEND",
		"SELECT * FROM (SELECT 1 AS a) /*+ x */ t",
		"SELECT 1 AS a FROM (\nSELECT 1) ; DROP TABLE sales.customers; SELECT (1",
	}, ";\n")
	c.open(uri, text)
	doc := newDocument(uri, "sql", 1, text)
	for off := 0; off < len(text); off++ {
		if off == 0 || text[off-1] == ' ' || text[off-1] == '\n' || text[off-1] == '(' {
			c.hover(doc.URI, doc.Position(off))
		}
	}
	// The analyses started by the hovers end within their timeout.
	time.Sleep(2 * typesWait)
	if after := state(); after != before {
		t.Errorf("hovering changed the catalog:\nbefore %s\nafter  %s", before, after)
	}
	c.exit(true)
}

// Lateral column aliases, IDENTIFIER('db.t') and WITH RECURSIVE (4.1) are
// valid to Spark where sparkls completes them, and get no diagnostics.
func TestITLateralIdentifierRecursive(t *testing.T) {
	remote := ittest.Remote(t)
	queries := []string{
		"SELECT amount * 2 AS doubled, doubled + 1 AS plus FROM sales.orders",
		"SELECT o.amount FROM IDENTIFIER('sales.orders') AS o",
	}
	if ittest.AtLeast(t, "4.1") {
		queries = append(queries, "WITH RECURSIVE chain(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM chain WHERE n < 5) SELECT n FROM chain")
	}
	c := connectedServer(t, remote)
	const uri = "file:///work/lateral.sql"
	text := strings.Join(queries, ";\n")
	c.open(uri, text)
	_, got := c.waitPublished(0, uri, 1)
	if d := got[len(got)-1].Diagnostics; len(d) != 0 {
		t.Errorf("diagnostics on valid SQL: %+v", d)
	}
	doc := newDocument(uri, "sql", 1, text)
	complete := func(off int, label string) {
		t.Helper()
		p := doc.Position(off)
		c.eventuallyCompletes(uri, int(p.Line), int(p.Character), label) // columns load on demand
	}
	complete(strings.Index(text, "doubled + 1")+3, "doubled")
	complete(strings.Index(text, "o.amount")+4, "amount")
	if ittest.AtLeast(t, "4.1") {
		complete(strings.Index(text, "n + 1"), "n")
		complete(strings.Index(text, "chain WHERE")+2, "chain")
		c.eventuallyHovers(uri, doc.Position(strings.Index(text, "chain(n)")+1), "`n` int")
	}
	c.exit(true)
}

// IDENTIFIER(:tbl): after a run that gave :tbl a value, its table's
// columns complete.
func TestITIdentifierParam(t *testing.T) {
	remote := ittest.Remote(t)
	c := connectedServer(t, remote)
	const uri = "file:///work/identifier.sql"
	text := "SELECT t.amount FROM IDENTIFIER(:tbl) t"
	c.open(uri, text)
	doc := newDocument(uri, "sql", 1, text)
	var res RunResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{
		URI: doc.URI, Range: doc.Range(0, len(text)), Params: map[string]json.RawMessage{"tbl": json.RawMessage(`"sales.orders"`)},
	}), &res)
	if res.Error != nil {
		t.Fatalf("run: %+v", res.Error)
	}
	p := doc.Position(len("SELECT t."))
	c.eventuallyCompletes(uri, int(p.Line), int(p.Character), "order_id")
	c.exit(true)
}

// "▶ Preview" on a CTE runs just that CTE (its WITH list up to it, then
// SELECT * FROM it) on the real server, as a query: the rows are Spark's
// answer to the same query; a CTE of an INSERT previews without inserting.
func TestITCTEPreview(t *testing.T) {
	remote := ittest.Remote(t)
	cl := ittest.Client(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	count := func() string {
		r, err := cl.Run(ctx, "SELECT count(*) FROM sales.orders", connect.RunOptions{Limits: connect.Limits{Rows: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Rows[0][0].Text
	}
	want, err := cl.Run(ctx, "SELECT order_id FROM sales.orders WHERE amount > 0", connect.RunOptions{Limits: connect.Limits{Rows: 100}})
	if err != nil {
		t.Fatal(err)
	}
	before := count()

	c := connectedServer(t, remote)
	const uri = "file:///work/preview.sql"
	text := "WITH a AS (SELECT order_id, amount FROM sales.orders),\n  b AS (SELECT order_id FROM a WHERE amount > 0)\nSELECT count(*) FROM b;\n" +
		"WITH x AS (SELECT 1 AS one) INSERT INTO sales.orders SELECT * FROM sales.orders"
	c.open(uri, text)
	previews := map[string]RunArgs{}
	for _, l := range c.lenses(uri) {
		if l.Command != nil && l.Command.Title == lensPreview {
			raw, _ := json.Marshal(l.Command.Arguments[0])
			var a RunArgs
			if err := json.Unmarshal(raw, &a); err != nil {
				t.Fatal(err)
			}
			previews[a.CTE] = a
		}
	}
	if len(previews) != 3 {
		t.Fatalf("preview lenses for %v, want a, b and x", previews)
	}
	var res RunResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, previews["b"]), &res)
	if res.Error != nil || len(res.Columns) != 1 || res.Columns[0].Name != "order_id" || res.RowCount != len(want.Rows) {
		t.Errorf("preview of b: %+v, want %d rows of order_id", res, len(want.Rows))
	}
	for i, row := range res.Rows {
		if i < len(want.Rows) && (row[0] == nil || *row[0] != want.Rows[i][0].Text) {
			t.Errorf("row %d: %v, Spark says %s", i, row[0], want.Rows[i][0].Text)
		}
	}
	res = RunResult{}
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, previews["x"]), &res)
	if res.Error != nil || res.RowCount != 1 || *res.Rows[0][0] != "1" {
		t.Errorf("preview of x: %+v", res)
	}
	if after := count(); after != before {
		t.Errorf("previewing the CTE of an INSERT inserted: %s rows, then %s", before, after)
	}
	c.exit(true)
}
