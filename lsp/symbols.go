package lsp

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/sqltext"
)

// documentSymbol answers textDocument/documentSymbol with the outline of a
// SQL file: its cells when it has cell markers, each holding its
// statements, else the statements; a statement's CTEs are its children. A
// client without hierarchical symbols gets the same, flattened, with each
// symbol's container named.
func (s *Server) documentSymbol(ctx context.Context, snap *Snapshot, p *protocol.DocumentSymbolParams) (any, error) {
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok || !doc.SQLFile() {
		return []protocol.DocumentSymbol{}, nil // Python's and Scala's own tools outline and fold those
	}
	syms := documentSymbols(doc)
	if td := s.clientCaps.TextDocument; td == nil || td.DocumentSymbol == nil || !td.DocumentSymbol.HierarchicalDocumentSymbolSupport {
		return flattenSymbols(doc.URI, syms, "", []protocol.SymbolInformation{}), nil
	}
	return syms, nil
}

// Symbol kinds. LSP has none for SQL; these pick icons that read well:
// a cell is a namespace of statements, a query a function (it returns
// something), DML an event (it happens to the data), DDL a struct (it
// shapes the catalog), a session statement a property (SET key=value), a
// CTE a variable (a name for a result within the statement).
const (
	symbolCell = protocol.SymbolKindNamespace
	symbolCTE  = protocol.SymbolKindVariable
)

var statementSymbolKinds = map[sqltext.Kind]protocol.SymbolKind{
	sqltext.Query:    protocol.SymbolKindFunction,
	sqltext.DML:      protocol.SymbolKindEvent,
	sqltext.DDL:      protocol.SymbolKindStruct,
	sqltext.Session:  protocol.SymbolKindProperty,
	sqltext.Describe: protocol.SymbolKindObject,
	sqltext.Unknown:  protocol.SymbolKindObject,
}

// symbolNameLen caps a statement's name, its first line of SQL.
const symbolNameLen = 60

// documentSymbols is the outline of doc.
func documentSymbols(doc *Document) []protocol.DocumentSymbol {
	text := doc.SQL()
	var markers []sqltext.Token
	for t := range sqltext.Tokens(text) { // a stream: a large document's tokens would not fit
		if isCellMarker(text, t) {
			markers = append(markers, t)
		}
	}
	out := []protocol.DocumentSymbol{}
	if len(markers) == 0 {
		for _, st := range sqltext.SplitStatements(text) {
			out = append(out, statementSymbol(doc, st))
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
		sym := protocol.DocumentSymbol{
			Name:           name,
			Detail:         countOf(len(c.Statements), "statement"),
			Kind:           symbolCell,
			Range:          doc.Range(start, c.End),
			SelectionRange: doc.Range(sel.Start, sel.End),
		}
		for _, st := range c.Statements {
			sym.Children = append(sym.Children, statementSymbol(doc, st))
		}
		out = append(out, sym)
	}
	return out
}

// statementSymbol names a statement by its first line of SQL (leading
// comments skipped), with its kind as detail and its CTEs as children.
func statementSymbol(doc *Document, st sqltext.Statement) protocol.DocumentSymbol {
	code := st.Start + codeStart(st.Text)
	end := min(endOfLine(doc.SQL(), code), st.End)
	kind := sqltext.Classify(st.Text)
	sym := protocol.DocumentSymbol{
		Name:           oneLine(doc.SQL()[code:end], symbolNameLen),
		Kind:           statementSymbolKinds[kind],
		Range:          doc.Range(st.Start, st.End),
		SelectionRange: doc.Range(code, end),
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
		if body < len(doc.SQL()) && doc.SQL()[body] == ')' {
			body++
		}
		body = max(min(body, st.End), name.End)
		cte := protocol.DocumentSymbol{
			Name:           c.Name,
			Detail:         "CTE",
			Kind:           symbolCTE,
			Range:          doc.Range(name.Start, body),
			SelectionRange: doc.Range(name.Start, name.End),
		}
		if len(c.Columns) > 0 {
			cte.Detail = "CTE (" + oneLine(strings.Join(c.Columns, ", "), symbolNameLen) + ")"
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

// flattenSymbols lists symbols and their children depth first, as
// SymbolInformation for clients without hierarchical symbols.
func flattenSymbols(uri protocol.DocumentURI, syms []protocol.DocumentSymbol, container string, out []protocol.SymbolInformation) []protocol.SymbolInformation {
	for _, s := range syms {
		out = append(out, protocol.SymbolInformation{
			Name: s.Name, Kind: s.Kind, ContainerName: container,
			Location: protocol.Location{URI: uri, Range: s.Range},
		})
		out = flattenSymbols(uri, s.Children, s.Name, out)
	}
	return out
}

// Cell markers, as sqltext.SplitCells reads them: a whole-line comment
// "-- COMMAND ----------", "-- Databricks notebook source" or "-- %%...".
const (
	markerCommand  = "-- COMMAND ----------"
	markerNotebook = "-- Databricks notebook source"
	markerPercent  = "-- %%"
)

// isCellMarker reports whether t is a cell marker line. It mirrors
// sqltext's rule (a line comment that is the whole line, trailing blanks
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

// oneLine collapses blanks and cuts s to at most n runes, ending in "…".
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

func countOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
