package lsp

import (
	"slices"
	"testing"

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
