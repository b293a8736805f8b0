package lsp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/internal/fixture"
)

// TestFoldingFixtures runs testdata/folding: each range as its lines, its
// kind, and the text of its first line.
func TestFoldingFixtures(t *testing.T) { fixture.Run(t, "testdata/folding", checkFolding) }

// checkFolding is the only code that calls foldingRanges. It also checks
// that ranges are sorted, within the document and span lines.
func checkFolding(t *testing.T, path string) {
	ar, doc, _ := readTextFixture(t, path)
	lines := strings.Split(strings.ReplaceAll(doc.Text, "\r\n", "\n"), "\n")
	var b strings.Builder
	ranges := foldingRanges(doc)
	for i, r := range ranges {
		if r.EndLine <= r.StartLine || int(r.EndLine) >= len(lines) {
			t.Errorf("bad range %+v", r)
			continue
		}
		if i > 0 && ranges[i-1].StartLine > r.StartLine {
			t.Errorf("not sorted: %+v before %+v", ranges[i-1], r)
		}
		kind := string(r.Kind)
		if kind == "" {
			kind = "-"
		}
		fmt.Fprintf(&b, "%d-%d %s: %s\n", r.StartLine, r.EndLine, kind, strings.TrimSpace(lines[r.StartLine]))
	}
	if len(ranges) == 0 {
		b.WriteString("no folding ranges\n")
	}
	ar.Want(t, b.String())
}

// Over the pipe: line ranges with their kinds; [] for an unknown document.
func TestFoldingRangeEndToEnd(t *testing.T) {
	const uri = "file:///work/fold.sql"
	c := startServer(t, testOptions{})
	c.initializeWith(map[string]any{"foldingRange": map[string]any{"lineFoldingOnly": true}})
	c.open(uri, "-- %% one\n/* a\n b */\nSELECT (\n  1\n)\n")
	var ranges []protocol.FoldingRange
	c.callOK(protocol.MethodTextDocumentFoldingRange, map[string]any{"textDocument": map[string]any{"uri": uri}}, &ranges)
	want := []protocol.FoldingRange{
		{StartLine: 0, EndLine: 5, Kind: protocol.RegionFoldingRange},
		{StartLine: 1, EndLine: 2, Kind: protocol.CommentFoldingRange},
		{StartLine: 3, EndLine: 5},
		{StartLine: 3, EndLine: 4},
	}
	if !slices.Equal(ranges, want) {
		t.Errorf("got %+v, want %+v", ranges, want)
	}
	if m := c.call(protocol.MethodTextDocumentFoldingRange, map[string]any{"textDocument": map[string]any{"uri": "file:///work/closed.sql"}}); string(m.Result) != "[]" {
		t.Errorf("unknown document: %s", m.Result)
	}
}
