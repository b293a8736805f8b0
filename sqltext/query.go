package sqltext

import "strings"

// This file reads the structure a scope needs out of a statement's tokens:
// queries (the statement and each parenthesized subquery), their CTEs, their
// SELECT cores and the table references in each core's FROM. It is not a
// parser: it looks for keywords at the right depth and skips what it does
// not understand, so half-typed text still yields what can be read.

// linkKind is how a query is embedded in the one around it, which decides
// what it can see of the outer FROM clauses.
type linkKind uint8

const (
	linkStatement linkKind = iota
	linkDerived            // FROM ( … ) t: sees no outer FROM
	linkLateral            // LATERAL ( … ): sees the FROM it is in
	linkCTE                // WITH x AS ( … ): sees earlier CTEs only
	linkNested             // a subquery in an expression: correlated
	linkParen              // ( SELECT … ) UNION …: the same level
)

// qnode is one query: the statement, or the content of a parenthesized
// subquery.
type qnode struct {
	open      int // its '(', or -1 for the statement
	lo, hi    int
	parent    *qnode
	link      linkKind
	cte       *cteDef // for a CTE body, the CTE
	recursive bool
	with      int // the WITH keyword's token, when ctes
	ctes      []*cteDef
	cteIndex  map[string]int // lower-case name to its first index in ctes
	cores     []*core
	out       *outCols // memo of columns()
	busy      bool     // columns() is running: a cycle
}

type cteDef struct {
	q        *qnode // the query whose WITH defines it
	index    int
	name     string
	span     Span
	cols     []colDef // the explicit column list, if hasCols
	hasCols  bool
	body     *qnode // nil while not typed
	bodySpan Span
}

// core is one SELECT (or VALUES, or a DML statement's head) of a query;
// set operators separate cores.
type core struct {
	q       *qnode
	lo, hi  int
	refs    []*ref
	sel     int // first token of the SELECT list, or -1
	selEnd  int
	values  int    // the VALUES keyword of a VALUES core, or -1
	paren   *qnode // the query of a core that is a parenthesized query
	insertT bool   // the head of an INSERT, which returns no columns
	// step is set for a pipe step (|> …); stepOut memoizes its columns.
	step     *pipeStep
	stepOut  *outCols
	stepBusy bool
}

type ref struct {
	kind        RefKind
	name        []string
	span        Span
	alias       string
	aliasSpan   Span
	colAlias    []colDef
	hasColAlias bool
	sub         *qnode
	cte         *cteDef  // set by resolve
	fn          []colDef // columns a known table function returns
	fnKnown     bool
	c           *core
	pipeIn      *core  // for RefPipe: the step before, or nil for the query before |>
	param       string // IDENTIFIER(:name): the parameter that names the table
}

type colDef struct {
	name string
	span Span
}

// outCols are the columns a query or CTE returns: the named ones, and when
// star, all columns of each source too (tables this package cannot see).
type outCols struct {
	cols    []colDef
	star    bool
	sources []*ref
}

func (a *analysis) parseStatement() *qnode {
	root := &qnode{open: -1, lo: a.lo, hi: len(a.toks), link: linkStatement}
	i := a.lo
	for a.kw(i, "EXPLAIN") {
		i++
		for i < len(a.toks) && isExplainMode(a.toks[i]) {
			i++
		}
	}
	root.lo = i
	a.parseBody(root, i)
	return root
}

// subquery returns the query in the group opened at o, parsing it once.
func (a *analysis) subquery(o int, parent *qnode, link linkKind) *qnode {
	if q, ok := a.queries[o]; ok {
		return q
	}
	q := &qnode{open: o, lo: o + 1, hi: a.end[o], parent: parent, link: link}
	a.queries[o] = q
	if a.depth < maxDepth {
		a.depth++
		a.parseBody(q, q.lo)
		a.depth--
	}
	return q
}

func (a *analysis) parseBody(q *qnode, i int) {
	if a.kw(i, "WITH") {
		i = a.parseWith(q, i)
	}
	if i >= q.hi {
		if len(q.cores) == 0 {
			a.newCore(q, i, q.hi)
		}
		return
	}
	switch kwOf(a.toks[i]) {
	case "INSERT":
		a.parseInsert(q, i)
	case "UPDATE", "DELETE", "MERGE":
		a.parseDML(q, i)
	case "CREATE", "CACHE", "REPLACE":
		a.parseCreate(q, i)
	case "ALTER", "ANALYZE", "DESCRIBE", "DESC", "SHOW", "TRUNCATE", "DROP", "REFRESH",
		"MSCK", "REPAIR", "UNCACHE", "COMMENT":
		a.parseTarget(q, i)
	default:
		a.parseCores(q, i)
	}
}

