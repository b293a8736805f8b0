package lsp

import (
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/internal/fixture"
)

// TestDefinitionFixtures runs testdata/definition: where the name at $0 is
// defined, with the text there.
func TestDefinitionFixtures(t *testing.T) { fixture.Run(t, "testdata/definition", checkDefinition) }

// checkDefinition is the only code that calls definitionAt.
func checkDefinition(t *testing.T, path string) {
	ar, doc, off := readTextFixture(t, path)
	if off < 0 {
		t.Fatalf("%s: no $0", path)
	}
	var b strings.Builder
	locs := definitionAt(doc, off)
	if len(locs) == 0 {
		b.WriteString("no definition\n")
	}
	for _, l := range locs {
		if l.URI != doc.URI {
			t.Errorf("location in %s", l.URI)
		}
		start, end := doc.Span(l.Range)
		line := doc.Text[doc.Offset(l.Range.Start)-int(l.Range.Start.Character):]
		line, _, _ = strings.Cut(line, "\n")
		fmt.Fprintf(&b, "%s %q in %q\n", showRange(l.Range), doc.Text[start:end], strings.TrimSpace(line))
	}
	ar.Want(t, b.String())
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
