package sqltext

import "strings"

// RefKind is what a [TableRef] refers to.
type RefKind uint8

const (
	// RefTable is a table or view of the catalog.
	RefTable RefKind = iota
	// RefCTE is a common table expression of an enclosing WITH.
	RefCTE
	// RefSubquery is a parenthesized query in FROM.
	RefSubquery
	// RefTVF is a table-valued function in FROM: range(10), explode(…).
	RefTVF
	// RefLateralView is a LATERAL VIEW generator.
	RefLateralView
	// RefPipe is the result of the step before a pipe operator (|>).
	RefPipe
)

var refKindNames = [...]string{
	RefTable: "Table", RefCTE: "CTE", RefSubquery: "Subquery", RefTVF: "TVF", RefLateralView: "LateralView", RefPipe: "Pipe",
}

func (k RefKind) String() string {
	if int(k) < len(refKindNames) {
		return refKindNames[k]
	}
	return "RefKind(?)"
}

// Scope is what names mean at a cursor: the table references of the
// innermost query around it, then those of enclosing queries that a
// correlated subquery can see, and the CTEs in effect.
type Scope struct {
	// Tables are in ranking order: the innermost query's FROM first (in
	// source order, including text after the cursor), then each enclosing
	// query's (see TableRef.Outer).
	Tables []TableRef
	// CTEs are those visible at the cursor, innermost WITH first. A CTE
	// body sees only the CTEs before it (and itself under RECURSIVE).
	CTEs []CTE
	// Aliases are the names the SELECT list gives its items before the
	// cursor's item, when the cursor is in that list: Spark (3.4+) lets a
	// later item use them (SELECT a + 1 AS b, b * 2), a lateral column
	// alias.
	Aliases []string
}

// TableRef is one reference in a FROM clause (or the target of a DML
// statement).
type TableRef struct {
	Kind RefKind
	// Name holds the unquoted parts of a table, CTE or function name; it
	// is empty for a subquery.
	Name []string
	// Alias is the unquoted alias, or "".
	Alias string
	// Span is the reference in the source: the name, or the parenthesized
	// subquery. AliasSpan is the alias, or zero.
	Span, AliasSpan Span
	// Columns are the columns the reference provides when this package can
	// tell without the catalog: a CTE's, a subquery's, a lateral view's or
	// a well-known table function's, or an alias column list's (t AS x(a,
	// b)). They are empty for a catalog table.
	Columns []string
	// Star reports that the reference also has every column of each of
	// Sources, catalog tables whose columns only the caller knows (from
	// SELECT * over them). Star with no Sources means some columns are not
	// known at all.
	Star    bool
	Sources []TableRef
	// Outer is 0 for the innermost query's own FROM, 1 for the query
	// around it, and so on.
	Outer int
	// Param is the parameter marker's name of IDENTIFIER(:name), whose
	// value names the table (Name is then empty); IDENTIFIER('db.t') is
	// a plain table reference.
	Param string
}

// CTE is a common table expression.
type CTE struct {
	Name string
	// Columns, Star and Sources are as in [TableRef]; an explicit column
	// list wins over the body's SELECT list.
	Columns  []string
	Star     bool
	Sources  []TableRef
	Span     Span // the name in the WITH list
	BodySpan Span // inside the body's parentheses
	// With is where the WITH of its list starts; BodyClosed says a ')'
	// ends the body (at BodySpan.End).
	With       int
	BodyClosed bool
}

// Lookup finds the table a qualifier names, case-insensitively: an alias
// first, then a table's or CTE's name (its last part), in the innermost
// query before enclosing ones, as Spark resolves them.
func (s Scope) Lookup(name string) (TableRef, bool) {
	for i := 0; i < len(s.Tables); {
		j := i
		for j < len(s.Tables) && s.Tables[j].Outer == s.Tables[i].Outer {
			j++
		}
		level := s.Tables[i:j]
		for _, t := range level {
			if t.Alias != "" && strings.EqualFold(t.Alias, name) {
				return t, true
			}
		}
		for _, t := range level {
			if len(t.Name) > 0 && strings.EqualFold(t.Name[len(t.Name)-1], name) {
				return t, true
			}
		}
		i = j
	}
	return TableRef{}, false
}

// scoped is a reference visible at the cursor and how far out it is.
type scoped struct {
	r     *ref
	outer int
}

// cursorQuery returns the innermost query holding the cursor.
func (a *analysis) cursorQuery() *qnode {
	var path []int
	for o := 0; o < a.name; o++ {
		if a.toks[o].Is("(") && a.holdsCursor(o) {
			path = append(path, o)
		}
	}
	if len(path) > maxDepth {
		path = path[len(path)-maxDepth:]
	}
	q := a.root
	for _, o := range path {
		if sq, ok := a.queries[o]; ok {
			q = sq
		} else if a.groupKind(o) == gQuery {
			q = a.subquery(o, q, a.linkFor(o))
		}
	}
	return q
}

