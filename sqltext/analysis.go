package sqltext

import (
	"cmp"
	"slices"
	"strings"
)

// analysis is everything the package works out about the statement around
// a cursor. Token indexes below are into toks, the statement's tokens
// without comments and hints.
type analysis struct {
	off  int     // the cursor, clamped to the text
	all  []Token // every token of the statement's region, comments included
	toks []Token

	// Parentheses. For a '(' at i, end[i] is the index of the token that
	// ends its content: its ')', or for an unclosed group either the
	// clause keyword that ends it (see closesGroup) or len(toks). after[i]
	// is the first index after the group. enc[i] is the '(' of the
	// innermost group holding token i, or -1.
	end, after, enc []int
	// clause[i] is the nearest clause keyword (see isClauseKw) at or
	// before token i at its depth, or -1.
	clause   []int
	kinds    []int8 // memo of groupKind by '(' index, -1 unknown
	problems []Problem

	// The cursor. word is the identifier token the cursor is in or right
	// after, or -1; cur is word, or else the first token after the cursor;
	// name is the first token of the dotted name being typed (qualifier
	// included), so name-1 is the token before it.
	word, cur, name int
	qual            []string
	literal         bool // the cursor is in a string, comment or number
	typing          bool // see analyze

	verb    int // index of the statement's leading keyword (after WITH …), or -1
	lo      int // first token of the statement proper (after BEGIN, label:)
	root    *qnode
	queries map[int]*qnode // the query in each parenthesized group, by '('
	depth   int            // nesting of eager query parsing, bounded
}

// maxDepth bounds recursion into nested queries, so that pathological input
// costs linear time and stack. Real SQL is far shallower.
const maxDepth = 48

// analyze analyses the statement around offset. typing says the word at
// the cursor is being typed, so it is not (yet) an alias or a reference in
// scope; go-to-definition passes false because the word is finished.
func analyze(src string, offset int, typing bool) *analysis {
	offset = min(max(offset, 0), len(src))
	_, all := statementAt(src, offset)
	a := &analysis{off: offset, all: all, typing: typing, queries: map[int]*qnode{}}
	a.toks = significantOf(all)
	a.problems = Problems(all)
	a.lo = a.skipBlockStart()
	a.verb = a.findVerb()
	a.match()
	a.cursor()
	a.root = a.parseStatement()
	return a
}

// significantOf returns the tokens that are not comments or hints, in a new
// slice ([significant] reuses its argument's array).
func significantOf(toks []Token) []Token {
	out := make([]Token, 0, len(toks))
	for _, t := range toks {
		if t.Kind != Comment && t.Kind != Hint {
			out = append(out, t)
		}
	}
	return out
}

// match pairs parentheses. A half-typed call is the common unclosed group
// (SELECT count(a FROM t), and letting it run to the end of the statement
// would hide the FROM clause, so an unclosed call or expression group ends
// at the first clause keyword that cannot be inside it. Queries in
// parentheses are never cut short: their clauses belong to them.
func (a *analysis) match() {
	n := len(a.toks)
	a.end, a.after, a.enc, a.clause = make([]int, n), make([]int, n), make([]int, n), make([]int, n)
	a.kinds = make([]int8, n)
	var stack []int
	last := []int{-1} // the last clause keyword of each open group, root first
	top := func() int {
		if len(stack) == 0 {
			return -1
		}
		return stack[len(stack)-1]
	}
	pop := func() int {
		o := stack[len(stack)-1]
		stack, last = stack[:len(stack)-1], last[:len(last)-1]
		return o
	}
	for i, t := range a.toks {
		a.end[i], a.after[i], a.kinds[i] = -1, -1, -1
		switch {
		case t.Is("("):
			a.enc[i], a.clause[i] = top(), last[len(last)-1]
			stack, last = append(stack, i), append(last, -1)
			continue
		case t.Is(")"):
			if len(stack) == 0 {
				a.problems = append(a.problems, Problem{Start: t.Start, End: t.End, Message: "unmatched parenthesis"})
				break
			}
			o := pop()
			a.end[o], a.after[o] = i, i+1
		case t.Kind == Ident:
			kw := kwOf(t)
			for closesGroup[kw] && len(stack) > 0 && a.cutAt(top(), i, kw) {
				o := pop()
				a.end[o], a.after[o] = i, i
				a.problems = append(a.problems, a.unclosed(o))
			}
			if isClauseKw(kw) && !(kw == "FROM" && a.distinctFrom(i)) {
				last[len(last)-1] = i
			}
		}
		a.enc[i], a.clause[i] = top(), last[len(last)-1]
	}
	for _, o := range stack {
		a.end[o], a.after[o] = n, n
		a.problems = append(a.problems, a.unclosed(o))
	}
	sortProblems(a.problems)
}