// parseWith reads WITH [RECURSIVE] name [(cols)] [AS] (body) [, …] at i and
// returns the index after it.
func (a *analysis) parseWith(q *qnode, i int) int {
	q.with = i
	i++
	if a.kw(i, "RECURSIVE") {
		q.recursive = true
		i++
	}
	for i < q.hi && isName(a.toks[i]) && !isVerb(a.toks[i]) {
		d := &cteDef{q: q, index: len(q.ctes), name: Unquote(a.toks[i]), span: a.span(i, i)}
		q.ctes = append(q.ctes, d)
		i++
		if i < q.hi && a.toks[i].Is("(") && a.groupKind(i) == gNames {
			d.cols, d.hasCols = a.nameList(i), true
			i = a.next(i)
		}
		if a.kw(i, "AS") {
			i++
		}
		if i >= q.hi || !a.toks[i].Is("(") {
			break
		}
		d.bodySpan = a.content(i)
		d.body = a.subquery(i, q, linkCTE)
		d.body.cte = d
		i = a.next(i)
		if i < q.hi && a.toks[i].Is(",") {
			i++
			continue
		}
		break
	}
	return i
}

// content returns the byte span inside the group opened at o.
func (a *analysis) content(o int) Span {
	start := a.toks[o].End
	e := a.end[o]
	switch {
	case e < len(a.toks) && a.toks[e].Is(")"):
		return Span{start, a.toks[e].Start}
	case e-1 > o:
		return Span{start, a.toks[e-1].End}
	}
	return Span{start, start}
}

// nameList reads the names of a group of comma-separated items (a column
// list, or column definitions whose first token is the name).
func (a *analysis) nameList(o int) []colDef {
	var out []colDef
	first := true
	for i := o + 1; i < a.end[o]; i = a.next(i) {
		t := a.toks[i]
		if t.Is(",") {
			first = true
			continue
		}
		if first && isName(t) {
			out = append(out, colDef{Unquote(t), a.span(i, i)})
		}
		first = false
	}
	return out
}

func (a *analysis) newCore(q *qnode, lo, hi int) *core {
	c := &core{q: q, lo: lo, hi: hi, sel: -1, selEnd: -1, values: -1}
	q.cores = append(q.cores, c)
	return c
}

// parseCores splits a query body at its set operators into cores.
func (a *analysis) parseCores(q *qnode, i int) {
	hi := q.hi
	ps := a.pipes(i, hi)
	if len(ps) > 0 {
		hi = ps[0]
	}
	start := i
	for j := i; j < hi; j = a.next(j) {
		if a.isSetOp(j) {
			a.parseCore(q, start, j)
			start = j + 1
		}
	}
	a.parseCore(q, start, hi)
	a.parsePipes(q, ps)
}

// isSetOp reports whether token j is UNION, INTERSECT, EXCEPT or MINUS
// between queries (not the EXCEPT of SELECT * EXCEPT (…)).
func (a *analysis) isSetOp(j int) bool {
	switch kwOf(a.toks[j]) {
	case "UNION", "INTERSECT", "MINUS":
		return true
	case "EXCEPT":
		return j == 0 || !a.toks[j-1].Is("*")
	}
	return false
}

func (a *analysis) parseCore(q *qnode, lo, hi int) {
	c := a.newCore(q, lo, hi)
	i := lo
	for a.kw(i, "ALL") || a.kw(i, "DISTINCT") {
		i++
	}
	if i < hi && a.toks[i].Is("(") && a.groupKind(i) == gQuery {
		c.paren = a.subquery(i, q, linkParen)
		return
	}
	for j := i; j < hi; {
		switch kwOf(a.toks[j]) {
		case "SELECT":
			if c.sel < 0 {
				c.sel = j + 1
				c.selEnd = a.clauseEnd(j+1, hi, selectEnd)
			}
		case "FROM":
			if !a.distinctFrom(j) {
				end := a.clauseEnd(j+1, hi, fromEnd)
				a.parseFrom(c, j+1, end)
				j = max(end, j+1)
				continue
			}
		case "VALUES":
			if j == i {
				c.values = j
			}
		case "TABLE":
			if j == i {
				if parts, _, sp := a.nameAt(j+1, hi); parts != nil {
					c.refs = append(c.refs, &ref{kind: RefTable, name: parts, span: sp, c: c})
					c.sel, c.selEnd = -2, -2 // TABLE t is SELECT * FROM t
				}
			}
		}
		j = a.next(j)
	}
}

