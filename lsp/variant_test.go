package lsp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/internal/ittest"
)

// VARIANT paths (the col:key syntax is Spark 4.3's; 4.0.1 does not parse
// it): after a run creates a view with a VARIANT column, its keys complete
// after col: and col:key[0]., learnt from Spark's schema_of_variant_agg of
// a sample.
func TestITVariantKeys(t *testing.T) {
	remote := ittest.Remote(t)
	ittest.Requires(t, "4.3", "the col:key path syntax")
	c := connectedServer(t, remote) // with the catalog cache
	view := `CREATE OR REPLACE TEMP VIEW c13_events AS SELECT parse_json(j) AS payload, 1 AS id FROM VALUES ` +
		`('{"user": {"name": "ada", "tags": [{"k": "a", "score": 1}]}, "kind": "click"}'), ('{"kind": "view", "ms": 12.5}') AS t(j)`
	c.open(runURI, view)
	if res := c.runCall(newDocument(runURI, "sql", 1, view), 0, len(view)); res.Error != nil {
		t.Fatalf("view: %+v", res.Error)
	}
	const uri = "file:///work/variant.sql"
	text := "SELECT e.payload:user.tags[0]. FROM c13_events e WHERE payload:k"
	c.open(uri, text)
	list := c.eventuallyCompletes(uri, 0, len("SELECT e.payload:user.tags[0]."), "score")
	if got := labels(list); !slices.Equal(got, []string{"k", "score"}) {
		t.Errorf("keys of user.tags[0]: %v", got)
	}
	list = c.eventuallyCompletes(uri, 0, len(text), "kind")
	for _, it := range list.Items {
		if it.Label == "kind" && it.Detail != "variant key · string" {
			t.Errorf("kind: %q", it.Detail)
		}
	}
	if got := labels(list); slices.Contains(got, "id") {
		t.Errorf("after payload: the view's columns are offered: %v", got)
	}
}

// sparkls.variant.sample = false: completing after col: sends no sample (no
// shape is asked for, so none is cached) and offers no key; turned on, the
// same completion learns the keys from Spark.
func TestITVariantSampleOff(t *testing.T) {
	remote := ittest.Remote(t)
	ittest.Requires(t, "4.3", "the col:key path syntax")
	c := startServer(t, testOptions{realDial: true, catalog: true, setup: func(s *Server) { s.schema.dir = t.TempDir() }})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote, "variant": map[string]any{"sample": false}}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	view := `CREATE OR REPLACE TEMP VIEW f_events AS SELECT parse_json(j) AS payload FROM VALUES ('{"kind": "click"}') AS t(j)`
	c.open(runURI, view)
	if res := c.runCall(newDocument(runURI, "sql", 1, view), 0, len(view)); res.Error != nil {
		t.Fatalf("view: %+v", res.Error)
	}
	const uri = "file:///work/variant_off.sql"
	text := "SELECT payload: FROM f_events"
	c.open(uri, text)
	at := len("SELECT payload:")
	// The view's columns load; completion then would sample, were it on.
	c.eventuallyCompletes(uri, 0, len("SELECT pay"), "payload")
	for range 10 {
		if got := labels(c.complete(uri, 0, at)); slices.Contains(got, "kind") {
			t.Fatalf("a key was offered with sampling off: %v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.srv.shapes.mu.Lock()
	sampled := len(c.srv.shapes.entries)
	c.srv.shapes.mu.Unlock()
	if sampled != 0 {
		t.Errorf("%d samples asked for with sampling off", sampled)
	}
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"sparkls": map[string]any{"remote": remote, "variant": map[string]any{"sample": true}}}})
	eventually(t, "sampling on", func() bool { return c.srv.snapshot().Settings.Variant.Sample })
	c.eventuallyCompletes(uri, 0, at, "kind")
	c.exit(true)
}
