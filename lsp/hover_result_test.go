package lsp

import (
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
)

func TestResultMarkdown(t *testing.T) {
	s := func(v string) *string { return &v }
	res := &RunResult{
		Columns:   []connect.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "string"}},
		Rows:      [][]*string{{s("1"), nil}, {s("2"), s("x|y")}},
		RowCount:  2,
		Truncated: true,
		ElapsedMs: 1234,
	}
	want := "| id | name |\n| --: | --- |\n| *bigint* | *string* |\n| 1 | *NULL* |\n| 2 | x\\|y |\n\n_first 2 rows, more not fetched · 1.2 s_\n"
	if got := resultMarkdown(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// However large the preview, the rendering stays bounded.
	big := &RunResult{Columns: []connect.Column{{Name: "v", Type: "string"}}}
	for i := range 100000 {
		big.Rows = append(big.Rows, []*string{s(fmt.Sprint(strings.Repeat("x", 70), i))})
	}
	big.RowCount = len(big.Rows)
	md := resultMarkdown(big)
	if len(md) > mdMaxBytes+1024 || !strings.Contains(md, "100000 rows (") {
		t.Errorf("%d bytes, footer %q", len(md), md[strings.LastIndexByte(md[:len(md)-1], '\n'):])
	}

	bad := &RunResult{Error: &RunError{Message: "boom ``` fence", ErrorClass: "PARSE_SYNTAX_ERROR", SQLState: "42601"}}
	if got, want := resultMarkdown(bad), "**✗ PARSE_SYNTAX_ERROR (SQLSTATE 42601)**\n\n````\nboom ``` fence\n````\n"; got != want {
		t.Errorf("error: got %q want %q", got, want)
	}
}

// Hovering a document that has never run anything must not split and lex
// the whole document to look for a run's outcome: hover is on the mouse's
// path, and the document may be large.
func TestResultHoverWithoutRunsIsCheap(t *testing.T) {
	s := NewServer(Options{})
	text := strings.Repeat("-- a comment\nSELECT a, b FROM some_table WHERE x = 1;\n", 2000)
	s.docs.open(newDocument(docURI, "sql", 1, text))
	snap := s.snapshot()
	pos := protocol.Position{Line: 3999, Character: 3}
	allocs := testing.AllocsPerRun(5, func() {
		if _, ok := s.resultHover(snap, docURI, pos); ok {
			t.Fatal("a result hover without runs")
		}
	})
	if allocs > 10 {
		t.Errorf("resultHover without runs: %.0f allocations per hover", allocs)
	}
}
