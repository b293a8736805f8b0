package lsp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/ittest"
)

// "Expand * into columns" replaces a SELECT list's * with the columns it
// stands for, qualified when it reads several tables, quoted as SQL needs;
// none is offered when a column set is not fully known.
func TestCodeActionExpandStar(t *testing.T) {
	cache := demoCache(t, demoSource(), "warm")
	c := startServer(t, testOptions{setup: func(s *Server) { s.schema.pinned = cache }})
	c.initialize(nil, false)
	for i, tc := range []struct{ text, want string }{
		{"SELECT $0* FROM sales.orders", "order_id, customer_id, amount, status, order_date"},
		{"SELECT o.*$0 FROM sales.orders o JOIN hr.employees e ON true", "o.order_id, o.customer_id, o.amount, o.status, o.order_date"},
		{"SELECT *$0 FROM sales.orders o, hr.employees", "o.order_id, o.customer_id, o.amount, o.status, o.order_date, employees.emp_id, employees.name, employees.dept_id, employees.salary"},
		{"SELECT id, *$0 FROM (SELECT 1 AS id, 2 AS `b c`) t", "id, `b c`"},
		{"SELECT $0* FROM no_such_table", ""},
		{"SELECT $0* EXCEPT (amount) FROM sales.orders", ""},
		{"SELECT $0* FROM (SELECT * FROM no_such_table) t", ""},
		{"SELECT a$0 FROM sales.orders", ""},
	} {
		off := strings.Index(tc.text, "$0")
		text := strings.Replace(tc.text, "$0", "", 1)
		uri := protocol.DocumentURI("file:///work/expand" + string(rune('a'+i)) + ".sql")
		c.open(string(uri), text)
		doc := newDocument(uri, "sql", 1, text)
		var actions []protocol.CodeAction
		c.callOK(protocol.MethodTextDocumentCodeAction, map[string]any{
			"textDocument": map[string]any{"uri": uri}, "range": doc.Range(off, off), "context": map[string]any{"diagnostics": []any{}},
		}, &actions)
		got := ""
		if len(actions) == 1 {
			e := actions[0].Edit.Changes[uri][0]
			s, end := doc.Span(e.Range)
			got = e.NewText
			if after := text[:s] + e.NewText + text[end:]; !strings.Contains(after, tc.want) || strings.Contains(text[s:end], ",") {
				t.Errorf("%s: edit gives %q", tc.text, after)
			}
		}
		if got != tc.want || len(actions) > 1 {
			t.Errorf("%s: %d actions, %q; want %q", tc.text, len(actions), got, tc.want)
		}
	}
	c.exit(true)
}

// sparkls.parameters lists the markers of what a run of the same argument
// runs: named ones once each, in order, and the count of ?; markers in
// strings and comments are not markers.
func TestParametersCommand(t *testing.T) {
	c := startServer(t, testOptions{})
	c.initialize(nil, false)
	const uri = "file:///work/params.sql"
	text := "SELECT :a, ?, ':no' /* :no */, :b, :a FROM t WHERE x = ?;\nSELECT 2"
	c.open(uri, text)
	doc := newDocument(uri, "sql", 1, text)
	var res ParametersResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandParameters, RunArgs{URI: doc.URI, Range: doc.Range(3, 3)}), &res)
	if !slices.Equal(res.Named, []string{"a", "b"}) || res.Positional != 2 {
		t.Errorf("first statement: %+v", res)
	}
	res = ParametersResult{}
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandParameters, RunArgs{URI: doc.URI, Range: doc.Range(len(text)-1, len(text)-1)}), &res)
	if len(res.Named) != 0 || res.Positional != 0 || res.Named == nil {
		t.Errorf("second statement: %+v", res)
	}
	c.exit(true)
}

// "Expand * into columns" on the real server: the expanded list, run
// through Spark, gives the same columns as the * did, names and order,
// including names that need backticks.
func TestITExpandStar(t *testing.T) {
	remote := ittest.Remote(t)
	cl := ittest.Client(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if _, err := cl.Run(ctx, "DROP DATABASE IF EXISTS f_expand CASCADE; CREATE DATABASE f_expand;"+
		"CREATE TABLE f_expand.odd (`a b` INT, `x-y` STRING, `select` INT, `back``tick` INT, id INT) USING parquet",
		connect.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = cl.Run(context.Background(), "DROP DATABASE IF EXISTS f_expand CASCADE", connect.RunOptions{})
	})
	names := func(q string) []string {
		t.Helper()
		cols, err := cl.Schema(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var out []string
		for _, c := range cols {
			out = append(out, c.Name)
		}
		return out
	}
	c := connectedServer(t, remote)
	for i, text := range []string{
		"SELECT $0* FROM sales.orders",
		"SELECT o.*$0 FROM sales.orders o JOIN sales.customers c ON o.customer_id = c.customer_id",
		"SELECT *$0 FROM sales.orders o, sales.customers",
		"SELECT $0* FROM f_expand.odd",
		"SELECT n.*$0, o.amount FROM f_expand.odd n, sales.orders o",
		"SELECT id, *$0 FROM (SELECT 1 AS id, 2 AS `b c`) t",
	} {
		off := strings.Index(text, "$0")
		text = strings.Replace(text, "$0", "", 1)
		uri := protocol.DocumentURI(fmt.Sprintf("file:///work/expand_it%d.sql", i))
		c.open(string(uri), text)
		doc := newDocument(uri, "sql", 1, text)
		var actions []protocol.CodeAction
		eventually(t, "the expand action for "+text, func() bool { // columns load on demand
			actions = nil
			c.callOK(protocol.MethodTextDocumentCodeAction, map[string]any{
				"textDocument": map[string]any{"uri": uri}, "range": doc.Range(off, off), "context": map[string]any{"diagnostics": []any{}},
			}, &actions)
			if len(actions) != 1 {
				time.Sleep(50 * time.Millisecond)
			}
			return len(actions) == 1
		})
		e := actions[0].Edit.Changes[uri][0]
		s, end := doc.Span(e.Range)
		expanded := text[:s] + e.NewText + text[end:]
		if want, got := names(text), names(expanded); !slices.Equal(got, want) {
			t.Errorf("%s\n -> %s\ncolumns %q, want %q", text, expanded, got, want)
		}
	}
	c.exit(true)
}
