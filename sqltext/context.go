package sqltext

import (
	"slices"
	"strings"
)

// Span is a byte range [Start, End) of the source.
type Span struct{ Start, End int }

// Context is what the text around a cursor says: what belongs there, the
// word being typed and the names in scope. It is what completion, hover,
// signature help and go-to-definition start from.
type Context struct {
	// Expect is what belongs at the cursor.
	Expect Expect
	// Keywords are keyword hints for the position, best first, such as
	// WHERE, JOIN and GROUP BY after a table reference. They complete, not
	// replace, a caller's general keyword list.
	Keywords []string

	// Prefix is the part of the word under the cursor before the cursor,
	// unquoted; Word is the whole word's span, which a completion replaces
	// (backquotes included when Quoted; an unclosed quoted name ends at the
	// cursor). Word is empty at the cursor when no word is being typed.
	Prefix string
	Word   Span
	Quoted bool
	// Qualifier holds the unquoted parts before a dot: cat.db.| gives
	// [cat db], o.x| gives [o].
	Qualifier []string

	// Call is the innermost function call whose arguments hold the
	// cursor, for signature help, or nil.
	Call *Call

	// Statement is the span of the statement the cursor is in: the text
	// between the semicolons (or cell markers) around it, comments
	// included, trimmed, so it starts after the cursor when the cursor is
	// in blank space before it. It is empty at the cursor if there is none.
	Statement Span
	// Scope is what names mean at the cursor.
	Scope Scope
	// Problems are what the statement leaves open (an unclosed string,
	// comment or parenthesis), for diagnostics.
	Problems []Problem
}

// Call is a function call around the cursor.
type Call struct {
	// Name holds the unquoted parts of the function name, usually one.
	Name []string
	// Span is the function name's span.
	Span Span
	// Arg is the index of the argument the cursor is in, counting top-level
	// commas before it.
	Arg int
}

// At analyses the statement around byte offset (clamped to src) of src. It
// never fails: broken or half-typed SQL gives a best guess. It reads only
// that statement, after a cheap scan of src to find it, so it stays fast on
// large files.
func At(src string, offset int) Context {
	a := analyze(src, offset, true)
	ctx := Context{Word: Span{a.off, a.off}, Problems: a.problems}
	if len(a.all) > 0 {
		ctx.Statement = Span{a.all[0].Start, a.all[len(a.all)-1].End}
	} else {
		ctx.Statement = Span{a.off, a.off}
	}
	var kws []string
	ctx.Expect, kws = a.expect()
	ctx.Keywords = slices.Clone(kws) // the tables are shared
	ctx.Scope = a.scope()
	if a.literal {
		return ctx
	}
	ctx.Qualifier = a.qual
	if a.word >= 0 {
		t := a.toks[a.word]
		ctx.Word = Span{t.Start, t.End}
		if t.Unterminated {
			ctx.Word.End = a.off // it runs to the end of the text
		}
		if t.Kind == QuotedIdent {
			ctx.Quoted = true
			end := a.off
			if !t.Unterminated && end == t.End {
				end--
			}
			ctx.Prefix = strings.ReplaceAll(src[t.Start+1:max(end, t.Start+1)], "``", "`")
		} else {
			ctx.Prefix = src[t.Start:a.off]
		}
	}
	ctx.Call = a.call()
	return ctx
}

// call finds the innermost call whose parentheses hold the cursor, looking
// through parenthesized expressions (f((a + |))) but not subqueries.
func (a *analysis) call() *Call {
	for o := a.innermost(); o >= 0; o = a.enc[o] {
		switch a.groupKind(o) {
		case gCall:
			arg := 0
			for j := o + 1; j < a.name; j = a.next(j) {
				if a.toks[j].Is(",") {
					arg++
				}
			}
			first := o - 1
			for first >= 2 && a.toks[first-1].Is(".") && isName(a.toks[first-2]) {
				first -= 2
			}
			parts, _, sp := a.nameAt(first, o)
			return &Call{Name: parts, Span: sp, Arg: arg}
		case gExpr, gWindow, gFilter:
			continue
		}
		return nil
	}
	return nil
}

