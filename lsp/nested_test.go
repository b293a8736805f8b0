package lsp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/ittest"
	"go.lsp.dev/protocol"
)

// Hover over a field reached through an array element or a map value
// shows the type Spark's analyzer gives that expression.
func TestITNestedPathTypes(t *testing.T) {
	remote := ittest.Remote(t)
	r, err := connect.ParseRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cl, err := connect.Dial(ctx, r, connect.Options{Version: "it"})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	c := startServer(t, testOptions{realDial: true, catalog: true})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	for i, tc := range []struct{ expr, hovered string }{
		{"c_struct_array[0].sku", "sku"},
		{"t.c_struct_array[1].qty", "qty"},
		{"c_struct.qty", "qty"},
	} {
		q := "SELECT " + tc.expr + " FROM sales.all_types t"
		cols, err := cl.Schema(ctx, q)
		if err != nil || len(cols) != 1 {
			t.Fatalf("%s: %v %v", q, cols, err)
		}
		uri := "file:///work/nested" + string(rune('a'+i)) + ".sql"
		c.open(uri, q)
		doc := newDocument(protocol.DocumentURI(uri), "sql", 1, q)
		want := "field · `" + cols[0].Type + "`"
		var got string
		eventually(t, "hover on "+tc.expr, func() bool {
			if h := c.hover(protocol.DocumentURI(uri), doc.Position(strings.LastIndex(q, tc.hovered)+1)); h != nil {
				got = h.Contents.Value
			}

			return strings.Contains(got, want)
		})
	}
}
