package ide

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sparkls/sparkls/sqltext"
)

// RunTarget is what one run runs: statements of one text, with offsets in
// it, and the span they cover.
type RunTarget struct {
	Span       sqltext.Span
	Statements []sqltext.Statement
}

// RunTargetAt chooses the statements a run of [start, end) of text means:
// the selected ones, or those of the cell at start.
func RunTargetAt(text string, start, end int) (RunTarget, error) {
	if start < end {
		stmts := sqltext.SplitStatements(text[start:end])
		if len(stmts) == 0 {
			return RunTarget{}, errors.New("the selection holds no SQL statement")
		}
		for i := range stmts {
			stmts[i].Start += start
			stmts[i].End += start
		}
		return RunTarget{Span: sqltext.Span{Start: stmts[0].Start, End: stmts[len(stmts)-1].End}, Statements: stmts}, nil
	}
	cells := sqltext.SplitCells(text)
	i := pickSpan(text, start, len(cells), func(i int) (int, int) { return cells[i].Start, cells[i].End })
	if i < 0 {
		return RunTarget{}, fmt.Errorf("no SQL statement at line %d", 1+strings.Count(text[:start], "\n"))
	}
	return RunTarget{Span: sqltext.Span{Start: cells[i].Start, End: cells[i].End}, Statements: cells[i].Statements}, nil
}

// StatementAt is the statement a cursor at off means (for explain).
func StatementAt(text string, off int) (sqltext.Statement, bool) {
	stmts := sqltext.SplitStatements(text)
	i := pickSpan(text, off, len(stmts), func(i int) (int, int) { return stmts[i].Start, stmts[i].End })
	if i < 0 {
		return sqltext.Statement{}, false
	}
	return stmts[i], true
}

// pickSpan chooses among n ordered spans the one a cursor at off means: the
// one containing it (both ends included); else one ending earlier on the
// same line (the cursor is after its ';'); else the next one, if only
// blanks and comments come before it (a cell marker line, a blank line or
// a comment above a statement). -1 if none.
func pickSpan(text string, off, n int, span func(int) (start, end int)) int {
	for i := range n {
		if s, e := span(i); s <= off && off <= e {
			return i
		}
	}
	for i := n - 1; i >= 0; i-- {
		if _, e := span(i); e < off {
			if !strings.ContainsAny(text[e:off], "\r\n") {
				return i
			}
			break
		}
	}
	for i := range n {
		if s, _ := span(i); s > off {
			for t := range sqltext.Tokens(text[off:s]) {
				if t.Kind != sqltext.Comment {
					return -1
				}
			}
			return i
		}
	}
	return -1
}