// clauseEnd returns the first index from i at i's depth whose keyword is in
// stop, or hi.
func (a *analysis) clauseEnd(i, hi int, stop map[string]bool) int {
	for ; i < hi; i = a.next(i) {
		if kw := kwOf(a.toks[i]); stop[kw] && !(kw == "FROM" && a.distinctFrom(i)) {
			return i
		}
	}
	return hi
}

// parseFrom reads the table references of a FROM clause, or of a
// parenthesized join inside one.
func (a *analysis) parseFrom(c *core, i, end int) {
	lateral := false
	for i < end {
		t := a.toks[i]
		kw := kwOf(t)
		switch {
		case t.Is(","), a.isJoinWord(i):
			i++
			continue
		case kw == "LATERAL" && a.kw(i+1, "VIEW"):
			i = a.parseLateralView(c, i+2, end)
			continue
		case kw == "LATERAL":
			lateral = true
			i++
			continue
		}
		r, next, ok := a.parsePrimary(c, i, end, lateral)
		lateral = false
		if !ok {
			i = a.next(i)
			continue
		}
		if r != nil {
			c.refs = append(c.refs, r)
		}
		// Skip ON …, USING (…), PIVOT (…) and anything else up to the next
		// reference.
		for i = next; i < end && !a.isFromSep(i); i = a.next(i) {
		}
	}
}

// isJoinWord reports whether token i is part of a join operator. A word
// after '.' or before '(' is a name (t.left, left(s, 1)).
func (a *analysis) isJoinWord(i int) bool {
	return joinWord[kwOf(a.toks[i])] && !(i > 0 && a.toks[i-1].Is(".")) &&
		!(i+1 < len(a.toks) && a.toks[i+1].Is("("))
}

func (a *analysis) isFromSep(i int) bool {
	return a.toks[i].Is(",") || a.isJoinWord(i) || a.kw(i, "LATERAL")
}

// parsePrimary reads one table reference at i: a name, a table function, a
// subquery, or a parenthesized join (whose references go straight into c),
// with its alias. ok is false if there is none at i.
func (a *analysis) parsePrimary(c *core, i, end int, lateral bool) (r *ref, next int, ok bool) {
	t := a.toks[i]
	switch {
	case t.Is("("):
		k := a.groupKind(i)
		if k != gQuery {
			a.parseFrom(c, i+1, a.end[i])
			return nil, a.next(i), true
		}
		link := linkDerived
		if lateral {
			link = linkLateral
		}
		last := min(a.after[i], len(a.toks)) - 1
		r = &ref{kind: RefSubquery, span: a.span(i, max(last, i)), c: c}
		r.sub = a.subquery(i, c.q, link)
		next = a.next(i)
	case isName(t) && !notAlias[kwOf(t)]:
		parts, j, sp := a.nameAt(i, end)
		r = &ref{kind: RefTable, name: parts, span: sp, c: c}
		if name, param, ok := a.identifierClause(i, j); ok {
			r.name, r.param, r.span = name, param, a.span(i, a.end[j])
			next = a.next(j)
			break
		}
		if j < end && a.toks[j].Is("(") {
			r.kind = RefTVF
			r.fn, r.fnKnown = tvfColumns(parts[len(parts)-1], false)
			j = a.next(j)
		}
		next = j
	default:
		return nil, i, false
	}
	return r, a.tableSuffix(r, next, end), true
}

