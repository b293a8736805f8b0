package lsp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/internal/fixture"
)

// TestSymbolFixtures runs testdata/symbols: the outline of input.sql, one
// symbol a line, children indented.
func TestSymbolFixtures(t *testing.T) { fixture.Run(t, "testdata/symbols", checkSymbols) }

// checkSymbols is the only code that calls documentSymbols. It also checks
// what clients rely on: names are not blank, a selection range lies in its
// range and a child's range in its parent's.
func checkSymbols(t *testing.T, path string) {
	ar, doc, _ := readTextFixture(t, path)
	var b strings.Builder
	var walk func(syms []protocol.DocumentSymbol, parent *protocol.Range, depth int)
	walk = func(syms []protocol.DocumentSymbol, parent *protocol.Range, depth int) {
		for _, s := range syms {
			if strings.TrimSpace(s.Name) == "" {
				t.Errorf("blank name: %+v", s)
			}
			if !rangeWithin(s.SelectionRange, s.Range) {
				t.Errorf("%q: selection %s outside %s", s.Name, showRange(s.SelectionRange), showRange(s.Range))
			}
			if parent != nil && !rangeWithin(s.Range, *parent) {
				t.Errorf("%q: range %s outside its parent's %s", s.Name, showRange(s.Range), showRange(*parent))
			}
			detail := ""
			if s.Detail != "" {
				detail = " (" + s.Detail + ")"
			}
			fmt.Fprintf(&b, "%s%s %q%s %s sel %s\n", strings.Repeat("  ", depth), s.Kind, s.Name, detail,
				showRange(s.Range), showRange(s.SelectionRange))
			walk(s.Children, &s.Range, depth+1)
		}
	}
	walk(documentSymbols(doc), nil, 0)
	if b.Len() == 0 {
		b.WriteString("no symbols\n")
	}
	ar.Want(t, b.String())
}

func rangeWithin(in, out protocol.Range) bool {
	before := func(a, b protocol.Position) bool {
		return a.Line < b.Line || a.Line == b.Line && a.Character <= b.Character
	}
	return before(out.Start, in.Start) && before(in.End, out.End)
}

// Over the pipe: hierarchical symbols for a client that supports them, a
// flat list with containers for one that does not, [] for an unknown
// document.
func TestDocumentSymbolEndToEnd(t *testing.T) {
	const uri = "file:///work/sym.sql"
	const text = "-- %% one\nWITH a AS (SELECT 1) SELECT * FROM a\n-- %% two\nUSE sales"
	tree := startServer(t, testOptions{})
	tree.initializeWith(map[string]any{"documentSymbol": map[string]any{"hierarchicalDocumentSymbolSupport": true}})
	tree.open(uri, text)
	var syms []protocol.DocumentSymbol
	tree.callOK(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms)
	if len(syms) != 2 || syms[0].Name != "Cell 1: one" || len(syms[0].Children) != 1 || len(syms[0].Children[0].Children) != 1 ||
		syms[0].Children[0].Children[0].Name != "a" || syms[1].Children[0].Name != "USE sales" {
		t.Errorf("hierarchical: %+v", syms)
	}
	if m := tree.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": "file:///work/closed.sql"}}); string(m.Result) != "[]" {
		t.Errorf("unknown document: %s", m.Result)
	}

	flat := startServer(t, testOptions{})
	flat.initializeWith(nil)
	flat.open(uri, text)
	var infos []protocol.SymbolInformation
	flat.callOK(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": uri}}, &infos)
	var got []string
	for _, s := range infos {
		if s.Location.URI != uri {
			t.Errorf("%s in %s", s.Name, s.Location.URI)
		}
		got = append(got, s.ContainerName+"/"+s.Name)
	}
	want := []string{"/Cell 1: one", "Cell 1: one/WITH a AS (SELECT 1) SELECT * FROM a", "WITH a AS (SELECT 1) SELECT * FROM a/a", "/Cell 2: two", "Cell 2: two/USE sales"}
	if !slices.Equal(got, want) {
		t.Errorf("flat: %q, want %q", got, want)
	}
}
