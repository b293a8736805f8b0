package ide

import (
	"context"
	"fmt"
	"strings"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// Hover: the last run of a statement (hover_result.go) on its first line;
// elsewhere what the name under the cursor stands for: a table or view (its
// full name, kind, comment and every column, a schema preview), a column
// (type, table, comment), a function (usage and description, from the
// server or the built-in list), a CTE, subquery or alias (what it stands
// for and its columns), a namespace. It waits for the catalog at most the
// cache's budget.

// maxHoverColumns bounds the columns a table's hover lists.
const maxHoverColumns = 300

// HoverAt is the Markdown for the name at byte offset off of text and the
// span it is about; ok is false when there is nothing to say.
func HoverAt(ctx context.Context, cache *schema.Cache, text string, off int, opt HoverOptions) (md string, span sqltext.Span, ok bool) {
	if st, ok := sqltext.PipeStepAt(text, off); ok {
		ctx, cancel := lookupCtx(ctx)
		defer cancel()
		md := pipeMarkdown(ctx, newCatalogView(cache, false, text, off), st)
		if st.OpSpan.Start <= off && off <= st.OpSpan.End && st.OpSpan.End > 0 {
			return md, st.OpSpan, true
		}
		return md, st.Span, true
	}
	if t, ok := paramAt(text, off); ok {
		return paramMarkdown(t), sqltext.Span{Start: t.Start, End: t.End}, true
	}
	if _, _, use := sqltext.CurrentNamespace(text, off); use {
		opt.Analyzer = nil // Spark would analyse in the session's namespace, not the USE's
	}
	tok, follow, next, found := nameAt(text, off)
	if !found {
		return selectItemMarkdown(ctx, text, off, opt)
	}
	ctx, cancel := lookupCtx(ctx)
	defer cancel()
	h := &hoverer{ctx: ctx, c: sqltext.At(text, tok.End), v: newCatalogView(cache, false, text, tok.End), text: text, tok: tok, opt: opt}
	bindIdentifiers(&h.c.Scope, opt.Params)
	h.name = unquoteToken(tok)
	md = h.markdown(follow, next)
	if md == "" {
		parts := append(append(append([]string(nil), h.c.Qualifier...), h.name), follow...)
		md = scriptHover(text, tok.End, h.c.Statement.Start, parts, len(h.c.Qualifier), opt.SessionVars)
	}
	if md == "" {
		return selectItemMarkdown(ctx, text, off, opt)
	}
	return md, sqltext.Span{Start: tok.Start, End: tok.End}, true
}

type hoverer struct {
	ctx  context.Context
	c    sqltext.Context // at the end of the name
	v    *catalogView
	text string
	tok  sqltext.Token
	name string
	opt  HoverOptions
}

// markdown decides what the name is. follow are the name parts after it
// (a.b.c with the cursor on a: [b c]); next is the token after those.
func (h *hoverer) markdown(follow []string, next sqltext.Token) string {
	if next.Is("(") && len(follow) == 0 {
		if f, ok := lookupFunction(h.v.snap, h.name); ok {
			return functionMarkdown(f)
		}
	}
	parts := append(append(append([]string(nil), h.c.Qualifier...), h.name), follow...)
	at := len(h.c.Qualifier) // the index of the hovered part
	switch h.c.Expect {
	case sqltext.ExpectTable, sqltext.ExpectNamespace, sqltext.ExpectCatalog:
		return h.objectName(parts, at)
	case sqltext.ExpectColumn:
		return h.expression(parts, at)
	}
	return h.definition()
}

// objectName is a name in FROM (or after USE, DESCRIBE...): a table or
// view, a CTE, or, for the leading parts, a namespace or catalog.
func (h *hoverer) objectName(parts []string, at int) string {
	n := len(parts)
	if h.c.Expect == sqltext.ExpectNamespace {
		cat, ns := h.v.cat, strings.Join(parts, ".")
		if n > 1 {
			cat, ns = parts[0], strings.Join(parts[1:], ".")
		}
		if at == 0 && n > 1 {
			return h.catalogMarkdown(parts[0])
		}
		return h.namespace(cat, ns)
	}
	if h.c.Expect == sqltext.ExpectCatalog {
		return h.catalogMarkdown(parts[at])
	}
	switch {
	case at == n-1 && n == 1:
		for _, d := range h.c.Scope.CTEs {
			if strings.EqualFold(d.Name, parts[0]) {
				return h.cteMarkdown(d)
			}
		}
	case at == n-2:
		cat := h.v.cat
		if n == 3 {
			cat = parts[0]
		}
		return h.namespace(cat, parts[at])
	case at < n-2:
		return h.catalogMarkdown(parts[0])
	}
	if t := h.v.table(h.ctx, h.v.qualify(parts), true); t != nil {
		return tableMarkdown(t, maxHoverColumns)
	}
	return ""
}

// expression is a name in an expression: a column, a qualifier (alias,
// table or CTE name), or a struct field (not described).
func (h *hoverer) expression(parts []string, at int) string {
	if at < len(parts)-1 {
		if at == 0 {
			if r, ok := h.c.Scope.Lookup(parts[0]); ok {
				return h.refMarkdown(r)
			}
		}
		return ""
	}
	if at == 0 {
		for _, r := range h.c.Scope.Tables {
			for _, col := range h.v.refColumns(h.ctx, r, true) {
				if strings.EqualFold(col.Name, h.name) {
					return h.columnOf(r, col)
				}
			}
		}
		if r, ok := h.c.Scope.Lookup(h.name); ok {
			return h.refMarkdown(r) // a table or alias used alone (t.* , struct(t))
		}
		for _, a := range h.c.Scope.Aliases {
			if strings.EqualFold(a, h.name) {
				return fmt.Sprintf("%s — column alias of an earlier item of this SELECT list (a lateral column alias)\n", mdCode(a))
			}
		}
		return ""
	}
	if r, ok := h.c.Scope.Lookup(parts[at-1]); ok && at == 1 {
		for _, col := range h.v.refColumns(h.ctx, r, true) {
			if strings.EqualFold(col.Name, h.name) {
				return h.columnOf(r, col)
			}
		}
	}
	// A field of a struct column, possibly through array elements:
	// address.geo.lat, lines[0].sku.
	if col, rest := structColumn(h.ctx, h.v, h.c.Scope, parts[:at+1]); col != nil && len(rest) > 0 {
		if typ, ok := pathType(col.Type, rest); ok {
			return fmt.Sprintf("%s — field · %s\n\nof column %s\n", mdCode(h.name), mdCode(typ), mdCode(col.Name))
		}
	}
	return ""
}

// definition is a name where a new one is made: a CTE's or an alias.
func (h *hoverer) definition() string {
	for _, d := range h.c.Scope.CTEs {
		if d.Span.Start == h.tok.Start {
			return h.cteMarkdown(d)
		}
	}
	// The alias being "typed" at the end of the name is not in the scope
	// yet: read the scope as if the cursor stood after a blank.
	st := h.c.Statement
	if st.Start > h.tok.Start {
		return ""
	}
	st.End = max(st.End, h.tok.End)
	stmt := h.text[st.Start:h.tok.End] + " " + h.text[h.tok.End:st.End]
	sc := sqltext.At(stmt, h.tok.End-st.Start+1).Scope
	for _, r := range sc.Tables {
		if r.AliasSpan.Start+st.Start == h.tok.Start && r.AliasSpan.End > r.AliasSpan.Start {
			return h.refMarkdown(r)
		}
	}
	return ""
}

func (h *hoverer) columnOf(r sqltext.TableRef, col refColumn) string {
	if col.Col != nil {
		return columnMarkdown(col.Col, col.Table)
	}
	return fmt.Sprintf("%s — column of %s\n", mdCode(col.Name), refTitle(r))
}

// refMarkdown describes a reference of FROM: an alias and what it stands
// for, with its columns.
func (h *hoverer) refMarkdown(r sqltext.TableRef) string {
	var b strings.Builder
	if r.Alias != "" {
		fmt.Fprintf(&b, "%s — alias of %s\n\n", mdCode(r.Alias), refTitle(r))
	}
	switch r.Kind {
	case sqltext.RefTable:
		if t := h.v.table(h.ctx, h.v.qualify(r.Name), true); t != nil {
			b.WriteString(tableMarkdown(t, maxHoverColumns))
			return b.String()
		}
		if b.Len() == 0 {
			return ""
		}
		fmt.Fprintf(&b, "_%s is not in the catalog cache_\n", mdCode(strings.Join(r.Name, ".")))
		return b.String()
	case sqltext.RefCTE:
		for _, d := range h.c.Scope.CTEs {
			if len(r.Name) == 1 && strings.EqualFold(d.Name, r.Name[0]) {
				b.WriteString(h.cteMarkdown(d))
				return b.String()
			}
		}
	}
	if b.Len() == 0 {
		fmt.Fprintf(&b, "%s\n\n", refTitle(r))
	}
	if cols, ok := h.subqueryColumns(r); ok {
		b.WriteString(columnList(cols) + analyzedNote)
		return b.String()
	}
	b.WriteString(columnList(dedupe(h.v.refColumns(h.ctx, r, false))))
	return b.String()
}

// cteColumns are the columns of a CTE: its own, then those of the catalog
// tables its SELECT * reads.
func (h *hoverer) cteColumns(d sqltext.CTE) []refColumn {
	return dedupe(h.v.refColumns(h.ctx, sqltext.TableRef{Kind: sqltext.RefCTE, Columns: d.Columns, Star: d.Star, Sources: d.Sources}, false))
}

func (h *hoverer) namespace(cat, ns string) string {
	if n := h.v.snap.Namespace(cat, ns); n != nil {
		return namespaceMarkdown(n)
	}
	return ""
}

func (h *hoverer) catalogMarkdown(name string) string {
	c := h.v.snap.Catalog(name)
	if c == nil {
		return ""
	}
	md := fmt.Sprintf("%s — catalog · %d namespaces\n", mdCode(c.Name), len(c.Namespaces))
	if c.Comment != "" {
		md += "\n" + mdText(c.Comment) + "\n"
	}
	return md
}

// refTitle names a reference: table `sales.orders`, CTE `a`, subquery.
func refTitle(r sqltext.TableRef) string {
	name := mdCode(strings.Join(r.Name, "."))
	switch r.Kind {
	case sqltext.RefTable:
		return "table " + name
	case sqltext.RefCTE:
		return "CTE " + name
	case sqltext.RefTVF:
		return "table function " + name
	case sqltext.RefLateralView:
		return "lateral view"
	case sqltext.RefPipe:
		return "the previous pipe step"
	}
	return "subquery"
}

// ---------------------------------------------------------------------------
// Finding the name under the cursor.

// nameAt finds the name token around off (the character at off, else the
// one just before it), the name parts that follow it after dots, and the
// token after those.
func nameAt(text string, off int) (tok sqltext.Token, follow []string, next sqltext.Token, ok bool) {
	off = min(max(off, 0), len(text))
	// Lex a window of the line around the cursor: names never span lines
	// (but a quoted one might; the window then misses it, harmlessly).
	lo, hi := off, off
	for lo > 0 && text[lo-1] != '\n' && off-lo < 4096 {
		lo--
	}
	for hi < len(text) && text[hi] != '\n' && hi-off < 4096 {
		hi++
	}
	toks := sqltext.Lex(text[lo:hi])
	i := -1
	for k, t := range toks {
		t.Start, t.End = t.Start+lo, t.End+lo
		toks[k] = t
		if (t.Kind == sqltext.Ident || t.Kind == sqltext.QuotedIdent) && t.Start <= off && (off < t.End || off == t.End && i < 0) {
			i = k
		}
	}
	if i < 0 {
		return tok, nil, next, false
	}
	tok = toks[i]
	j := i + 1
	for j+1 < len(toks) && toks[j].Is(".") && (toks[j+1].Kind == sqltext.Ident || toks[j+1].Kind == sqltext.QuotedIdent) {
		follow = append(follow, unquoteToken(toks[j+1]))
		j += 2
	}
	for ; j < len(toks); j++ {
		if toks[j].Kind != sqltext.Comment {
			next = toks[j]
			break
		}
	}
	return tok, follow, next, true
}

// unquoteToken is a name token's name: backquotes removed.
func unquoteToken(t sqltext.Token) string {
	if t.Kind != sqltext.QuotedIdent {
		return t.Text
	}
	s := strings.TrimPrefix(t.Text, "`")
	if !t.Unterminated {
		s = strings.TrimSuffix(s, "`")
	}
	return strings.ReplaceAll(s, "``", "`")
}

// ---------------------------------------------------------------------------
// Markdown.

// mdCode is a name in inline code, with a fence its backquotes cannot end.
func mdCode(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdText is free text (a comment) on its own lines, kept from turning into
// Markdown structure.
func mdText(s string) string {
	return MDEscape(strings.TrimSpace(s))
}

// tableMarkdown is a table's hover: name, kind, comment and its columns.
func tableMarkdown(t *schema.Table, maxCols int) string {
	var b strings.Builder
	r := t.Ref()
	fmt.Fprintf(&b, "%s — %s\n", mdCode(quoteParts(r.Catalog, r.Namespace, r.Table)), kindName(t.Kind))
	if t.Comment != "" {
		fmt.Fprintf(&b, "\n%s\n", mdText(t.Comment))
	}
	if !t.ColumnsLoaded() {
		b.WriteString("\n_columns not loaded yet_\n")
		return b.String()
	}
	if len(t.Columns) == 0 {
		b.WriteString("\n_no columns_\n")
		return b.String()
	}
	b.WriteString("\n| column | type | nullable | comment |\n| --- | --- | --- | --- |\n")
	for i, c := range t.Columns {
		if i == maxCols {
			fmt.Fprintf(&b, "\n_… %d more columns_\n", len(t.Columns)-maxCols)
			break
		}
		null := "no"
		if c.Nullable {
			null = "yes"
		}
		comment := MDCell(c.Comment)
		if c.Partition {
			comment = strings.TrimSuffix("*partition* · "+comment, " · ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", MDCell(c.Name), MDCell(c.Type), null, comment)
	}
	if t.NoColumnComments {
		b.WriteString("\n_column comments not loaded_\n")
	}
	return b.String()
}

// columnMarkdown is a catalog column's hover.
func columnMarkdown(c *schema.Column, t *schema.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", mdCode(c.Name), mdCode(c.Type))
	if !c.Nullable {
		b.WriteString(" · NOT NULL")
	}
	if c.Partition {
		b.WriteString(" · partition column")
	}
	b.WriteString("\n")
	if t != nil {
		r := t.Ref()
		fmt.Fprintf(&b, "\ncolumn of %s %s\n", kindName(t.Kind), mdCode(quoteParts(r.Catalog, r.Namespace, r.Table)))
	}
	if c.Comment != "" {
		fmt.Fprintf(&b, "\n%s\n", mdText(c.Comment))
	}
	return b.String()
}

// columnList lists columns known by name (and type, for catalog ones).
func columnList(cols []refColumn) string {
	if len(cols) == 0 {
		return "_columns not known_\n"
	}
	var parts []string
	for _, c := range cols {
		if c.Col != nil {
			parts = append(parts, mdCode(c.Name)+" "+c.Col.Type)
		} else {
			parts = append(parts, mdCode(c.Name))
		}
	}
	return "columns: " + strings.Join(parts, ", ") + "\n"
}

// cteMarkdown is a CTE's hover: its name and columns (cols when resolved,
// else the ones its text names).
func cteMarkdown(d sqltext.CTE, cols []refColumn) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — common table expression\n\n", mdCode(d.Name))
	if cols == nil {
		for _, c := range d.Columns {
			cols = append(cols, refColumn{Name: c})
		}
	}
	b.WriteString(columnList(cols))
	if d.Star && len(d.Sources) == 0 {
		b.WriteString("\n_and more columns, from a SELECT * this text cannot see_\n")
	}
	return b.String()
}

// namespaceMarkdown is a namespace's hover.
func namespaceMarkdown(n *schema.Namespace) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — namespace", mdCode(n.Catalog+"."+n.Name))
	if n.TablesLoaded() {
		fmt.Fprintf(&b, " · %d tables and views", len(n.Tables))
	}
	b.WriteString("\n")
	if n.Comment != "" {
		fmt.Fprintf(&b, "\n%s\n", mdText(n.Comment))
	}
	return b.String()
}

// functionMarkdown is a function's hover: usage, description, arguments,
// an example.
func functionMarkdown(f fnInfo) string {
	var b strings.Builder
	kind := "function"
	if f.udf {
		kind = "user-defined function"
	}
	sig := callForm(f.usage, f.name)
	if sig == "" {
		sig = f.usage
	}
	if sig == "" {
		sig = f.name
	}
	fmt.Fprintf(&b, "```sql\n%s\n```\n%s\n", sig, kind)
	if f.description != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(f.description))
	}
	if f.arguments != "" {
		fmt.Fprintf(&b, "\n**Arguments**\n\n%s\n", strings.TrimSpace(f.arguments))
	}
	if f.examples != "" {
		fmt.Fprintf(&b, "\n**Example**\n\n%s", MDFence(f.examples))
	}
	return b.String()
}

