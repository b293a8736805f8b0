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
//
// It reads the document's tokens in one pass, as a stream: holding them all
// would take about twelve times the size of a large document.
func foldingRanges(doc *Document) []protocol.FoldingRange {
	text := doc.SQL()
	line := func(off int) uint32 { return uint32(doc.lines.line(off)) }
	// By kind, in this order: where two ranges cover the same lines, the
	// first one is kept.
	var cells, stmts, comments, parens []protocol.FoldingRange
	add := func(to *[]protocol.FoldingRange, start, end uint32, kind protocol.FoldingRangeKind) {
		if end > start {
			*to = append(*to, protocol.FoldingRange{StartLine: start, EndLine: end, Kind: kind})
		}
	}

	// Statements, from their first line of SQL: a leading comment folds
	// on its own. They come from the cells because a statement never
	// spans a cell marker, even without a ';'.
	for _, c := range sqltext.SplitCells(text) {
		for _, st := range c.Statements {
			add(&stmts, line(st.Start+codeStart(st.Text)), line(st.End), "")
		}
	}

	var (
		prevEnd = -1 // end of the previous token; -1 before the first
		// Cells: from a marker to the last token before the next marker.
		marker = -1 // start of the open cell's marker
		// Comments: a block comment, or consecutive lines that are only
		// line comments (cell markers excepted).
		run               bool // a run of line comments is open
		runStart, runLast uint32
		// Parenthesized groups. The closing parenthesis stays visible
		// when it starts its line, as in an editor's own folding of
		// braces.
		open []int // starts of the unclosed '('
	)
	endRun := func() {
		if run {
			add(&comments, runStart, runLast, protocol.CommentFoldingRange)
			run = false
		}
	}
	for t := range sqltext.Tokens(text) {
		firstOnLine := func() bool { return prevEnd < 0 || line(prevEnd) < line(t.Start) }
		isMarker := isCellMarker(text, t)
		if isMarker {
			if marker >= 0 {
				add(&cells, line(marker), line(prevEnd), protocol.RegionFoldingRange)
			}
			marker = t.Start
		}
		lineComment := t.Kind == sqltext.Comment && t.Text[1] == '-' && !isMarker && firstOnLine()
		if lineComment && run && line(t.Start) == runLast+1 {
			runLast++
		} else {
			endRun()
		}
		switch {
		case t.Kind == sqltext.Comment && t.Text[0] == '/':
			// An unclosed one runs to the end of the text, blanks included.
			add(&comments, line(t.Start), line(t.Start+len(strings.TrimRight(t.Text, " \t\r\n"))), protocol.CommentFoldingRange)
		case lineComment && !run:
			run, runStart, runLast = true, line(t.Start), line(t.Start)
		case t.Is("("):
			open = append(open, t.Start)
		case t.Is(")") && len(open) > 0:
			o := open[len(open)-1]
			open = open[:len(open)-1]
			end := line(t.Start)
			if firstOnLine() {
				end--
			}
			add(&parens, line(o), end, "")
		}
		prevEnd = t.End
	}
	endRun()
	if marker >= 0 {
		add(&cells, line(marker), line(prevEnd), protocol.RegionFoldingRange)
	}

	out := slices.Concat([]protocol.FoldingRange{}, cells, stmts, comments, parens)
	slices.SortStableFunc(out, func(a, b protocol.FoldingRange) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(b.EndLine, a.EndLine))
	})
	return slices.CompactFunc(out, func(a, b protocol.FoldingRange) bool {
		return a.StartLine == b.StartLine && a.EndLine == b.EndLine
	})
}

// codeStart is the offset in stmt of its first token that is not a
// comment (0 if there is none).
func codeStart(stmt string) int {
	for t := range sqltext.Tokens(stmt) {
		if t.Kind != sqltext.Comment {
			return t.Start
		}
	}
	return 0
}
