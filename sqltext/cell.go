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
	toks := Lex(src)
	var cells []Cell
	marked := false
	from := 0 // first token of the current cell
	add := func(to int) {
		stmts := splitTokens(src, toks[from:to])
		if len(stmts) == 0 {
			return
		}
		start, end := toks[from].Start, toks[to-1].End
		end = start + len(strings.TrimRight(src[start:end], " \t\n\r\f\v"))
		cells = append(cells, Cell{Start: start, End: end, Statements: stmts})
	}
	for i, t := range toks {
		if !isMarker(src, t) {
			continue
		}
		add(i)
		marked = true
		from = i + 1
	}
	if !marked {
		stmts := splitTokens(src, toks)
		cells = make([]Cell, 0, len(stmts))
		for _, s := range stmts {
			cells = append(cells, Cell{Start: s.Start, End: s.End, Statements: []Statement{s}})
		}
		return cells
	}
	add(len(toks))
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
