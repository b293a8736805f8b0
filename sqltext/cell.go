package sqltext

import "strings"

// Cell is a group of statements that run together, like a notebook cell.
// Start and End are byte offsets into the source, from the cell's first
// token to its last, so its comments are inside the range.
type Cell struct {
	Start, End int
	Statements []Statement
}

// Cell markers. A Databricks notebook exported as SQL starts with
// notebookHeader and separates cells with commandMarker; VS Code, Jupytext
// and others use "-- %%" lines.
const (
	notebookHeader = "-- Databricks notebook source"
	commandMarker  = "-- COMMAND ----------"
	percentMarker  = "-- %%"
)

// SplitCells groups the statements of src into cells. A cell boundary is a
// line that is exactly "-- COMMAND ----------" or that starts with "-- %%";
// the Databricks header line "-- Databricks notebook source" is not content
// and also starts a cell. A marker counts only as a whole line comment, so
// one inside a /* */ comment or a string does not. A statement never spans
// a marker, even without a ';'.
//
// With no markers, each statement is its own cell, which is what "run cell"
// means in a plain .sql file. Cells without statements (empty, only
// comments, or "-- MAGIC" lines of another language) are dropped: there is
// nothing to run.
func SplitCells(src string) []Cell {
	var cells []Cell
	marked := false
	sp := splitter{src: src}
	start, end, open := 0, 0, false // the span of the current cell's tokens, once it has one
	add := func() {
		stmts := sp.finish()
		if len(stmts) == 0 {
			return
		}
		end = start + len(strings.TrimRight(src[start:end], " \t\n\r\f\v"))
		cells = append(cells, Cell{Start: start, End: end, Statements: stmts})
	}
	for t := range Tokens(src) {
		if isMarker(src, t) {
			add()
			marked, open = true, false
			continue
		}
		if !open {
			start, open = t.Start, true
		}
		end = t.End
		sp.token(t)
	}
	if !marked {
		stmts := sp.finish()
		cells = make([]Cell, 0, len(stmts))
		for i, s := range stmts {
			// A slice of stmts, not a copy: a large document has many.
			cells = append(cells, Cell{Start: s.Start, End: s.End, Statements: stmts[i : i+1 : i+1]})
		}
		return cells
	}
	add()
	return cells
}

// isMarker reports whether t is a line comment that forms a whole cell
// marker line. Trailing blanks are forgiven because editors leave them.
func isMarker(src string, t Token) bool {
	if t.Kind != Comment || !strings.HasPrefix(t.Text, "--") {
		return false
	}
	if t.Start > 0 && src[t.Start-1] != '\n' && src[t.Start-1] != '\r' {
		return false
	}
	line := strings.TrimRight(t.Text, " \t")
	return line == commandMarker || line == notebookHeader || strings.HasPrefix(line, percentMarker)
}
