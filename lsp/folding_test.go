package lsp

import (
	"slices"
	"testing"

	"go.lsp.dev/protocol"
)

// foldingRanges converts ide's folds by the document's line index, CRLF
// line ends included (ide's fixtures hold the folds themselves).
func TestFoldingConversion(t *testing.T) {
	doc := newDocument("file:///work/fixture.sql", "sql", 1, "SELECT a,\r\n  b\r\nFROM t;\r\n-- %% two\r\nSELECT 1\r\n")
	want := []protocol.FoldingRange{{StartLine: 0, EndLine: 2}, {StartLine: 3, EndLine: 4, Kind: protocol.RegionFoldingRange}}
	if got := foldingRanges(doc); !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
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