// holdsCursor reports whether the group opened at o contains the cursor.
func (a *analysis) holdsCursor(o int) bool {
	e := a.end[o]
	return o < a.name && (a.cur < e || a.cur == e && a.word != e)
}

// innermost returns the innermost group holding the cursor, or -1.
func (a *analysis) innermost() int {
	g := -1
	for o := 0; o < a.name; o++ {
		if a.toks[o].Is("(") && a.holdsCursor(o) {
			g = o
		}
	}
	return g
}

func (a *analysis) linkFor(o int) linkKind {
	if o == 0 {
		return linkNested
	}
	switch kwOf(a.toks[o-1]) {
	case "LATERAL":
		return linkLateral
	case "FROM", "JOIN":
		return linkDerived
	case "AS":
		if a.inWith(o - 1) {
			return linkCTE
		}
	case "":
		if a.toks[o-1].Is(",") && a.inClause(o-1, "FROM") {
			return linkDerived
		}
	}
	return linkNested
}

// coreAt returns the core of q that holds token index i.
func coreAt(q *qnode, i int) *core {
	if q == nil || len(q.cores) == 0 {
		return nil
	}
	best := q.cores[0]
	for _, c := range q.cores {
		if c.lo <= i {
			best = c
		}
	}
	return best
}

// visible returns the references in scope at the cursor and the innermost
// query.
func (a *analysis) visible() ([]scoped, *qnode) {
	inner := a.cursorQuery()
	var out []scoped
	// The reference being typed (cat.db.| or ord|) is not in scope yet.
	typing := Span{a.off, a.off}
	if a.name < len(a.toks) && a.toks[a.name].Start < a.off {
		typing.Start = a.toks[a.name].Start
	}
	if !a.typing {
		typing = Span{-1, -1}
	}
	q, c, outer := inner, coreAt(inner, a.name), 0
	for q != nil {
		if c != nil && len(c.refs) > 0 {
			for _, r := range c.refs {
				if r.span.Start <= typing.End && typing.Start <= r.span.End {
					continue
				}
				out = append(out, scoped{r, outer})
			}
			outer++
		}
		switch q.link {
		case linkNested, linkLateral, linkParen:
		default:
			return out, inner
		}
		if q.parent == nil {
			break
		}
		c = coreAt(q.parent, q.open)
		q = q.parent
	}
	return out, inner
}

// visibleCTEs returns the CTEs visible in q, innermost WITH first.
func visibleCTEs(q *qnode) []*cteDef {
	var out []*cteDef
	var child *qnode
	for p := q; p != nil; child, p = p, p.parent {
		lim := len(p.ctes)
		if child != nil && child.link == linkCTE && child.cte != nil && child.cte.q == p {
			lim = child.cte.index
			if p.recursive {
				lim++
			}
		}
		out = append(out, p.ctes[:lim]...)
	}
	return out
}

// resolve makes a one-part table name that a visible CTE defines a CTE
// reference.
func (a *analysis) resolve(r *ref) {
	if r.kind != RefTable || len(r.name) != 1 || r.c == nil {
		return
	}
	if d := lookupCTE(r.c.q, r.name[0]); d != nil {
		r.kind, r.cte = RefCTE, d
	}
}

// lookupCTE finds the CTE that name refers to in q, walking out through
// the enclosing WITH lists as visibleCTEs does, by map rather than by scan.
func lookupCTE(q *qnode, name string) *cteDef {
	key := strings.ToLower(name)
	var child *qnode
	for p := q; p != nil; child, p = p, p.parent {
		if len(p.ctes) == 0 {
			continue
		}
		lim := len(p.ctes)
		if child != nil && child.link == linkCTE && child.cte != nil && child.cte.q == p {
			lim = child.cte.index
			if p.recursive {
				lim++
			}
		}
		if p.cteIndex == nil {
			p.cteIndex = make(map[string]int, len(p.ctes))
			for i, d := range p.ctes {
				k := strings.ToLower(d.name)
				if _, dup := p.cteIndex[k]; !dup {
					p.cteIndex[k] = i
				}
			}
		}
		if i, ok := p.cteIndex[key]; ok && i < lim {
			return p.ctes[i]
		}
	}
	return nil
}

// refCols returns the columns a reference provides.
func (a *analysis) refCols(r *ref) outCols {
	a.resolve(r)
	if r.hasColAlias {
		return outCols{cols: r.colAlias}
	}
	switch r.kind {
	case RefCTE:
		return a.cteCols(r.cte)
	case RefSubquery:
		return a.queryCols(r.sub)
	case RefTVF, RefLateralView:
		if r.fnKnown {
			return outCols{cols: r.fn}
		}
	case RefPipe:
		return a.pipeInput(r)
	}
	return outCols{star: true, sources: []*ref{r}}
}

