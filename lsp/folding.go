package lsp

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/sqltext"
)

// foldingRange answers textDocument/foldingRange: cells (from their marker
// to their last line), statements that span lines, block comments and runs
// of line comments, and parenthesized groups that span lines (subqueries,
// CTE bodies, long calls and column lists). Ranges are whole lines, which
// every client can fold.
func (s *Server) foldingRange(ctx context.Context, snap *Snapshot, p *protocol.FoldingRangeParams) ([]protocol.FoldingRange, error) {
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok || !doc.SQLFile() {
		return []protocol.FoldingRange{}, nil // Python's and Scala's own tools outline and fold those
	}
	return foldingRanges(doc), nil
}

// foldingRanges are the folds of doc, sorted by start line, outer first;
// ranges of one line and duplicates are left out.
func foldingRanges(doc *Document) []protocol.FoldingRange {
	text := doc.SQL()
	toks := sqltext.Lex(text)
	line := func(off int) uint32 { return doc.Position(off).Line }
	out := []protocol.FoldingRange{}
	add := func(start, end uint32, kind protocol.FoldingRangeKind) {
		if end > start {
			out = append(out, protocol.FoldingRange{StartLine: start, EndLine: end, Kind: kind})
		}
	}
	// firstOnLine reports whether toks[i] starts its line.
	firstOnLine := func(i int) bool { return i == 0 || line(toks[i-1].End) < line(toks[i].Start) }

	// Cells: from a marker to the last token before the next marker.
	for i, t := range toks {
		if !isCellMarker(text, t) {
			continue
		}
		last := i
		for last+1 < len(toks) && !isCellMarker(text, toks[last+1]) {
			last++
		}
		add(line(t.Start), line(toks[last].End), protocol.RegionFoldingRange)
	}

	// Statements, from their first line of SQL: a leading comment folds
	// on its own. They come from the cells because a statement never
	// spans a cell marker, even without a ';'.
	for _, c := range sqltext.SplitCells(text) {
		for _, st := range c.Statements {
			code := st.Start
			for _, t := range sqltext.Lex(st.Text) {
				if t.Kind != sqltext.Comment {
					code = st.Start + t.Start
					break
				}
			}
			add(line(code), line(st.End), "")
		}
	}

	// Comments: a block comment, or consecutive lines that are only line
	// comments (cell markers excepted).
	lineComment := func(i int) bool {
		t := toks[i]
		return t.Kind == sqltext.Comment && t.Text[1] == '-' && firstOnLine(i) && !isCellMarker(text, t)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Kind == sqltext.Comment && t.Text[0] == '/':
			// An unclosed one runs to the end of the text, blanks included.
			add(line(t.Start), line(t.Start+len(strings.TrimRight(t.Text, " \t\r\n"))), protocol.CommentFoldingRange)
		case lineComment(i):
			j := i
			for j+1 < len(toks) && lineComment(j+1) && line(toks[j+1].Start) == line(toks[j].Start)+1 {
				j++
			}
			add(line(t.Start), line(toks[j].Start), protocol.CommentFoldingRange)
			i = j
		}
	}

	// Parenthesized groups. The closing parenthesis stays visible when it
	// starts its line, as in an editor's own folding of braces.
	var open []int
	for i, t := range toks {
		switch {
		case t.Is("("):
			open = append(open, i)
		case t.Is(")") && len(open) > 0:
			o := open[len(open)-1]
			open = open[:len(open)-1]
			end := line(t.Start)
			if firstOnLine(i) {
				end--
			}
			add(line(toks[o].Start), end, "")
		}
	}

	slices.SortStableFunc(out, func(a, b protocol.FoldingRange) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(b.EndLine, a.EndLine))
	})
	return slices.CompactFunc(out, func(a, b protocol.FoldingRange) bool {
		return a.StartLine == b.StartLine && a.EndLine == b.EndLine
	})
}
