package ide

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/internal/fixture"
	"github.com/sparkls/sparkls/sqltext"
)

// Definition, outline and folding fixtures: the input as input.sql, the
// cursor as $0, the answer as readable golden text. Spans are written as
// line:column-line:column, 0-based, columns in bytes (package lsp converts
// them to UTF-16 and tests that).

// lineOf is the 0-based line of byte offset off of text.
func lineOf(text string, off int) int { return strings.Count(text[:off], "\n") }

// showOffset and showSpan write byte offsets of text as line:column.
func showOffset(text string, off int) string {
	return fmt.Sprintf("%d:%d", lineOf(text, off), off-strings.LastIndexByte(text[:off], '\n')-1)
}

func showSpan(text string, sp sqltext.Span) string {
	return showOffset(text, sp.Start) + "-" + showOffset(text, sp.End)
}

// TestDefinitionFixtures runs testdata/definition: where the name at $0 is
// defined, with the text there.
func TestDefinitionFixtures(t *testing.T) { fixture.Run(t, "testdata/definition", checkDefinition) }

// checkDefinition is the only code that calls DefinitionAt.
func checkDefinition(t *testing.T, path string) {
	ar, text, off := fixture.Input(t, path)
	if off < 0 {
		t.Fatalf("%s: no $0", path)
	}
	var b strings.Builder
	if sp, ok := DefinitionAt(text, off); !ok {
		b.WriteString("no definition\n")
	} else {
		line := text[strings.LastIndexByte(text[:sp.Start], '\n')+1:]
		line, _, _ = strings.Cut(line, "\n")
		fmt.Fprintf(&b, "%s %q in %q\n", showSpan(text, sp), text[sp.Start:sp.End], strings.TrimSpace(line))
	}
	ar.Want(t, b.String())
}

// symbolKindNames name the kinds in the golden text.
var symbolKindNames = map[SymbolKind]string{
	SymbolCell: "cell", SymbolQuery: "query", SymbolDML: "dml", SymbolDDL: "ddl",
	SymbolSession: "session", SymbolDescribe: "describe", SymbolOther: "other", SymbolCTE: "cte",
}

// TestSymbolFixtures runs testdata/symbols: the outline of input.sql, one
// symbol a line, children indented.
func TestSymbolFixtures(t *testing.T) { fixture.Run(t, "testdata/symbols", checkSymbols) }

// checkSymbols is the only code that calls Symbols. It also checks what
// clients rely on: names are not blank, a selection lies in its span and a
// child's span in its parent's.
func checkSymbols(t *testing.T, path string) {
	ar, text, _ := fixture.Input(t, path)
	within := func(in, out sqltext.Span) bool { return out.Start <= in.Start && in.End <= out.End }
	var b strings.Builder
	var walk func(syms []Symbol, parent *sqltext.Span, depth int)
	walk = func(syms []Symbol, parent *sqltext.Span, depth int) {
		for _, s := range syms {
			if strings.TrimSpace(s.Name) == "" {
				t.Errorf("blank name: %+v", s)
			}
			if !within(s.Selection, s.Span) {
				t.Errorf("%q: selection %s outside %s", s.Name, showSpan(text, s.Selection), showSpan(text, s.Span))
			}
			if parent != nil && !within(s.Span, *parent) {
				t.Errorf("%q: span %s outside its parent's %s", s.Name, showSpan(text, s.Span), showSpan(text, *parent))
			}
			detail := ""
			if s.Detail != "" {
				detail = " (" + s.Detail + ")"
			}
			fmt.Fprintf(&b, "%s%s %q%s %s sel %s\n", strings.Repeat("  ", depth), symbolKindNames[s.Kind], s.Name, detail,
				showSpan(text, s.Span), showSpan(text, s.Selection))
			walk(s.Children, &s.Span, depth+1)
		}
	}
	walk(Symbols(text), nil, 0)
	if b.Len() == 0 {
		b.WriteString("no symbols\n")
	}
	ar.Want(t, b.String())
}

// TestFoldingFixtures runs testdata/folding: each range as its lines, its
// kind, and the text of its first line.
func TestFoldingFixtures(t *testing.T) { fixture.Run(t, "testdata/folding", checkFolding) }

// checkFolding is the only code that calls Folds. It also checks that
// ranges are sorted, within the text and span lines.
func checkFolding(t *testing.T, path string) {
	ar, text, _ := fixture.Input(t, path)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	folds := Folds(text, func(off int) int { return lineOf(text, off) })
	for i, f := range folds {
		if f.EndLine <= f.StartLine || f.EndLine >= len(lines) {
			t.Errorf("bad range %+v", f)
			continue
		}
		if i > 0 && folds[i-1].StartLine > f.StartLine {
			t.Errorf("not sorted: %+v before %+v", folds[i-1], f)
		}
		kind := string(f.Kind)
		if kind == "" {
			kind = "-"
		}
		fmt.Fprintf(&b, "%d-%d %s: %s\n", f.StartLine, f.EndLine, kind, strings.TrimSpace(lines[f.StartLine]))
	}
	if len(folds) == 0 {
		b.WriteString("no folding ranges\n")
	}
	ar.Want(t, b.String())
}