func (a *analysis) unclosed(o int) Problem {
	t := a.toks[o]
	return Problem{Start: t.Start, End: t.End, Message: "unclosed parenthesis"}
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Start, b.Start) })
}

// cutAt reports whether the clause keyword kw at i ends the unclosed group
// opened at o.
func (a *analysis) cutAt(o, i int, kw string) bool {
	if o+1 == i && kw == "SELECT" {
		return false
	}
	switch a.groupKind(o) {
	case gQuery, gFrom, gCTE, gNames, gInsertCols:
		return false
	case gWindow:
		return kw != "ORDER"
	case gFilter:
		return kw != "WHERE"
	case gCall:
		if kw == "FROM" {
			switch strings.ToLower(a.toks[o-1].Text) {
			case "extract", "trim", "substring", "substr", "overlay", "position":
				return false
			}
		}
	}
	return true
}

// groupKind says what a parenthesized group holds, from its first token
// and the tokens before it.
type groupKindT uint8

const (
	gExpr       groupKindT = iota // (a + b), IN (1, 2), VALUES (…)
	gQuery                        // (SELECT …)
	gFrom                         // FROM ( … ): a subquery being typed or a join
	gCTE                          // WITH x AS ( … )
	gCall                         // f( … )
	gWindow                       // OVER ( … ), WINDOW w AS ( … ), WITHIN GROUP ( … )
	gFilter                       // FILTER ( WHERE … )
	gNames                        // new names: WITH x (a, b), AS t (a, b), CREATE TABLE t ( … )
	gInsertCols                   // INSERT INTO t ( … )
)

func (a *analysis) groupKind(o int) groupKindT {
	if o < 0 {
		return gQuery
	}
	if a.kinds[o] < 0 {
		// The kind of "((" depends on the outer group's: settle a run of
		// open parentheses outside in, so that no call recurses deeply.
		j := o
		for j > 0 && a.toks[j-1].Is("(") && a.kinds[j-1] < 0 {
			j--
		}
		for ; j <= o; j++ {
			a.kinds[j] = int8(a.groupKindOf(j))
		}
	}
	return groupKindT(a.kinds[o])
}

func (a *analysis) groupKindOf(o int) groupKindT {
	if o+1 < len(a.toks) {
		switch kwOf(a.toks[o+1]) {
		case "SELECT", "WITH", "VALUES":
			return gQuery
		case "FROM", "TABLE", "MAP", "REDUCE":
			// Rare query starts, and coalesce(| FROM t is a call.
			if o == 0 || !isName(a.toks[o-1]) || kwOf(a.toks[o-1]) != "" {
				return gQuery
			}
		}
	}
	if o == 0 {
		return gQuery // a statement that starts with '(' is a query
	}
	p := a.toks[o-1]
	switch kw := kwOf(p); kw {
	case "FROM", "JOIN", "LATERAL", "EXISTS":
		return gFrom
	case "AS":
		if a.inWith(o - 1) {
			return gCTE
		}
		if a.inClause(o-1, "WINDOW") {
			return gWindow
		}
		return gNames
	case "OVER":
		return gWindow
	case "GROUP":
		if a.kw(o-2, "WITHIN") {
			return gWindow
		}
	case "FILTER":
		return gFilter
	case "INSERT":
		return gInsertCols // MERGE … WHEN NOT MATCHED THEN INSERT ( … )
	case "USING":
		if a.verbIs("MERGE") && !a.inClause(o-1, "ON") {
			return gFrom
		}
		return gExpr
	case "":
		if !isName(p) {
			if p.Is(",") && a.inClause(o-1, "FROM") && !a.inClause(o-1, "ON") {
				return gFrom
			}
			if p.Is("(") && a.groupKind(o-1) == gFrom {
				return gFrom
			}
			return gExpr
		}
		// A name: a call, or the name of something whose columns follow.
		first := o - 1
		for first >= 2 && a.toks[first-1].Is(".") && isName(a.toks[first-2]) {
			first -= 2
		}
		before := Token{}
		if first > 0 {
			before = a.toks[first-1]
		}
		switch kwOf(before) {
		case "INTO", "OVERWRITE":
			return gInsertCols
		case "TABLE":
			if a.verbIs("INSERT") {
				return gInsertCols
			}
			if a.verbIs("CREATE") {
				return gNames
			}
		case "VIEW":
			if a.verbIs("CREATE") {
				return gNames
			}
		case "WITH", "RECURSIVE", "AS":
			return gNames
		case "":
			if before.Is(",") && a.inWith(first-1) || before.Is(")") && a.inClause(first-1, "FROM") {
				return gNames
			}
		}
		return gCall
	}
	return gExpr
}

