package ide

import (
	"fmt"
	"strings"

	"github.com/sparkls/sparkls/sqltext"
)

// Symbol is an entry of a SQL file's outline: a cell, a statement or a
// CTE, with byte spans of the whole (Span) and of what names it
// (Selection).
type Symbol struct {
	Name, Detail    string
	Kind            SymbolKind
	Span, Selection sqltext.Span
	Children        []Symbol
}

// SymbolKind says what a symbol is; package lsp picks the icon.
type SymbolKind int

// Symbol kinds: a cell, a statement by its sqltext.Kind, a CTE.
const (
	SymbolCell SymbolKind = iota
	SymbolQuery
	SymbolDML
	SymbolDDL
	SymbolSession
	SymbolDescribe
	SymbolOther // a statement sqltext cannot classify
	SymbolCTE
)

var statementSymbolKinds = map[sqltext.Kind]SymbolKind{
	sqltext.Query:    SymbolQuery,
	sqltext.DML:      SymbolDML,
	sqltext.DDL:      SymbolDDL,
	sqltext.Session:  SymbolSession,
	sqltext.Describe: SymbolDescribe,
	sqltext.Unknown:  SymbolOther,
}

// symbolNameLen caps a statement's name, its first line of SQL.
const symbolNameLen = 60

// Symbols is the outline of a SQL file's text: its cells when it has cell
// markers, each holding its statements, else the statements; a
// statement's CTEs are its children.
func Symbols(text string) []Symbol {
	var markers []sqltext.Token
	for t := range sqltext.Tokens(text) { // a stream: a large document's tokens would not fit
		if isCellMarker(text, t) {
			markers = append(markers, t)
		}
	}
	out := []Symbol{}
	if len(markers) == 0 {
		for _, st := range sqltext.SplitStatements(text) {
			out = append(out, statementSymbol(text, st))
		}
		return out
	}
	next := 0 // markers[:next] end before the cell
	for n, c := range sqltext.SplitCells(text) {
		start, sel := c.Start, sqltext.Span{Start: c.Start, End: endOfLine(text, c.Start)}
		title := ""
		for next < len(markers) && markers[next].End <= c.Start {
			next++
		}
		// The marker that opens the cell is the last one before it; only
		// statements before the first marker have none.
		if next > 0 {
			m := markers[next-1]
			start, sel = m.Start, sqltext.Span{Start: m.Start, End: m.End}
			title = markerTitle(m.Text)
		}
		name := fmt.Sprintf("Cell %d", n+1)
		if title != "" {
			name += ": " + title
		}
		sym := Symbol{
			Name:      name,
			Detail:    countOf(len(c.Statements), "statement"),
			Kind:      SymbolCell,
			Span:      sqltext.Span{Start: start, End: c.End},
			Selection: sel,
		}
		for _, st := range c.Statements {
			sym.Children = append(sym.Children, statementSymbol(text, st))
		}
		out = append(out, sym)
	}
	return out
}

// statementSymbol names a statement by its first line of SQL (leading
// comments skipped), with its kind as detail and its CTEs as children.
func statementSymbol(text string, st sqltext.Statement) Symbol {
	code := st.Start + codeStart(st.Text)
	end := min(endOfLine(text, code), st.End)
	kind := sqltext.Classify(st.Text)
	sym := Symbol{
		Name:      OneLine(text[code:end], symbolNameLen),
		Kind:      statementSymbolKinds[kind],
		Span:      sqltext.Span{Start: st.Start, End: st.End},
		Selection: sqltext.Span{Start: code, End: end},
	}
	if kind != sqltext.Unknown {
		sym.Detail = strings.ToLower(kind.String())
	}
	if !hasWith(st.Text) {
		return sym // spares the analysis for most statements
	}
	// At the statement's end the CTEs in scope are those of its top WITH.
	for _, c := range sqltext.At(st.Text, len(st.Text)).Scope.CTEs {
		name := sqltext.Span{Start: st.Start + c.Span.Start, End: st.Start + c.Span.End}
		body := st.Start + c.BodySpan.End
		if body < len(text) && text[body] == ')' {
			body++
		}
		body = max(min(body, st.End), name.End)
		cte := Symbol{
			Name:      c.Name,
			Detail:    "CTE",
			Kind:      SymbolCTE,
			Span:      sqltext.Span{Start: name.Start, End: body},
			Selection: name,
		}
		if len(c.Columns) > 0 {
			cte.Detail = "CTE (" + OneLine(strings.Join(c.Columns, ", "), symbolNameLen) + ")"
		}
		sym.Children = append(sym.Children, cte)
	}
	return sym
}

// hasWith reports whether a statement has a WITH keyword, outside strings
// and comments.
func hasWith(stmt string) bool {
	if !strings.Contains(strings.ToUpper(stmt), "WITH") {
		return false
	}
	for t := range sqltext.Tokens(stmt) {
		if t.IsKeyword("WITH") {
			return true
		}
	}
	return false
}

// Cell markers, as sqltext.SplitCells reads them: a whole-line comment
// "-- COMMAND ----------", "-- Databricks notebook source" or "-- %%...".
const (
	markerCommand  = "-- COMMAND ----------"
	markerNotebook = "-- Databricks notebook source"
	markerPercent  = "-- %%"
)

// isCellMarker reports whether t, a token of text, is a cell marker line.
// It mirrors sqltext's rule (a line comment that is the whole line, trailing blanks
// forgiven), which that package keeps unexported.
func isCellMarker(text string, t sqltext.Token) bool {
	if t.Kind != sqltext.Comment || !strings.HasPrefix(t.Text, "--") {
		return false
	}
	if t.Start > 0 && text[t.Start-1] != '\n' && text[t.Start-1] != '\r' {
		return false
	}
	line := strings.TrimRight(t.Text, " \t")
	return line == markerCommand || line == markerNotebook || strings.HasPrefix(line, markerPercent)
}

// markerTitle is what a "-- %% title" marker says after "%%"; the other
// markers have none.
func markerTitle(marker string) string {
	if rest, ok := strings.CutPrefix(marker, markerPercent); ok {
		return strings.TrimSpace(rest)
	}
	return ""
}

// endOfLine is the offset of the end of the line holding off (before its
// line break).
func endOfLine(text string, off int) int {
	if i := strings.IndexAny(text[off:], "\r\n"); i >= 0 {
		return off + i
	}
	return len(text)
}

// OneLine collapses blanks and cuts s to at most n runes, ending in "…".
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// countOf is "1 what" or "n whats".
func countOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
