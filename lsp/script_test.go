package lsp

import (
	"encoding/json"
	"strings"
	"testing"

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
