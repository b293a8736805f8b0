package lsp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// documentSymbols converts ide's outline: byte spans to ranges in UTF-16
// units, kinds to icons (ide's fixtures hold the outline itself).
func TestSymbolConversion(t *testing.T) {
	show := func(syms []protocol.DocumentSymbol) string {
		var b strings.Builder
		var walk func(syms []protocol.DocumentSymbol, depth int)
		walk = func(syms []protocol.DocumentSymbol, depth int) {
			for _, s := range syms {
				fmt.Fprintf(&b, "%s%s %q %s sel %s\n", strings.Repeat("  ", depth), s.Kind, s.Name, showRange(s.Range), showRange(s.SelectionRange))
				walk(s.Children, depth+1)
			}
		}
		walk(syms, 0)
		return b.String()
	}
	for _, tc := range []struct{ text, want string }{
		{"SELECT '😀😀' AS e; WITH `ü` AS (SELECT 1) SELECT * FROM `ü`",
			"Function \"SELECT '😀😀' AS e\" 0:0-0:18 sel 0:0-0:18\n" +
				"Function \"WITH `ü` AS (SELECT 1) SELECT * FROM `ü`\" 0:20-0:60 sel 0:20-0:60\n" +
				"  Variable \"ü\" 0:25-0:42 sel 0:25-0:28\n"},
		{"-- %% one\nUSE sales;\nCREATE TABLE t (a INT);\nINSERT INTO t VALUES (1);\nDESCRIBE TABLE t;\nVACUUM t",
			"Namespace \"Cell 1: one\" 0:0-5:8 sel 0:0-0:9\n" +
				"  Property \"USE sales\" 1:0-1:9 sel 1:0-1:9\n" +
				"  Struct \"CREATE TABLE t (a INT)\" 2:0-2:22 sel 2:0-2:22\n" +
				"  Event \"INSERT INTO t VALUES (1)\" 3:0-3:24 sel 3:0-3:24\n" +
				"  Object \"DESCRIBE TABLE t\" 4:0-4:16 sel 4:0-4:16\n" +
				"  Object \"VACUUM t\" 5:0-5:8 sel 5:0-5:8\n"},
	} {
		if got := show(documentSymbols(newDocument("file:///work/fixture.sql", "sql", 1, tc.text))); got != tc.want {
			t.Errorf("%q:\n%s\nwant\n%s", tc.text, got, tc.want)
		}
	}
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
