package ide

import (
	"context"
	"fmt"
	"strings"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// Analyzer-backed types: hover over a CTE's name, a subquery's alias, a
// SELECT item's alias or expression shows the types Spark's analyzer gives
// them. The query asked about is built from the document's own text (a
// CTE: its WITH list up to it, then SELECT * FROM it; a subquery or SELECT
// list: the WITH list around it, then the query) and only ever analysed,
// inside the query envelope, by the caller's Analyzer.

// Analyzer gives the output columns of a query as Spark analyses it,
// without running it. Columns must answer quickly: from what is known, or
// after a short wait; ok is false when the answer is not (yet) known or the
// query does not analyse.
type Analyzer interface {
	Columns(ctx context.Context, query string) (cols []schema.Column, ok bool)
}

// HoverOptions are what a hover may use beyond the text and the catalog.
type HoverOptions struct {
	// Params are the known values of named parameter markers, by name
	// without the colon: IDENTIFIER(:tbl) resolves through them.
	Params map[string]string
	// Analyzer gives types from Spark; nil for none.
	Analyzer Analyzer
	// SessionVars are the session's variables with their values.
	SessionVars []SessionVar
}

// bindIdentifiers names the tables of IDENTIFIER(:p) references whose
// parameter has a known value.
func bindIdentifiers(sc *sqltext.Scope, params map[string]string) {
	for i, r := range sc.Tables {
		if r.Param == "" {
			continue
		}
		if v, ok := params[r.Param]; ok {
			if name := sqltext.SplitName(v); len(name) > 0 {
				sc.Tables[i].Name = name
			}
		}
	}
}

// withPrefix is the WITH list (of the outermost WITH around query) that
// the query may read, as text ending after the last CTE visible in it, or
// "" for none. CTEs inside query are its own.
func withPrefix(text string, ctes []sqltext.CTE, query sqltext.Span) string {
	with, end := -1, -1
	for _, d := range ctes {
		if d.Span.Start >= query.Start && d.Span.End <= query.End || !d.BodyClosed {
			continue
		}
		if with < 0 || d.With < with {
			with, end = d.With, -1
		}
		if d.With == with {
			end = max(end, d.BodySpan.End+1)
		}
	}
	if with < 0 || end > len(text) || end <= with {
		return ""
	}
	return text[with:end] + "\n"
}

// cteQuery is the query whose columns are CTE d's: its WITH list up to it,
// then SELECT * FROM it.
func cteQuery(text string, d sqltext.CTE) (string, bool) {
	if !d.BodyClosed || d.BodySpan.End+1 > len(text) || d.With > d.Span.Start {
		return "", false
	}
	return text[d.With:d.BodySpan.End+1] + "\nSELECT * FROM " + sqltext.Quote(d.Name), true
}

// analyzed asks the analyzer, when there is one, for query's columns.
func (h *hoverer) analyzed(query string) ([]schema.Column, bool) {
	if h.opt.Analyzer == nil || strings.TrimSpace(query) == "" {
		return nil, false
	}
	return h.opt.Analyzer.Columns(h.ctx, query)
}

// typedColumns are Spark's columns as hover lists them.
func typedColumns(cols []schema.Column) []refColumn {
	out := make([]refColumn, len(cols))
	for i := range cols {
		out[i] = refColumn{Name: cols[i].Name, Col: &cols[i]}
	}
	return out
}

// cteMarkdown is a CTE's hover, with Spark's types when the analyzer knows
// them.
func (h *hoverer) cteMarkdown(d sqltext.CTE) string {
	if q, ok := cteQuery(h.text, d); ok {
		if cols, ok := h.analyzed(q); ok {
			return cteMarkdown(d, typedColumns(cols)) + analyzedNote
		}
	}
	return cteMarkdown(d, h.cteColumns(d))
}

// subqueryColumns are a subquery's columns with Spark's types, if known.
func (h *hoverer) subqueryColumns(r sqltext.TableRef) ([]refColumn, bool) {
	if r.Kind != sqltext.RefSubquery || r.Span.End-r.Span.Start < 2 || r.Span.End > len(h.text) ||
		h.text[r.Span.Start] != '(' || h.text[r.Span.End-1] != ')' {
		return nil, false
	}
	body := sqltext.Span{Start: r.Span.Start + 1, End: r.Span.End - 1}
	cols, ok := h.analyzed(withPrefix(h.text, h.c.Scope.CTEs, body) + h.text[body.Start:body.End])
	if !ok {
		return nil, false
	}
	if len(r.Columns) == len(cols) && r.Alias != "" {
		for i := range cols {
			cols[i].Name = r.Columns[i] // t AS x(a, b) renames them
		}
	}
	return typedColumns(cols), true
}

// analyzedNote marks what Spark's analyzer says.
const analyzedNote = "\n_types from Spark's analyzer_\n"

// selectItemMarkdown is the hover of a SELECT item (a derived column, an
// expression): the type Spark gives its column. It needs the analyzer.
func selectItemMarkdown(ctx context.Context, text string, off int, opt HoverOptions) (string, sqltext.Span, bool) {
	if opt.Analyzer == nil {
		return "", sqltext.Span{}, false
	}
	it, ok := sqltext.SelectItemAt(text, off)
	if !ok || it.Index < 0 {
		return "", sqltext.Span{}, false
	}
	c := sqltext.At(text, off)
	query := withPrefix(text, c.Scope.CTEs, it.Query) + text[it.Query.Start:it.Query.End]
	cols, ok := opt.Analyzer.Columns(ctx, query)
	if !ok || it.Index >= len(cols) {
		return "", sqltext.Span{}, false
	}
	col := cols[it.Index]
	md := fmt.Sprintf("%s — column · %s\n\n%s", mdCode(col.Name), mdCode(col.Type), MDFence(text[it.Span.Start:it.Span.End]))
	return md + analyzedNote, it.Span, true
}

// CTEPreview is the query that previews the CTE called name of the
// statement at byte offset off of text: its WITH list up to it, then
// SELECT * FROM it. start and end are the part of text it repeats (the
// WITH list up to the CTE's closing parenthesis).
func CTEPreview(text string, off int, name string) (query string, start, end int, ok bool) {
	for _, d := range sqltext.At(text, off).Scope.CTEs {
		if strings.EqualFold(d.Name, name) {
			q, ok := cteQuery(text, d)
			return q, d.With, d.BodySpan.End + 1, ok
		}
	}
	return "", 0, 0, false
}

// CTELens is a CTE that a statement defines at its top level, for the
// "Preview" lens.
type CTELens struct {
	Name string
	Span sqltext.Span // its name in the WITH list
}

// TopCTEs are the CTEs of the WITH list that starts statement st of
// text, whose bodies are closed.
func TopCTEs(text string, st sqltext.Statement) []CTELens {
	if !startsWithWith(st.Text) {
		return nil
	}
	var out []CTELens
	for _, d := range sqltext.At(text, st.Start).Scope.CTEs {
		if d.BodyClosed && d.Span.Start >= st.Start && d.Span.End <= st.End {
			out = append(out, CTELens{Name: d.Name, Span: d.Span})
		}
	}
	return out
}

// startsWithWith reports whether a statement's first word is WITH.
func startsWithWith(stmt string) bool {
	for t := range sqltext.Tokens(stmt) {
		if t.Kind == sqltext.Comment || t.Kind == sqltext.Hint {
			continue
		}
		return t.IsKeyword("WITH")
	}
	return false
}
