package lsp

import (
	"github.com/sparkls/sparkls/embed"

	"context"
	"fmt"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/sqltext"
)

// Code lenses: "▶ Run" above every cell (every statement when the document
// has no cell markers), "■ Cancel" while it runs, and the outcome of its
// last run ("✓ 100 rows · 0.4 s", "✗ UNRESOLVED_COLUMN"). They are computed
// from the snapshot and the run records, without I/O; "▶ Preview" on each
// CTE of a statement's WITH list runs just that CTE (RunArgs.CTE); runs ask the client to
// refresh them (workspace/codeLens/refresh) when they start and end.

// Lens titles.
const (
	lensRun     = "▶ Run"
	lensCancel  = "■ Cancel"
	lensPreview = "▶ Preview"
)

func (s *Server) codeLens(ctx context.Context, snap *Snapshot, p *protocol.CodeLensParams) ([]protocol.CodeLens, error) {
	lenses := []protocol.CodeLens{}
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok || doc.Kind() == embed.Python {
		return lenses, nil // spark.sql strings are not run from the editor
	}
	rs := s.runs()
	active := rs.running(doc.URI)
	cells := sqltext.SplitCells(doc.SQL())
	starts := make([]int, len(cells))
	lines := map[uint32]int{} // lenses per line
	for i, c := range cells {
		starts[i] = lensStart(doc.SQL(), c)
		lines[doc.Position(starts[i]).Line]++
	}
	for i, c := range cells {
		at := doc.Position(starts[i])
		line := c.End
		if j := strings.IndexAny(doc.SQL()[starts[i]:c.End], "\r\n"); j >= 0 {
			line = starts[i] + j
		}
		rng := doc.Range(starts[i], line)
		title := lensRun
		if lines[at.Line] > 1 {
			// Two cells start on this line: say which runs which.
			title += " " + lensSnippet(doc.SQL()[starts[i]:c.End])
		}
		lenses = append(lenses, protocol.CodeLens{Range: rng, Command: &protocol.Command{
			Title: title, Command: CommandRun,
			Arguments: []any{RunArgs{URI: doc.URI, Range: protocol.Range{Start: at, End: at}}},
		}})
		for _, st := range c.Statements {
			for _, d := range ide.TopCTEs(doc.SQL(), st) {
				// Runs just the CTE, with the preview limit.
				at := doc.Position(d.Span.Start)
				lenses = append(lenses, protocol.CodeLens{Range: doc.Range(d.Span.Start, d.Span.End), Command: &protocol.Command{
					Title: lensPreview, Command: CommandRun,
					Arguments: []any{RunArgs{URI: doc.URI, Range: protocol.Range{Start: at, End: at}, CTE: d.Name}},
				}})
			}
		}
		if r := runningIn(active, doc, c); r != nil {
			lenses = append(lenses, protocol.CodeLens{Range: rng, Command: &protocol.Command{
				Title: lensCancel, Command: CommandCancel, Arguments: []any{CancelArgs{QueryID: r.id}},
			}})
			continue
		}
		// The cell's outcome is that of the statement that ran last.
		var last runRecord
		for _, st := range c.Statements {
			if rec, ok := rs.outcome(doc, st); ok && rec.seq > last.seq {
				last = rec
			}
		}
		if last.seq > 0 {
			// A label, not an action: clients show a lens with an empty
			// command as text.
			lenses = append(lenses, protocol.CodeLens{Range: rng, Command: &protocol.Command{Title: last.summary}})
		}
	}
	return lenses, nil
}

// lensStart is where the lens of cell c goes: its start, unless the line
// it starts on holds the end of the statement before ("SELECT 1; -- c"
// then "SELECT 2" below, where the comment is part of the second
// statement); then the cell's first word, usually on a line of its own.
func lensStart(text string, c sqltext.Cell) int {
	bol := strings.LastIndexAny(text[:c.Start], "\r\n") + 1
	if strings.TrimSpace(text[bol:c.Start]) == "" || len(c.Statements) == 0 {
		return c.Start
	}
	st := c.Statements[0]
	return st.End - len(statementKey(st.Text))
}

// lensSnippetLen bounds the statement text a lens title shows.
const lensSnippetLen = 30

// lensSnippet is the start of a cell's text for a lens title: its first
// line, spaces collapsed, cut at lensSnippetLen characters.
func lensSnippet(text string) string {
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		text = text[:i]
	}
	text = strings.Join(strings.Fields(strings.TrimSuffix(strings.TrimSpace(text), ";")), " ")
	if r := []rune(text); len(r) > lensSnippetLen {
		text = string(r[:lensSnippetLen-1]) + "…"
	}
	return text
}

// runningIn returns the run in flight that runs a statement of cell c.
func runningIn(active []*activeRun, doc *Document, c sqltext.Cell) *activeRun {
	for _, r := range active {
		for _, rst := range r.stmts {
			key := statementKey(rst.Text)
			for _, st := range c.Statements {
				if sameStatement(key, rst.Start, r.version, statementKey(st.Text), st.Start, doc.Version) {
					return r
				}
			}
		}
	}
	return nil
}

// lensTitle sums up a run result in a few characters.
func lensTitle(res *RunResult) string {
	if e := res.Error; e != nil {
		switch {
		case e.ErrorClass == ClassCancelled:
			return "✗ cancelled"
		case e.ErrorClass != "":
			return "✗ " + e.ErrorClass
		}
		return "✗ failed"
	}
	took := elapsedText(time.Duration(res.ElapsedMs) * time.Millisecond)
	if len(res.Columns) == 0 {
		return "✓ done · " + took
	}
	rows := runPlural(res.RowCount, "row")
	if res.Truncated {
		rows = fmt.Sprintf("%d+ rows", res.RowCount)
	}
	return "✓ " + rows + " · " + took
}

// elapsedText: 0.4 s, 12 s, 3 min 5 s.
func elapsedText(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}