func (a *analysis) cteCols(d *cteDef) outCols {
	if d.hasCols {
		return outCols{cols: d.cols}
	}
	if d.body == nil {
		return outCols{}
	}
	return a.queryCols(d.body)
}

// queryCols returns the columns a query returns, from its first core:
// named SELECT items, and * expanded where the sources are known here.
func (a *analysis) queryCols(q *qnode) outCols {
	if q.out != nil {
		return *q.out
	}
	if q.busy {
		return outCols{star: true} // a cycle, as in a recursive CTE's SELECT *
	}
	q.busy = true
	out := a.queryColsOf(q)
	q.busy = false
	q.out = &out
	return out
}

func (a *analysis) queryColsOf(q *qnode) outCols {
	if s := lastStep(q); s != nil {
		return a.stepCols(s)
	}
	var c *core
	for _, k := range q.cores {
		if !k.insertT {
			c = k
			break
		}
	}
	return a.coreCols(c)
}

// coreCols returns the columns of one core of a query.
func (a *analysis) coreCols(c *core) outCols {
	switch {
	case c == nil:
		return outCols{}
	case c.paren != nil:
		return a.queryCols(c.paren)
	case c.values >= 0:
		return a.valuesCols(c)
	case c.sel == -2: // TABLE t
		return a.starCols(c, nil)
	case c.sel < 0:
		return outCols{}
	}
	return a.itemCols(c, a.selectItems(c))
}

func appendNew(dst []*ref, rs ...*ref) []*ref {
next:
	for _, r := range rs {
		for _, d := range dst {
			if d == r {
				continue next
			}
		}
		dst = append(dst, r)
	}
	return dst
}

// starCols expands * (qual nil) or qual.* over the references of c.
func (a *analysis) starCols(c *core, qual []string) outCols {
	var out outCols
	matched := false
	for _, r := range c.refs {
		if qual != nil && !refMatches(r, qual) {
			continue
		}
		matched = true
		s := a.refCols(r)
		out.cols = append(out.cols, s.cols...)
		out.star = out.star || s.star
		out.sources = appendNew(out.sources, s.sources...)
	}
	if !matched {
		out.star = true
	}
	return out
}

// refMatches reports whether qualifier parts name r: its alias, or the end
// of its name.
func refMatches(r *ref, qual []string) bool {
	if len(qual) == 1 && r.alias != "" && strings.EqualFold(r.alias, qual[0]) {
		return true
	}
	if len(qual) > len(r.name) {
		return false
	}
	tail := r.name[len(r.name)-len(qual):]
	for i := range qual {
		if !strings.EqualFold(tail[i], qual[i]) {
			return false
		}
	}
	return true
}

