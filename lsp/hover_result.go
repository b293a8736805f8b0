package lsp

import (
	"fmt"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/sqltext"
)

// Inline results in any LSP client: hovering the first line of a statement
// that has run shows its last preview (or error) as Markdown, the same text
// as RunResult.Markdown.

// resultHover answers a hover at pos when it is on the first line of a
// statement of uri that has run; ok is false otherwise, and the caller
// (hover.go's hover, which asks here first) answers as it would without
// runs. It reads only the snapshot and the run records: no I/O.
func (s *Server) resultHover(snap *Snapshot, uri protocol.DocumentURI, pos protocol.Position) (*protocol.Hover, bool) {
	doc, ok := snap.Document(uri)
	if !ok {
		return nil, false
	}
	rs := s.runs()
	if !rs.hasRecords(uri) {
		return nil, false // nothing ran here: no need to split the document
	}
	for _, st := range runStatements(doc.SQL()) {
		if doc.Position(st.End).Line < pos.Line {
			continue // ends above the hover: no need to lex it
		}
		// The statement's first line is that of its first keyword, below
		// any comment above it.
		start := st.End - len(statementKey(st.Text))
		first := doc.Position(start)
		if first.Line != pos.Line {
			if first.Line > pos.Line {
				break
			}
			continue
		}
		rec, ok := rs.outcome(doc, st)
		if !ok {
			continue // another statement may start on this line
		}
		lineEnd := st.End
		if i := strings.IndexAny(doc.SQL()[start:st.End], "\r\n"); i >= 0 {
			lineEnd = start + i
		}
		r := doc.Range(start, lineEnd)
		return &protocol.Hover{
			Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: "**Last run:** " + rec.summary + "\n\n" + rec.markdown},
			Range:    &r,
		}, true
	}
	return nil, false
}

// Bounds of the Markdown rendering of a preview: it goes into hovers and
// into every RunResult, so it stays small whatever the preview holds.
const mdMaxBytes = 32 << 10 // rows past this are counted, not shown

// resultMarkdown renders a run result: a table of the preview with a types
// row and a footer, or the error.
func resultMarkdown(res *RunResult) string {
	var b strings.Builder
	if e := res.Error; e != nil {
		title := "✗ "
		switch {
		case e.ErrorClass != "":
			title += e.ErrorClass
		default:
			title += "failed"
		}
		if e.SQLState != "" {
			title += " (SQLSTATE " + e.SQLState + ")"
		}
		fmt.Fprintf(&b, "**%s**\n\n", ide.MDEscape(title))
		b.WriteString(ide.MDFence(e.Message))
		return b.String()
	}
	if len(res.Columns) == 0 {
		fmt.Fprintf(&b, "_✓ ran, no result rows · %s_\n", elapsedText(time.Duration(res.ElapsedMs)*time.Millisecond))
		return b.String()
	}
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	names := make([]string, len(res.Columns))
	types := make([]string, len(res.Columns))
	rule := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = ide.MDCell(c.Name)
		types[i] = "*" + ide.MDCell(c.Type) + "*"
		rule[i] = "---"
		if numericType(c.Type) {
			rule[i] = "--:"
		}
	}
	row(names)
	row(rule)
	row(types)
	shown := 0
	for _, r := range res.Rows {
		if b.Len() > mdMaxBytes {
			break
		}
		cells := make([]string, len(r))
		for j, v := range r {
			if v == nil {
				cells[j] = "*NULL*"
			} else {
				cells[j] = ide.MDCell(*v)
			}
		}
		row(cells)
		shown++
	}
	b.WriteString("\n_")
	switch {
	case res.Truncated:
		fmt.Fprintf(&b, "first %s, more not fetched", runPlural(res.RowCount, "row"))
	default:
		b.WriteString(runPlural(res.RowCount, "row"))
	}
	if shown < res.RowCount {
		fmt.Fprintf(&b, " (%d shown here)", shown)
	}
	fmt.Fprintf(&b, " · %s_\n", elapsedText(time.Duration(res.ElapsedMs)*time.Millisecond))
	return b.String()
}

// numeric tells whether a typeof() name is a number, right-aligned.
func numericType(typ string) bool {
	switch {
	case typ == "tinyint", typ == "smallint", typ == "int", typ == "bigint",
		typ == "float", typ == "double", strings.HasPrefix(typ, "decimal"):
		return true
	}
	return false
}

// runStatements are the statements of a document as runs see them: those
// of its cells, so that a cell marker is not part of the statement after it.
func runStatements(text string) []sqltext.Statement {
	var out []sqltext.Statement
	for _, c := range sqltext.SplitCells(text) {
		out = append(out, c.Statements...)
	}
	return out
}