// isClauseKw reports whether kw starts a clause, for [analysis.inClause].
func isClauseKw(kw string) bool {
	switch kw {
	case "SELECT", "FROM", "JOIN", "ON", "USING", "WHERE", "GROUP", "HAVING", "QUALIFY",
		"ORDER", "WINDOW", "LIMIT", "SET", "VALUES", "WITH", "UNION", "INTERSECT", "MINUS",
		"INSERT", "UPDATE", "DELETE", "MERGE":
		return true
	}
	return false
}

// inClause reports whether the nearest clause keyword at the depth of token
// i, at or before it, is kw.
func (a *analysis) inClause(i int, kw string) bool {
	return i >= 0 && a.clause[i] >= 0 && kwOf(a.toks[a.clause[i]]) == kw
}

// inWith reports whether token i is at the top level of a WITH list.
func (a *analysis) inWith(i int) bool { return a.inClause(i, "WITH") }

// distinctFrom reports whether the FROM at i is that of IS [NOT] DISTINCT
// FROM, an operator rather than a clause.
func (a *analysis) distinctFrom(i int) bool {
	return a.kw(i-1, "DISTINCT") && (a.kw(i-2, "IS") || a.kw(i-2, "NOT") && a.kw(i-3, "IS"))
}

// kw reports whether token i exists and is the keyword kw.
func (a *analysis) kw(i int, kw string) bool {
	return i >= 0 && i < len(a.toks) && kwOf(a.toks[i]) == kw
}

func (a *analysis) verbIs(kw string) bool { return a.verb >= 0 && kwOf(a.toks[a.verb]) == kw }

// isName reports whether t can be (part of) a name: an identifier, quoted
// or not.
func isName(t Token) bool { return t.Kind == Ident || t.Kind == QuotedIdent }

// Unquote returns the name t spells: backquotes removed and doubled ones
// undoubled.
func Unquote(t Token) string {
	if t.Kind != QuotedIdent {
		return t.Text
	}
	s := t.Text[1:]
	switch {
	case !t.Unterminated:
		s = s[:len(s)-1]
	case strings.ContainsAny(s, "\r\n"):
		// An unclosed name runs to the end of the text; a name rarely
		// spans lines, so the rest of the line is the best guess.
		s = s[:strings.IndexAny(s, "\r\n")]
	}
	return strings.ReplaceAll(s, "``", "`")
}

// cursor finds the word and qualifier at the cursor and whether the cursor
// is inside a literal or comment.
func (a *analysis) cursor() {
	off := a.off
	for _, t := range a.all {
		if t.Start >= off {
			break
		}
		inside := off < t.End || off == t.End && (t.Unterminated || t.Kind == Comment && strings.HasPrefix(t.Text, "--"))
		switch t.Kind {
		case String, Comment, Hint, Param, Variable:
			a.literal = a.literal || inside
		case Number:
			a.literal = a.literal || off <= t.End
		}
	}
	a.word, a.cur = -1, len(a.toks)
	for i, t := range a.toks {
		if t.Start < off && off <= t.End && isName(t) {
			a.word, a.cur = i, i
			break
		}
		if t.Start >= off {
			a.cur = i
			break
		}
	}
	a.name = a.cur
	// Walk back over name. and name[…]. : an element of an array (or a
	// map's value) is the part "[]".
	var rev []string
	for j := a.cur - 1; j >= 1 && a.toks[j].Is("."); {
		k := j - 1
		var elems int
		for k >= 0 && a.toks[k].Is("]") {
			o := a.openBracket(k)
			if o < 1 {
				break
			}
			elems++
			k = o - 1
		}
		if k < 0 || !isName(a.toks[k]) || a.toks[k].Is("]") {
			break
		}
		for ; elems > 0; elems-- {
			rev = append(rev, ElementPart)
		}
		rev = append(rev, Unquote(a.toks[k]))
		a.name = k
		j = k - 1
	}
	for i := len(rev) - 1; i >= 0; i-- {
		a.qual = append(a.qual, rev[i])
	}
}

