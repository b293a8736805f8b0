package lsp

import (
	"testing"

	"go.lsp.dev/protocol"
)

// definitionAt converts ide's byte span to a range in UTF-16 units (ide's
// fixtures hold what is found).
func TestDefinitionConversion(t *testing.T) {
	doc := newDocument("file:///work/fixture.sql", "sql", 1, "WITH `naïve 😀` AS (SELECT 1 AS x) SELECT * FROM `naïve 😀`")
	locs := definitionAt(doc, len(doc.Text))
	if len(locs) != 1 || showRange(locs[0].Range) != "0:5-0:15" || locs[0].URI != doc.URI {
		t.Errorf("definition: %+v", locs)
	}
	if locs := definitionAt(doc, 0); len(locs) != 0 {
		t.Errorf("no definition: %+v", locs)
	}
}

// Over the pipe: a location in the same document, null where there is none.
func TestDefinitionEndToEnd(t *testing.T) {
	const uri = "file:///work/def.sql"
	c := startServer(t, testOptions{})
	c.initializeWith(nil)
	c.open(uri, "WITH recent AS (SELECT 1 AS x)\nSELECT r.x FROM recent r")
	var locs []protocol.Location
	c.callOK(protocol.MethodTextDocumentDefinition, at(uri, 1, 20), &locs)
	want := protocol.Location{URI: uri, Range: protocol.Range{Start: protocol.Position{Line: 0, Character: 5}, End: protocol.Position{Line: 0, Character: 11}}}
	if len(locs) != 1 || locs[0] != want {
		t.Errorf("definition of recent: %+v", locs)
	}
	c.callOK(protocol.MethodTextDocumentDefinition, at(uri, 1, 7), &locs)
	if len(locs) != 1 || locs[0].Range.Start != (protocol.Position{Line: 1, Character: 23}) {
		t.Errorf("definition of r: %+v", locs)
	}
	for _, p := range []map[string]any{at(uri, 0, 0), at("file:///work/closed.sql", 0, 0)} {
		if m := c.call(protocol.MethodTextDocumentDefinition, p); m.Error != nil || string(m.Result) != "null" {
			t.Errorf("%v: %s %+v", p, m.Result, m.Error)
		}
	}
}