// valuesCols names the columns of VALUES (…), (…) as Spark does: col1, col2, ….
func (a *analysis) valuesCols(c *core) outCols {
	n := 1
	if i := c.values + 1; i < c.hi && a.toks[i].Is("(") {
		for j := i + 1; j < a.end[i]; j = a.next(j) {
			if a.toks[j].Is(",") {
				n++
			}
		}
	}
	var out outCols
	for k := 1; k <= n; k++ {
		out.cols = append(out.cols, colDef{name: "col" + itoa(k)})
	}
	return out
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// item is one SELECT item: a named column, or a star.
type item struct {
	col   colDef
	star  bool
	qual  []string // of qual.*
	alias bool     // named by AS or an alias, not a plain column
}

// selectItems reads the SELECT list of c. Items without a name Spark
// would make up (count(*), a + b) are left out.
func (a *analysis) selectItems(c *core) []item {
	i := c.sel
	for i < c.selEnd && (a.kw(i, "DISTINCT") || a.kw(i, "ALL")) {
		i++
	}
	var out []item
	var idx []int
	for j := i; ; j = a.next(j) {
		if j >= c.selEnd || a.toks[j].Is(",") {
			out = append(out, a.selectItem(idx)...)
			idx = idx[:0]
			if j >= c.selEnd {
				return out
			}
			continue
		}
		idx = append(idx, j)
	}
}

// selectItem names one SELECT item, given the indexes of its tokens at its
// depth.
func (a *analysis) selectItem(idx []int) []item {
	m := len(idx)
	if m == 0 {
		return nil
	}
	tok := func(k int) Token { return a.toks[idx[k]] }
	// *, t.*, db.t.* (and * EXCEPT (…)).
	var qual []string
	for k := 0; k < m; k++ {
		switch t := tok(k); {
		case t.Is("*") && k%2 == 0:
			return []item{{star: true, qual: qual}}
		case k%2 == 0 && isName(t) && k+1 < m && tok(k+1).Is("."):
			qual = append(qual, Unquote(t))
			continue
		case k%2 == 1 && t.Is("."):
			continue
		}
		break
	}
	// expr AS name, expr AS (a, b).
	for k := m - 1; k >= 0; k-- {
		if kwOf(tok(k)) != "AS" {
			continue
		}
		if k+1 >= m {
			return nil
		}
		if t := tok(k + 1); isName(t) {
			return []item{{col: colDef{Unquote(t), a.span(idx[k+1], idx[k+1])}, alias: true}}
		}
		if tok(k + 1).Is("(") {
			var out []item
			for _, d := range a.nameList(idx[k+1]) {
				out = append(out, item{col: d, alias: true})
			}
			return out
		}
		return nil
	}
	last := tok(m - 1)
	if !isName(last) || last.Kind == Ident && notAlias[kwOf(last)] {
		return nil
	}
	name := []item{{col: colDef{Unquote(last), a.span(idx[m-1], idx[m-1])}}}
	// A plain or dotted name: a, t.a, s.f.g.
	plain := true
	for k := 0; k < m; k++ {
		if k%2 == 0 && !isName(tok(k)) || k%2 == 1 && !tok(k).Is(".") {
			plain = false
			break
		}
	}
	if plain && m%2 == 1 {
		return name
	}
	// expr alias: the alias follows the end of an operand.
	prev := tok(m - 2)
	switch {
	case prev.Is(")"), prev.Is("]"), prev.Kind == QuotedIdent:
	case prev.Kind == Number || prev.Kind == String:
		if isIntervalUnit(last.Text) {
			return nil
		}
	case prev.Kind == Ident:
		if kw := kwOf(prev); exprIntro[kw] || notAlias[kw] && kw != "END" && kw != "NULL" &&
			kw != "TRUE" && kw != "FALSE" {
			return nil
		}
	default:
		return nil
	}
	name[0].alias = true
	return name
}

func isIntervalUnit(s string) bool {
	switch strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(s, "s"), "S")) {
	case "YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND":
		return true
	}
	return false
}

// scope exports what is visible at the cursor.
func (a *analysis) scope() Scope {
	refs, inner := a.visible()
	var s Scope
	for _, sr := range refs {
		s.Tables = append(s.Tables, a.export(sr.r, sr.outer))
	}
	for _, d := range visibleCTEs(inner) {
		oc := a.cteCols(d)
		s.CTEs = append(s.CTEs, CTE{
			Name: d.name, Columns: colNames(oc.cols), Star: oc.star, Sources: a.exportSources(oc.sources, nil),
			Span: d.span, BodySpan: d.bodySpan, With: a.toks[d.q.with].Start,
			BodyClosed: d.body != nil && a.end[d.body.open] < len(a.toks) && a.toks[a.end[d.body.open]].Is(")"),
		})
	}
	s.Aliases = a.lateralAliases(inner)
	return s
}

// lateralAliases are the aliases of the SELECT items of the cursor's core
// that end before the item being typed.
func (a *analysis) lateralAliases(q *qnode) []string {
	c := coreAt(q, a.name)
	if c == nil || c.sel < 1 || a.off <= a.toks[c.sel-1].End ||
		c.selEnd < len(a.toks) && a.off > a.toks[c.selEnd].Start {
		return nil
	}
	limit := a.off
	if a.name < len(a.toks) && a.toks[a.name].Start < limit {
		limit = a.toks[a.name].Start
	}
	var out []string
	for _, it := range a.selectItems(c) {
		if it.alias && it.col.span.End < limit {
			out = append(out, it.col.name)
		}
	}
	return out
}

func (a *analysis) export(r *ref, outer int) TableRef {
	a.resolve(r)
	t := TableRef{Kind: r.kind, Name: r.name, Alias: r.alias, Span: r.span, AliasSpan: r.aliasSpan, Outer: outer, Param: r.param}
	if r.kind != RefTable || r.hasColAlias {
		oc := a.refCols(r)
		t.Columns, t.Star, t.Sources = colNames(oc.cols), oc.star, a.exportSources(oc.sources, r)
	}
	return t
}

// exportSources exports the catalog tables behind a star, leaving out self
// (a table function whose columns are unknown is its own source).
func (a *analysis) exportSources(rs []*ref, self *ref) []TableRef {
	var out []TableRef
	for _, r := range rs {
		if r != self {
			out = append(out, TableRef{Kind: r.kind, Name: r.name, Alias: r.alias, Span: r.span, AliasSpan: r.aliasSpan})
		}
	}
	return out
}

func colNames(cs []colDef) []string {
	if len(cs) == 0 {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name
	}
	return out
}