// identifierClause reads IDENTIFIER('db.t') or IDENTIFIER(:name) at i, whose
// '(' is at j: a table named by a constant string or by a parameter. Any
// other argument (an expression, a variable) is not known here.
func (a *analysis) identifierClause(i, j int) (name []string, param string, ok bool) {
	if j != i+1 || !a.toks[i].IsKeyword("IDENTIFIER") || j >= len(a.toks) || !a.toks[j].Is("(") ||
		a.end[j] != j+2 || a.end[j] >= len(a.toks) || !a.toks[a.end[j]].Is(")") {
		return nil, "", false
	}
	switch t := a.toks[j+1]; {
	case t.Kind == String && !t.Unterminated:
		name = SplitName(stringValue(t))
		return name, "", len(name) > 0
	case t.Kind == Param && len(t.Text) > 1 && t.Text[0] == ':':
		return nil, t.Text[1:], true
	}
	return nil, "", false
}

// tableSuffix reads what may follow a table reference before its alias
// (TABLESAMPLE (…), VERSION|TIMESTAMP AS OF x, WITH (options)), then the
// alias and its column list.
func (a *analysis) tableSuffix(r *ref, j, end int) int {
	for j < end {
		switch kwOf(a.toks[j]) {
		case "TABLESAMPLE":
			j++
			if j < end && a.toks[j].Is("(") {
				j = a.next(j)
			}
			continue
		case "VERSION", "TIMESTAMP":
			if a.kw(j+1, "AS") && a.kw(j+2, "OF") {
				j = min(j+4, end)
				continue
			}
		case "FOR":
			if a.kw(j+2, "AS") && a.kw(j+3, "OF") {
				j = min(j+5, end)
				continue
			}
		case "WITH", "PIVOT", "UNPIVOT":
			// WITH (options); PIVOT (…) whose alias follows.
			if j+1 < end && a.toks[j+1].Is("(") {
				j = a.next(j + 1)
				continue
			}
		}
		break
	}
	if a.kw(j, "AS") {
		j++
	} else if j >= end || !isName(a.toks[j]) || notAlias[kwOf(a.toks[j])] {
		return j
	}
	// A word being typed after a table is more likely a keyword (WHERE,
	// JOIN) than an alias.
	if j >= end || !isName(a.toks[j]) || a.typing && j == a.word && !a.kw(j-1, "AS") {
		return j
	}
	r.alias, r.aliasSpan = Unquote(a.toks[j]), a.span(j, j)
	j++
	if j < end && a.toks[j].Is("(") {
		r.colAlias, r.hasColAlias = a.nameList(j), true
		j = a.next(j)
	}
	return j
}

// parseLateralView reads [OUTER] f(…) alias [AS] c1, c2 after LATERAL VIEW.
func (a *analysis) parseLateralView(c *core, i, end int) int {
	if a.kw(i, "OUTER") {
		i++
	}
	parts, j, sp := a.nameAt(i, end)
	if parts == nil {
		return i
	}
	r := &ref{kind: RefLateralView, name: parts, span: sp, c: c}
	r.fn, r.fnKnown = tvfColumns(parts[len(parts)-1], true)
	if j < end && a.toks[j].Is("(") {
		j = a.next(j)
	}
	if j < end && isName(a.toks[j]) && !notAlias[kwOf(a.toks[j])] {
		r.alias, r.aliasSpan = Unquote(a.toks[j]), a.span(j, j)
		j++
	}
	if a.kw(j, "AS") {
		j++
	}
	for j < end && isName(a.toks[j]) && !notAlias[kwOf(a.toks[j])] {
		r.colAlias = append(r.colAlias, colDef{Unquote(a.toks[j]), a.span(j, j)})
		r.hasColAlias = true
		j++
		if j+1 < end && a.toks[j].Is(",") && isName(a.toks[j+1]) {
			j++
			continue
		}
		break
	}
	c.refs = append(c.refs, r)
	return j
}

// tvfColumns returns the columns of the generator and table functions whose
// output names Spark fixes.
func tvfColumns(fn string, lateral bool) ([]colDef, bool) {
	var names []string
	switch strings.ToLower(fn) {
	case "range":
		if !lateral {
			names = []string{"id"}
		}
	case "explode", "explode_outer":
		names = []string{"col"}
	case "posexplode", "posexplode_outer":
		names = []string{"pos", "col"}
	}
	if names == nil {
		return nil, false
	}
	out := make([]colDef, len(names))
	for i, n := range names {
		out[i] = colDef{name: n}
	}
	return out, true
}

