package lsp

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"

	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/sqltext"
)

// A SQL script whose statements use local variables and a FOR row
// variable gives no diagnostic on the real server (the block is not sent
// for analysis), while an error in the query after it still shows.
func TestITScriptNoFalseErrors(t *testing.T) {
	remote := ittest.Remote(t)
	c := startServer(t, testOptions{realDial: true})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	const uri = "file:///work/script.sql"
	text := "BEGIN\n  DECLARE min_amount DECIMAL(12,2) DEFAULT 10;\n" +
		"  SELECT order_id FROM sales.orders WHERE amount > min_amount;\n" +
		"  FOR r AS (SELECT order_id FROM sales.orders) DO\n    SELECT r.order_id;\n  END FOR;\nEND;\n" +
		"SELECT order_idd FROM sales.orders;\n"
	c.open(uri, text)
	_, got := c.waitPublished(0, uri, 1)
	var b strings.Builder
	renderPublished(&b, got[len(got)-1], text)
	if want := "published v1:\n  7:7-7:16 \"order_idd\" error spark UNRESOLVED_COLUMN"; !strings.HasPrefix(b.String(), want) || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("got\n%s\nwant only the misspelled column after the script", b.String())
	}
	c.exit(true)
}

// The type sqltext gives a session variable (written, or inferred from a
// literal DEFAULT) is the one Spark gives it.
func TestITSessionVarTypes(t *testing.T) {
	remote := itRemote(t)
	ittest.Requires(t, "4.0", "session variables (DECLARE VARIABLE) came in Spark 4.0")
	c := startRunClient(t, nil, runSetup{remote: remote})
	decls := "DECLARE OR REPLACE VARIABLE sparkls_v_dec DECIMAL(12,2) DEFAULT 10;\nDECLARE OR REPLACE VARIABLE sparkls_v_int = 3;\n" +
		"DECLARE OR REPLACE VARIABLE sparkls_v_str = 'EU';\nDECLARE OR REPLACE VARIABLE sparkls_v_bool DEFAULT true;\n"
	query := "SELECT typeof(sparkls_v_dec), typeof(sparkls_v_int), typeof(sparkls_v_str), typeof(sparkls_v_bool)\n"
	text := decls + query
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 0, len(text))
	if res.Error != nil {
		t.Fatalf("run: %+v", res.Error)
	}
	vars := sqltext.SessionVars(text, len(decls))
	if len(vars) != 4 {
		t.Fatalf("vars %+v", vars)
	}
	for i, v := range vars { // latest first
		got := strings.ToLower(v.Type)
		spark := *res.Rows[0][3-i]
		if got == "decimal(12,2)" || got == "int" || got == "string" || got == "boolean" {
			if got != spark {
				t.Errorf("%s: sqltext %s, Spark %s", v.Name, got, spark)
			}
		} else {
			t.Errorf("%s: type %q", v.Name, v.Type)
		}
	}
}

// The queries inside a script that use no local name are analysed alone,
// through the query envelope: a misspelled column there shows, nothing
// else in the block is sent, and the hostile statements around them leave
// the catalog unchanged. Any version: the block itself is never sent.
func TestITScriptInnerQueries(t *testing.T) {
	remote := ittest.Remote(t)
	cl := ittest.Client(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
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
	const uri = "file:///work/script_inner.sql"
	text := "BEGIN\n  DECLARE lim INT DEFAULT 10;\n" +
		"  DROP TABLE sales.customers;\n" +
		"  INSERT INTO sales.orders SELECT * FROM sales.orders;\n" +
		"  CREATE TABLE sales.c_script_marker AS SELECT 1 AS a;\n" +
		"  EXECUTE IMMEDIATE 'DROP TABLE sales.customers';\n" +
		"  SELECT order_idd FROM sales.orders;\n" +
		"  IF lim > 0 THEN\n    SELECT order_id FROM sales.orders WHERE amount > lim;\n  ELSE\n    SELECT count(*) FROM sales.customers;\n  END IF;\n" +
		"  FOR r AS (SELECT order_id FROM sales.orders) DO\n    SELECT r.order_id;\n  END FOR;\n" +
		"  WITH x AS (SELECT 1 AS a) SELECT a FROM x; DROP TABLE sales.customers;\n" +
		"END;\n"
	c.open(uri, text)
	_, got := c.waitPublished(0, uri, 1)
	var b strings.Builder
	renderPublished(&b, got[len(got)-1], text)
	if want := "published v1:\n  6:9-6:18 \"order_idd\" error spark UNRESOLVED_COLUMN"; !strings.HasPrefix(b.String(), want) || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("got\n%s\nwant only the misspelled column inside the script", b.String())
	}
	if after := state(); after != before {
		t.Errorf("diagnostics of a script changed the catalog:\nbefore %s\nafter  %s", before, after)
	}
	c.exit(true)
}

