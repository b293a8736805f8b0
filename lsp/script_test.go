package lsp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/internal/ittest"
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