// parseInsert reads INSERT INTO|OVERWRITE [TABLE] t [PARTITION (…)] [(cols)]
// as a head core whose reference is the target, then the query.
func (a *analysis) parseInsert(q *qnode, i int) {
	h := a.newCore(q, i, q.hi)
	h.insertT = true
	i++
	for a.kw(i, "INTO") || a.kw(i, "OVERWRITE") || a.kw(i, "TABLE") {
		i++
	}
	if parts, j, sp := a.nameAt(i, q.hi); parts != nil && !isVerb(a.toks[i]) && !a.kw(i, "WITH") {
		h.refs = append(h.refs, &ref{kind: RefTable, name: parts, span: sp, c: h})
		i = j
	}
	for ; i < q.hi; i = a.next(i) {
		if isVerb(a.toks[i]) && !a.kw(i, "INSERT") || a.kw(i, "WITH") ||
			a.toks[i].Is("(") && a.groupKind(i) == gQuery {
			break
		}
	}
	h.hi = i
	if i < q.hi {
		a.parseBody(q, i)
	}
}

// parseDML reads UPDATE t [AS a] SET …, DELETE FROM t [AS a] WHERE … and
// MERGE INTO t [AS a] USING s [AS b] ON … as one core whose references are
// the target and the source.
func (a *analysis) parseDML(q *qnode, i int) {
	c := a.newCore(q, i, q.hi)
	verb := kwOf(a.toks[i])
	i++
	if a.kw(i, "FROM") || a.kw(i, "INTO") {
		i++
	}
	if i >= q.hi {
		return
	}
	r, next, ok := a.parsePrimary(c, i, q.hi, false)
	if !ok || r == nil {
		return
	}
	c.refs = append(c.refs, r)
	if verb == "MERGE" && a.kw(next, "USING") && next+1 < q.hi {
		if r, _, ok := a.parsePrimary(c, next+1, q.hi, false); ok && r != nil {
			c.refs = append(c.refs, r)
		}
	}
}

// parseCreate reads CREATE … AS query (and CACHE TABLE t AS query): a head
// core without references, then the query.
func (a *analysis) parseCreate(q *qnode, i int) {
	h := a.newCore(q, i, q.hi)
	for j := i; j < q.hi; j = a.next(j) {
		if !a.kw(j, "AS") || j+1 >= q.hi {
			continue
		}
		if n := a.toks[j+1]; isVerb(n) || a.kw(j+1, "WITH") || n.Is("(") && a.groupKind(j+1) == gQuery {
			h.hi = j + 1
			a.parseBody(q, j+1)
			return
		}
	}
	if kwOf(a.toks[i]) == "CACHE" {
		a.targetRef(h, i)
	}
}

// parseTarget reads statements about one table (ALTER TABLE t …, DESCRIBE
// t, SHOW COLUMNS IN t, …) as a core whose reference is that table.
func (a *analysis) parseTarget(q *qnode, i int) {
	a.targetRef(a.newCore(q, i, q.hi), i)
}

func (a *analysis) targetRef(c *core, i int) {
	for j := i; j < c.hi && j < i+6; j++ {
		switch kwOf(a.toks[j]) {
		case "SCHEMA", "DATABASE", "NAMESPACE", "CATALOG", "FUNCTION", "QUERY", "TABLES", "VIEWS",
			"SCHEMAS", "DATABASES", "FUNCTIONS":
			return
		case "TABLE", "VIEW", "DESCRIBE", "DESC", "EXTENDED", "FORMATTED", "IN", "FROM",
			"PARTITIONS", "TBLPROPERTIES", "EXISTS":
			n := j + 1
			if k := kwOf(a.toks[min(n, len(a.toks)-1)]); n < c.hi && (k == "" || !keywordsAfterTarget[k]) {
				if parts, _, sp := a.nameAt(n, c.hi); parts != nil {
					c.refs = append(c.refs, &ref{kind: RefTable, name: parts, span: sp, c: c})
					return
				}
			}
		}
	}
}

// keywordsAfterTarget are the words that may come between the verb and the
// table of a statement about one table, so they are not its name.
var keywordsAfterTarget = set(`TABLE VIEW EXTENDED FORMATTED IF EXISTS NOT COLUMNS
	SCHEMA DATABASE NAMESPACE CATALOG FUNCTION QUERY IN FROM`)
