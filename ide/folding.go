package ide

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sparkls/sparkls/sqltext"
)

// FoldKind says what a fold is; the zero value is a plain region of code
// (a statement or a parenthesized group).
type FoldKind string

// Fold kinds, spelled as LSP's FoldingRangeKind.
const (
	FoldRegion  FoldKind = "region"  // a cell
	FoldComment FoldKind = "comment" // a block comment or a run of line comments
)

// Fold is a foldable range of whole lines (0-based, inclusive).
type Fold struct {
	StartLine, EndLine int
	Kind               FoldKind
}

// Folds are the folds of text: cells (from their marker to their last
// line), statements that span lines, block comments and runs of line
// comments, and parenthesized groups that span lines (subqueries, CTE
// bodies, long calls and column lists). line maps a byte offset to its
// 0-based line (the document's own line index, which the caller keeps).
// They are sorted by start line, outer first; ranges of one line and
// duplicates are left out.
//
// It reads the document's tokens in one pass, as a stream: holding them all
// would take about twelve times the size of a large document.
func Folds(text string, line func(off int) int) []Fold {
	// By kind, in this order: where two ranges cover the same lines, the
	// first one is kept.
	var cells, stmts, comments, parens []Fold
	add := func(to *[]Fold, start, end int, kind FoldKind) {
		if end > start {
			*to = append(*to, Fold{StartLine: start, EndLine: end, Kind: kind})
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
		runStart, runLast int
		// Parenthesized groups. The closing parenthesis stays visible
		// when it starts its line, as in an editor's own folding of
		// braces.
		open []int // starts of the unclosed '('
	)
	endRun := func() {
		if run {
			add(&comments, runStart, runLast, FoldComment)
			run = false
		}
	}
	for t := range sqltext.Tokens(text) {
		firstOnLine := func() bool { return prevEnd < 0 || line(prevEnd) < line(t.Start) }
		isMarker := isCellMarker(text, t)
		if isMarker {
			if marker >= 0 {
				add(&cells, line(marker), line(prevEnd), FoldRegion)
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
			add(&comments, line(t.Start), line(t.Start+len(strings.TrimRight(t.Text, " \t\r\n"))), FoldComment)
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
		add(&cells, line(marker), line(prevEnd), FoldRegion)
	}

	out := slices.Concat([]Fold{}, cells, stmts, comments, parens)
	slices.SortStableFunc(out, func(a, b Fold) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(b.EndLine, a.EndLine))
	})
	return slices.CompactFunc(out, func(a, b Fold) bool {
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