// ElementPart is the qualifier part that stands for x[…]: an array's
// element or a map's value (a.items[0].| has the qualifier [a items []]).
const ElementPart = "[]"

// openBracket returns the index of the '[' that the ']' at k closes, or -1.
func (a *analysis) openBracket(k int) int {
	depth := 0
	for i := k; i >= 0; i-- {
		switch {
		case a.toks[i].Is("]"):
			depth++
		case a.toks[i].Is("["):
			depth--
			if depth == 0 {
				return i
			}
		case a.toks[i].Is(";"):
			return -1
		}
	}
	return -1
}

// skipBlockStart returns the first token of the statement proper: a script
// block's BEGIN and a "label:" before it are not part of the statement the
// cursor is in.
func (a *analysis) skipBlockStart() int {
	i := 0
	for i < len(a.toks) {
		switch {
		case i+1 < len(a.toks) && isName(a.toks[i]) && a.toks[i+1].Is(":"):
			i += 2
		case a.kw(i, "BEGIN"):
			i++
		default:
			return i
		}
	}
	return i
}

// findVerb returns the index of the keyword that says what the statement
// does: its first token, or for WITH … the first statement keyword after
// the CTE list, or for EXPLAIN the statement explained. It counts
// parentheses itself because it runs before [analysis.match].
func (a *analysis) findVerb() int {
	i := a.lo
	for a.kw(i, "EXPLAIN") {
		i++
		for i < len(a.toks) && isExplainMode(a.toks[i]) {
			i++
		}
	}
	if i >= len(a.toks) {
		return -1
	}
	if !a.kw(i, "WITH") {
		if a.toks[i].Kind != Ident {
			return -1
		}
		return i
	}
	depth := 0
	for j := i + 1; j < len(a.toks); j++ {
		switch t := a.toks[j]; {
		case t.Is("("):
			depth++
		case t.Is(")"):
			depth = max(depth-1, 0)
		case depth == 0 && isVerb(t):
			return j
		}
	}
	return i
}

func isExplainMode(t Token) bool {
	for _, m := range [...]string{"EXTENDED", "FORMATTED", "CODEGEN", "COST", "LOGICAL"} {
		if t.IsKeyword(m) {
			return true
		}
	}
	return false
}

// isVerb reports whether t starts a statement body after a CTE list.
func isVerb(t Token) bool {
	switch kwOf(t) {
	case "SELECT", "VALUES", "TABLE", "FROM", "MAP", "REDUCE", "INSERT", "UPDATE", "DELETE", "MERGE":
		return true
	}
	return false
}

// next returns the index after token i at its depth: past the whole group
// when i opens one.
func (a *analysis) next(i int) int {
	if a.after[i] > i {
		return a.after[i]
	}
	return i + 1
}

// span returns the byte span from token i to token j, inclusive.
func (a *analysis) span(i, j int) Span { return Span{a.toks[i].Start, a.toks[j].End} }

// nameAt reads a dotted name starting at token i: its unquoted parts, the
// index after it and its span. It returns no parts if token i is not a name.
func (a *analysis) nameAt(i, hi int) (parts []string, next int, sp Span) {
	j := i
	for j < hi && isName(a.toks[j]) {
		parts = append(parts, Unquote(a.toks[j]))
		if j+2 < hi && a.toks[j+1].Is(".") && isName(a.toks[j+2]) {
			j += 2
			continue
		}
		j++
		break
	}
	if len(parts) == 0 {
		return nil, i, Span{}
	}
	return parts, j, a.span(i, j-1)
}