// pipeMarkdown describes a pipe step (hover over its |>): the columns that
// flow in and those it produces, with types where the catalog has them.
func pipeMarkdown(ctx context.Context, v *catalogView, st sqltext.PipeStep) string {
	var b strings.Builder
	op := "|>"
	if st.Op != "" {
		op += " " + st.Op
	}
	fmt.Fprintf(&b, "%s — pipe step\n\n", mdCode(op))
	b.WriteString("in " + columnList(dedupe(v.refColumns(ctx, st.In, false))))
	b.WriteString("\nout " + columnList(dedupe(v.refColumns(ctx, st.Out, false))))
	return b.String()
}

// paramAt finds the parameter marker (:name or ?) at off.
func paramAt(text string, off int) (sqltext.Token, bool) {
	st := sqltext.At(text, off).Statement
	if st.Start > off || off > st.End {
		return sqltext.Token{}, false
	}
	for _, t := range sqltext.Lex(text[st.Start:st.End]) {
		t.Start, t.End = t.Start+st.Start, t.End+st.Start
		if t.Kind == sqltext.Param && t.Start <= off && off <= t.End {
			return t, true
		}
	}
	return sqltext.Token{}, false
}

func paramMarkdown(t sqltext.Token) string {
	if t.Text == "?" {
		return "`?` — positional parameter marker\n\nA run binds it to the next value: `sparkls run FILE --param VALUE`, or `\"params\": {\"1\": …}` of `sparkls.run`. Spark does not mix `?` and `:name` in one statement.\n"
	}
	name := strings.TrimPrefix(t.Text, ":")
	return fmt.Sprintf("%s — named parameter marker\n\nA run binds it: `sparkls run FILE --param %s=VALUE`, or `\"params\": {\"%s\": …}` of `sparkls.run`.\n", mdCode(t.Text), name, name)
}