// Definition finds where the name at offset is defined in the same
// statement: an alias or table used as a qualifier (o.x) goes to its
// reference in FROM, a CTE name to the CTE, a column of a CTE, subquery or
// lateral view to where its SELECT list or column list names it. ok is
// false for names defined elsewhere (catalog tables and their columns).
func Definition(src string, offset int) (span Span, ok bool) {
	a := analyze(src, offset, false)
	if a.literal {
		return Span{}, false
	}
	i := -1
	for k, t := range a.toks {
		if t.Start > a.off {
			break
		}
		if isName(t) && a.off <= t.End {
			i = k
			if a.off < t.End {
				break
			}
		}
	}
	if i < 0 {
		return Span{}, false
	}
	return a.definition(i)
}

func (a *analysis) definition(i int) (Span, bool) {
	refs, inner := a.visible()
	sp := a.span(i, i)
	queries := []*qnode{a.root}
	for _, q := range a.queries {
		queries = append(queries, q)
	}
	// The name is itself a definition, or a table reference in FROM.
	for _, q := range queries {
		for _, d := range q.ctes {
			if d.span == sp {
				return sp, true
			}
		}
		for _, c := range q.cores {
			for _, r := range c.refs {
				if r.aliasSpan == sp {
					return sp, true
				}
				for _, d := range r.colAlias {
					if d.span == sp {
						return sp, true
					}
				}
				if r.kind != RefSubquery && r.span.Start <= sp.Start && sp.End <= r.span.End {
					a.resolve(r)
					if r.kind == RefCTE {
						return r.cte.span, true
					}
					return Span{}, false
				}
			}
		}
	}
	// A use in an expression.
	first, last := i, i
	for first >= 2 && a.toks[first-1].Is(".") && isName(a.toks[first-2]) {
		first -= 2
	}
	for last+2 < len(a.toks) && a.toks[last+1].Is(".") && isName(a.toks[last+2]) {
		last += 2
	}
	var parts []string
	for k := first; k <= last; k += 2 {
		parts = append(parts, Unquote(a.toks[k]))
	}
	pos := (i - first) / 2
	if pos < len(parts)-1 { // a qualifier
		if r := lookupRef(refs, parts[:pos+1]); r != nil {
			return a.refDef(r), true
		}
		return Span{}, false
	}
	name := parts[pos]
	if pos > 0 { // a column of a qualifier
		if r := lookupRef(refs, parts[:pos]); r != nil {
			return a.columnDef(r, name)
		}
		return Span{}, false
	}
	for _, sr := range refs {
		if d, ok := a.columnDef(sr.r, name); ok {
			return d, true
		}
	}
	if c := coreAt(inner, a.name); c != nil && c.sel >= 0 { // ORDER BY alias
		for _, it := range a.selectItems(c) {
			if !it.star && strings.EqualFold(it.col.name, name) && it.col.span != sp {
				return it.col.span, true
			}
		}
	}
	if r := lookupRef(refs, parts); r != nil {
		return a.refDef(r), true
	}
	for _, d := range visibleCTEs(inner) {
		if strings.EqualFold(d.name, name) {
			return d.span, true
		}
	}
	return Span{}, false
}

// lookupRef is [Scope.Lookup] on the analysis' own references, for
// dotted qualifiers too (db.t matches the end of a table's name).
func lookupRef(refs []scoped, qual []string) *ref {
	for i := 0; i < len(refs); {
		j := i
		for j < len(refs) && refs[j].outer == refs[i].outer {
			j++
		}
		if len(qual) == 1 {
			for _, sr := range refs[i:j] {
				if sr.r.alias != "" && strings.EqualFold(sr.r.alias, qual[0]) {
					return sr.r
				}
			}
		}
		for _, sr := range refs[i:j] {
			if len(sr.r.name) > 0 && refMatches(sr.r, qual) {
				return sr.r
			}
		}
		i = j
	}
	return nil
}