// A run of a script (4.1+: scripting on by default) shows the result of
// its last query; the condition and handler the fixtures complete are
// Spark's syntax.
func TestITScriptRunLastResult(t *testing.T) {
	remote := ittest.Remote(t)
	ittest.Requires(t, "4.1", "SQL scripting")
	c := startRunClient(t, nil, runSetup{remote: remote})
	text := "BEGIN\n  DECLARE x INT DEFAULT 2;\n  DECLARE divide_by_zero CONDITION FOR SQLSTATE '22012';\n" +
		"  DECLARE EXIT HANDLER FOR divide_by_zero BEGIN SELECT 0 AS answer; END;\n  SELECT 1 AS first;\n  SELECT x * 21 AS answer, 'b' AS b;\nEND"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 0, len(text))
	if res.Error != nil {
		t.Fatalf("run: %+v", res.Error)
	}
	if len(res.Columns) != 2 || res.Columns[0].Name != "answer" || res.RowCount != 1 || *res.Rows[0][0] != "42" {
		t.Errorf("script run: %+v", res)
	}
}

// After a run that declares and sets a session variable, another file
// completes and hovers it with the type and value the session gives
// (typeof and CAST(… AS STRING)); a dropped one is forgotten.
func TestITSessionVarValues(t *testing.T) {
	remote := ittest.Remote(t)
	ittest.Requires(t, "4.0", "session variables")
	c := startRunClient(t, nil, runSetup{remote: remote})
	text := "DECLARE OR REPLACE VARIABLE c13_amount DECIMAL(12,2) DEFAULT 10;\nSET VAR c13_amount = 7.5;\nDECLARE OR REPLACE VARIABLE c13_gone = 1;\n"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	if res := c.runCall(doc, 0, len(text)); res.Error != nil {
		t.Fatalf("run: %+v", res.Error)
	}
	const other = "file:///work/other.sql"
	c.open(other, "SELECT c13_a")
	list := c.eventuallyCompletes(other, 0, len("SELECT c13_a"), "c13_amount")
	for _, it := range list.Items {
		if it.Label == "c13_amount" && it.Detail != "session variable · decimal(12,2) = 7.50" {
			t.Errorf("detail %q", it.Detail)
		}
	}
	c.open("file:///work/hover.sql", "SELECT c13_amount")
	c.eventuallyHovers("file:///work/hover.sql", protocol.Position{Line: 0, Character: 9}, "`c13_amount` — session variable · `decimal(12,2)`", "in the session: `decimal(12,2)` · `7.50`")

	drop := "DROP TEMPORARY VARIABLE c13_gone"
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": runURI, "version": 2},
		"contentChanges": []any{map[string]any{"text": drop}},
	})
	doc = newDocument(runURI, "sql", 2, drop)
	if res := c.runCall(doc, 0, len(drop)); res.Error != nil {
		t.Fatalf("drop: %+v", res.Error)
	}
	c.open("file:///work/third.sql", "SELECT c13_")
	eventually(t, "c13_gone forgotten", func() bool {
		got := labels(c.complete("file:///work/third.sql", 0, len("SELECT c13_")))
		return slices.Contains(got, "c13_amount") && !slices.Contains(got, "c13_gone")
	})
}