// refDef is where a reference is defined: its alias, else the CTE it
// names, else the reference itself.
func (a *analysis) refDef(r *ref) Span {
	a.resolve(r)
	switch {
	case r.alias != "":
		return r.aliasSpan
	case r.kind == RefCTE:
		return r.cte.span
	}
	return r.span
}

// columnDef finds where r's column name is named, if this statement names it.
func (a *analysis) columnDef(r *ref, name string) (Span, bool) {
	for _, c := range a.refCols(r).cols {
		if c.span.End > 0 && strings.EqualFold(c.name, name) {
			return c.span, true
		}
	}
	return Span{}, false
}

// SelectItem is the SELECT list item around a cursor.
type SelectItem struct {
	Span Span // the item's text
	// Index is its place among the query's output columns, or -1 when a
	// star before it makes that unknown.
	Index int
	// Query is the text of the query whose output it is: the statement,
	// or the content of a subquery's or CTE body's parentheses.
	Query Span
	// Alias is the name the item gives its column, or empty.
	Alias Span
	// Star is set for * and t.* (Qualifier holds t's parts); Query and
	// Index are then not set.
	Star      bool
	Qualifier []string
}

// SelectItemAt finds the SELECT list item that holds byte offset off of
// src, for hover over a derived column or an expression.
func SelectItemAt(src string, off int) (SelectItem, bool) {
	a := analyze(src, off, false)
	if a.literal {
		return SelectItem{}, false
	}
	q := a.cursorQuery()
	c := coreAt(q, a.name)
	if c == nil || c.sel < 1 || c.step != nil || len(q.cores) != 1 {
		return SelectItem{}, false // a set operation's columns are its first core's
	}
	first := c.sel
	for first < c.selEnd && (a.kw(first, "DISTINCT") || a.kw(first, "ALL")) {
		first++
	}
	index, lo := 0, first
	for j := first; ; j = a.next(j) {
		if j < c.selEnd && !a.toks[j].Is(",") {
			continue
		}
		if lo < j {
			sp := Span{a.toks[lo].Start, a.toks[j-1].End}
			items := a.selectItem(a.depthIndexes(lo, j))
			if sp.Start <= off && off <= sp.End {
				it := SelectItem{Span: sp, Index: index}
				switch {
				case len(items) == 1 && items[0].star:
					if a.toks[j-1].Is("*") && !a.kw(j, "EXCEPT") { // not * EXCEPT (…)
						it.Star, it.Qualifier, it.Index = true, items[0].qual, -1
						return it, true
					}
					return SelectItem{}, false
				case len(items) > 1:
					return SelectItem{}, false // AS (a, b)
				case len(items) == 1 && items[0].alias:
					it.Alias = items[0].col.span
				}
				if index >= 0 {
					it.Query = a.querySpan(q)
				}
				return it, it.Query.End > it.Query.Start
			}
			switch {
			case len(items) == 1 && items[0].star || index < 0:
				index = -1
			default:
				index += max(len(items), 1) // AS (a, b) makes two
			}
		}
		if j >= c.selEnd {
			return SelectItem{}, false
		}
		lo = j + 1
	}
}

// depthIndexes are the indexes of the tokens from lo to hi at lo's depth.
func (a *analysis) depthIndexes(lo, hi int) []int {
	var idx []int
	for j := lo; j < hi; j = a.next(j) {
		idx = append(idx, j)
	}
	return idx
}

// querySpan is the text of query q.
func (a *analysis) querySpan(q *qnode) Span {
	if q.open >= 0 {
		return a.content(q.open)
	}
	if q.lo >= len(a.toks) {
		return Span{}
	}
	return Span{a.toks[q.lo].Start, a.toks[len(a.toks)-1].End}
}
