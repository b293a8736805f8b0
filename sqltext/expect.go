package sqltext

import "strings"

// Expect is what belongs at a cursor, so what completion should offer.
type Expect uint8

const (
	// ExpectNone: nothing to complete, as in a string, a comment, a number
	// or where a new name is being made up (an alias, a CTE name).
	ExpectNone Expect = iota
	// ExpectKeyword: a keyword, or a new alias; see Context.Keywords.
	ExpectKeyword
	// ExpectColumn: an expression, so columns of the scope, functions and
	// expression keywords. With a qualifier, a column of the table or
	// alias it names (see [Scope.Lookup]) or a field of a struct column.
	ExpectColumn
	// ExpectTable: a table or view, a CTE, or a table function. With a
	// qualifier, an object of that namespace (or a namespace of that
	// catalog: the caller knows which the parts name).
	ExpectTable
	// ExpectNamespace: a namespace (schema, database); with a qualifier,
	// one of that catalog.
	ExpectNamespace
	// ExpectCatalog: a catalog.
	ExpectCatalog
	// ExpectType: a data type, after CAST(x AS or x::.
	ExpectType
)

var expectNames = [...]string{
	ExpectNone: "None", ExpectKeyword: "Keyword", ExpectColumn: "Column", ExpectTable: "Table",
	ExpectNamespace: "Namespace", ExpectCatalog: "Catalog", ExpectType: "Type",
}

func (e Expect) String() string {
	if int(e) < len(expectNames) {
		return expectNames[e]
	}
	return "Expect(?)"
}

// clauseT is the clause of a query the cursor is in.
type clauseT uint8

const (
	cNone clauseT = iota
	cTarget
	cSelect
	cFrom
	cOn
	cUsing
	cWhere
	cGroupBy
	cHaving
	cOrderBy
	cLimit
	cWindow
	cSet
	cValues
	cLateral
	cSetOp
	cWith
	cSession
	cMergeWhen
	cMergeThen
	cPipe    // after |>, before its operator's clause
	cPipeAgg // |> AGGREGATE list
	cPipeExt // |> EXTEND or DROP list
)

// expect works out what belongs at the cursor, with keyword hints.
func (a *analysis) expect() (Expect, []string) {
	if a.literal {
		return ExpectNone, nil
	}
	g := a.innermost()
	lo := a.lo
	if g >= 0 {
		lo = g + 1
	}
	p := a.name - 1
	if p < lo {
		p = -1
	}
	if g >= 0 {
		switch a.groupKind(g) {
		case gNames:
			return ExpectNone, nil
		case gInsertCols:
			if p < 0 || a.toks[p].Is(",") {
				return ExpectColumn, nil
			}
			return ExpectNone, nil
		case gCall, gExpr, gFilter:
			return a.exprExpect(p, g, lo, cNone)
		case gWindow:
			if p < 0 {
				return ExpectKeyword, []string{"PARTITION BY", "ORDER BY"}
			}
			return a.exprExpect(p, g, lo, cOrderBy)
		}
	}
	if p < 0 {
		if g < 0 {
			return ExpectKeyword, kwStatement
		}
		return ExpectKeyword, kwQuery
	}
	if e, kws, ok := a.prevRule(p, lo); ok {
		return e, kws
	}
	return a.clauseExpect(p, lo)
}

func (a *analysis) verbKw() string {
	if a.verb < 0 {
		return ""
	}
	return kwOf(a.toks[a.verb])
}

// prevRule decides from the keyword before the cursor where that alone is
// enough: FROM, JOIN, INTO, TABLE, USE and the like name what comes next.
func (a *analysis) prevRule(p, lo int) (Expect, []string, bool) {
	q := p
	kw := kwOf(a.toks[p])
	if kw == "EXISTS" { // DROP TABLE IF EXISTS |
		switch {
		case a.kw(p-1, "IF"):
			q = p - 2
		case a.kw(p-1, "NOT") && a.kw(p-2, "IF"):
			q = p - 3
		}
		if q != p {
			if q < lo {
				return 0, nil, false
			}
			kw = kwOf(a.toks[q])
		}
	}
	verb := a.verbKw()
	before := ""
	if q > lo {
		before = kwOf(a.toks[q-1])
	}
	switch kw {
	case "FROM":
		if a.distinctFrom(q) {
			return ExpectColumn, nil, true
		}
		if verb == "SHOW" {
			return a.showTarget(q)
		}
		return ExpectTable, nil, true
	case "IN":
		if verb == "SHOW" && a.enc[q] < 0 {
			return a.showTarget(q)
		}
	case "JOIN":
		if a.isJoinWord(q) {
			return ExpectTable, nil, true
		}
	case "INTO":
		return ExpectTable, nil, true
	case "OVERWRITE":
		if verb == "INSERT" {
			return ExpectTable, []string{"TABLE"}, true
		}
	case "TABLE":
		switch {
		case verb == "CREATE" || verb == "REPLACE":
			return ExpectNamespace, []string{"IF NOT EXISTS"}, true
		case verb == "SHOW" && before != "CREATE":
			return ExpectKeyword, []string{"EXTENDED"}, true
		case verb == "DROP" || verb == "UNCACHE":
			return ExpectTable, []string{"IF EXISTS"}, true
		}
		return ExpectTable, nil, true
	case "VIEW":
		switch {
		case before == "LATERAL":
			return ExpectColumn, []string{"OUTER"}, true
		case verb == "CREATE":
			return ExpectNamespace, []string{"IF NOT EXISTS"}, true
		case verb == "DROP":
			return ExpectTable, []string{"IF EXISTS"}, true
		case verb == "ALTER":
			return ExpectTable, nil, true
		}
	case "UPDATE":
		if q == a.verb {
			return ExpectTable, nil, true
		}
		return ExpectKeyword, []string{"SET"}, true
	case "USING":
		if verb == "MERGE" && !a.inClause(q-1, "ON") && a.enc[q] < 0 {
			return ExpectTable, nil, true
		}
	case "DESCRIBE", "DESC":
		if q == a.verb || q == a.lo {
			return ExpectTable, kwNext[kw], true
		}
	case "EXTENDED", "FORMATTED":
		switch {
		case verb == "SHOW":
			return ExpectKeyword, []string{"IN", "FROM", "LIKE"}, true
		case before == "SCHEMA" || before == "DATABASE" || before == "NAMESPACE":
			return ExpectNamespace, nil, true
		case before == "CATALOG":
			return ExpectCatalog, nil, true
		case before == "FUNCTION":
			return ExpectNone, nil, true
		case before == "DESCRIBE" || before == "DESC" || before == "TABLE":
			return ExpectTable, nil, true
		}
	case "USE":
		if q == a.verb || q == a.lo {
			return ExpectNamespace, kwNext["USE"], true
		}
	case "CATALOG":
		switch {
		case verb == "CREATE":
			return ExpectNone, nil, true
		case verb == "USE" || verb == "SET" || verb == "DROP" || verb == "ALTER" || verb == "DESCRIBE" || verb == "DESC":
			return ExpectCatalog, nil, true
		}
	case "SCHEMA", "DATABASE", "NAMESPACE":
		switch verb {
		case "USE", "SET", "DROP", "ALTER", "CREATE", "DESCRIBE", "DESC":
			return ExpectNamespace, nil, true
		}
	case "PARTITIONS", "TBLPROPERTIES":
		if verb == "SHOW" {
			return ExpectTable, nil, true
		}
	case "LIKE":
		if verb == "CREATE" && a.enc[q] < 0 && !a.inClause(q, "SELECT") {
			return ExpectTable, nil, true
		}
	case "TO":
		if verb == "ALTER" && before == "RENAME" {
			return ExpectNamespace, nil, true
		}
	case "COLUMN", "COLUMNS":
		switch {
		case verb == "ALTER" && before == "ADD":
			return ExpectNone, nil, true
		case verb == "ALTER" || verb == "ANALYZE":
			return ExpectColumn, nil, true
		case verb == "SHOW":
			return ExpectKeyword, kwNext["COLUMNS"], true
		}
	}
	return 0, nil, false
}

// showTarget decides what follows the IN or FROM at q of a SHOW statement.
func (a *analysis) showTarget(q int) (Expect, []string, bool) {
	switch kwOf(a.toks[min(a.verb+1, len(a.toks)-1)]) {
	case "COLUMNS":
		for j := a.verb + 2; j < q; j++ {
			if a.kw(j, "IN") || a.kw(j, "FROM") {
				return ExpectNamespace, nil, true // SHOW COLUMNS IN t IN |
			}
		}
		return ExpectTable, nil, true
	case "SCHEMAS", "DATABASES", "NAMESPACES":
		return ExpectCatalog, nil, true
	}
	return ExpectNamespace, nil, true
}

// clauseExpect decides from the clause the cursor is in, read forward from
// the start of its query (or group) to the token before the cursor.
func (a *analysis) clauseExpect(p, lo int) (Expect, []string) {
	g := a.enc[p]
	cl := cNone
	joinOpen := false // a JOIN without its ON or USING yet
	cases := 0
	merge := a.verbKw() == "MERGE"
	for j := lo; j <= p && j < len(a.toks); j = a.next(j) {
		if a.enc[j] != g {
			continue
		}
		if a.toks[j].Is("|>") {
			cl, joinOpen, cases = cPipe, false, 0
			continue
		}
		kw := kwOf(a.toks[j])
		if cl == cPipe && j > 0 && a.toks[j-1].Is("|>") {
			switch pipeOp(a.toks[j]) {
			case "AGGREGATE":
				cl = cPipeAgg
				continue
			case "EXTEND", "DROP":
				cl = cPipeExt
				continue
			}
		}
		switch kw {
		case "":
			continue
		case "CASE":
			cases++
			continue
		case "END":
			cases = max(cases-1, 0)
			continue
		}
		if cases > 0 {
			continue
		}
		switch kw {
		case "SELECT":
			cl = cSelect
		case "FROM":
			if !a.distinctFrom(j) {
				cl, joinOpen = cFrom, false
			}
		case "JOIN":
			if a.isJoinWord(j) {
				cl, joinOpen = cFrom, true
			}
		case "ON":
			cl, joinOpen = cOn, false
		case "USING":
			if merge && cl != cOn {
				cl = cFrom
			} else {
				cl, joinOpen = cUsing, false
			}
		case "WHERE":
			cl = cWhere
		case "HAVING", "QUALIFY":
			cl = cHaving
		case "BY":
			switch kwOf(a.toks[max(j-1, 0)]) {
			case "GROUP", "CLUSTER", "DISTRIBUTE", "PARTITION":
				cl = cGroupBy
			case "ORDER", "SORT":
				cl = cOrderBy
			}
		case "LIMIT", "OFFSET":
			cl = cLimit
		case "WINDOW":
			cl = cWindow
		case "SET":
			if j == a.verb || j == a.lo {
				cl = cSession
			} else {
				cl = cSet
			}
		case "VALUES":
			cl = cValues
		case "VIEW":
			if a.kw(j-1, "LATERAL") {
				cl = cLateral
			}
		case "UNION", "INTERSECT", "MINUS", "EXCEPT":
			if a.isSetOp(j) {
				cl = cSetOp
			}
		case "WITH":
			if j == lo {
				cl = cWith
			}
		case "WHEN":
			if merge {
				cl = cMergeWhen
			}
		case "THEN":
			if merge {
				cl = cMergeThen
			}
		case "INSERT", "UPDATE", "DELETE", "MERGE", "INTO", "TABLE":
			if j == a.verb {
				cl = cTarget
			}
		}
	}
	t := a.toks[p]
	kw := kwOf(t)
	if t.Is("|>") {
		return ExpectKeyword, pipeOps
	}
	if p > 0 && a.toks[p-1].Is("|>") {
		switch pipeOp(t) {
		case "AGGREGATE", "EXTEND", "DROP":
			return ExpectColumn, nil
		}
	}
	switch cl {
	case cNone, cTarget:
		return a.stmtExpect(p)
	case cFrom:
		return a.fromExpect(p, joinOpen)
	case cLimit:
		if kw == "LIMIT" || kw == "OFFSET" {
			return ExpectNone, nil
		}
		return ExpectKeyword, kwAfterLimit
	case cWindow:
		if kw == "WINDOW" || t.Is(",") {
			return ExpectNone, nil
		}
		return ExpectKeyword, []string{"AS"}
	case cLateral:
		switch {
		case kw == "OUTER":
			return ExpectColumn, nil
		case t.Is(","), kw == "AS", t.Is(")"):
			return ExpectNone, nil
		}
		return ExpectKeyword, kwAfterTable
	case cSetOp:
		return ExpectKeyword, kwSetOp
	case cWith:
		switch {
		case kw == "WITH":
			return ExpectNone, []string{"RECURSIVE"}
		case kw == "RECURSIVE", t.Is(","), kw == "AS":
			return ExpectNone, nil
		case t.Is(")"):
			for o := p - 1; o >= lo; o-- {
				if a.end[o] == p { // WITH x (a, b) |
					if a.groupKind(o) == gNames {
						return ExpectKeyword, []string{"AS"}
					}
					break
				}
			}
			return ExpectKeyword, []string{"SELECT", "INSERT INTO", "INSERT OVERWRITE", "UPDATE", "DELETE FROM", "MERGE INTO"}
		}
		return ExpectKeyword, []string{"AS"}
	case cSession:
		if p == a.verb {
			return ExpectKeyword, []string{"CATALOG", "SCHEMA", "TIME ZONE", "VAR"}
		}
		// SET VAR v = expr, and a script's SET v = expr: a variable, then
		// an expression.
		if w := pipeOp(a.toks[p]); p == a.verb+1 && (w == "VAR" || w == "VARIABLE") {
			return ExpectColumn, nil
		}
		for j := a.verb + 1; j <= p; j++ {
			if a.toks[j].Is("=") {
				return a.exprExpect(p, g, lo, cNone)
			}
		}
		return ExpectNone, nil
	case cMergeWhen:
		switch kw {
		case "WHEN":
			return ExpectKeyword, kwNext["WHEN"]
		case "NOT":
			if a.kw(p-1, "WHEN") {
				return ExpectKeyword, []string{"MATCHED"}
			}
		case "MATCHED":
			return ExpectKeyword, []string{"THEN", "AND", "BY SOURCE", "BY TARGET"}
		case "BY":
			return ExpectKeyword, []string{"SOURCE", "TARGET"}
		case "SOURCE", "TARGET":
			return ExpectKeyword, []string{"THEN", "AND"}
		}
	case cMergeThen:
		switch {
		case kw == "THEN":
			return ExpectKeyword, []string{"UPDATE SET", "DELETE", "INSERT"}
		case kw == "UPDATE":
			return ExpectKeyword, []string{"SET"}
		case kw == "INSERT":
			return ExpectKeyword, []string{"*", "VALUES"}
		case t.Is(")"):
			return ExpectKeyword, []string{"VALUES", "WHEN"}
		}
		return ExpectKeyword, []string{"WHEN"}
	}
	return a.exprExpect(p, g, lo, cl)
}

// stmtExpect decides where no clause has started: after the verb of a
// statement and its target.
func (a *analysis) stmtExpect(p int) (Expect, []string) {
	t := a.toks[p]
	kw := kwOf(t)
	verb := a.verbKw()
	if kws, ok := kwNext[kw]; ok {
		return ExpectKeyword, kws
	}
	if !isName(t) || kw != "" {
		return ExpectKeyword, nil
	}
	// After a name: the target of the statement.
	switch verb {
	case "DESCRIBE", "DESC":
		return ExpectColumn, nil // DESCRIBE t col
	case "INSERT":
		return ExpectKeyword, []string{"SELECT", "VALUES", "TABLE", "PARTITION", "BY NAME", "REPLACE WHERE", "WITH"}
	case "UPDATE":
		return ExpectKeyword, []string{"SET", "AS"}
	case "MERGE":
		return ExpectKeyword, []string{"USING", "AS"}
	case "ALTER":
		return ExpectKeyword, []string{"ADD COLUMNS", "DROP COLUMN", "RENAME TO", "RENAME COLUMN", "ALTER COLUMN", "SET TBLPROPERTIES"}
	}
	return ExpectKeyword, nil
}

// fromExpect decides inside a FROM clause.
func (a *analysis) fromExpect(p int, joinOpen bool) (Expect, []string) {
	t := a.toks[p]
	kw := kwOf(t)
	switch {
	case t.Is(","):
		return ExpectTable, nil
	case kw == "AS":
		return ExpectNone, nil
	case a.isJoinWord(p) || kw == "LATERAL":
		return ExpectKeyword, kwNext[kw]
	case t.Is(")") || isName(t) && !notAlias[kw]:
		switch {
		case a.verbKw() == "MERGE":
			return ExpectKeyword, []string{"ON", "AS"}
		case a.verbKw() == "DELETE" && a.enc[p] < 0:
			return ExpectKeyword, []string{"WHERE", "AS"}
		case joinOpen:
			return ExpectKeyword, kwAfterJoin
		}
		return ExpectKeyword, kwAfterTable
	}
	return ExpectKeyword, kwNext[kw]
}

// exprExpect decides inside an expression: after an operand comes an
// operator or the next clause (a keyword); anywhere else, an operand.
func (a *analysis) exprExpect(p, g, lo int, cl clauseT) (Expect, []string) {
	if p < 0 {
		return ExpectColumn, nil
	}
	t := a.toks[p]
	switch {
	case t.Is(","):
		return ExpectColumn, nil
	case t.Is("*"):
		if a.starOperand(p, lo) {
			return ExpectKeyword, a.followers(cl)
		}
		return ExpectColumn, nil
	case t.Is(")"), t.Is("]"):
		return ExpectKeyword, a.followers(cl)
	case t.Is("::"):
		return ExpectType, kwTypes
	case t.Kind == Op, t.Kind == Other:
		return ExpectColumn, nil
	case t.Kind != Ident:
		return ExpectKeyword, a.followers(cl)
	}
	kw := kwOf(t)
	switch {
	case kw == "AS":
		if g >= 0 && a.groupKind(g) == gCall {
			switch strings.ToLower(a.toks[g-1].Text) {
			case "cast", "try_cast":
				return ExpectType, kwTypes
			}
		}
		return ExpectNone, nil
	case kw == "NOT" && a.kw(p-1, "IS"):
		return ExpectKeyword, []string{"NULL", "TRUE", "FALSE", "DISTINCT FROM"}
	case exprIntro[kw]:
		return ExpectColumn, nil
	}
	if kws, ok := kwNext[kw]; ok && kw != "" {
		return ExpectKeyword, kws
	}
	return ExpectKeyword, a.followers(cl)
}

// starOperand reports whether the * at p is SELECT's star rather than
// multiplication.
func (a *analysis) starOperand(p, lo int) bool {
	if p-1 < lo {
		return true
	}
	t := a.toks[p-1]
	switch kwOf(t) {
	case "SELECT", "DISTINCT", "ALL":
		return true
	}
	return t.Is(",") || t.Is("(") || t.Is(".")
}

// followers are the keywords that may follow a complete expression in a
// clause.
func (a *analysis) followers(cl clauseT) []string {
	switch cl {
	case cSelect:
		return kwAfterSelect
	case cWhere:
		return kwAfterWhere
	case cOn:
		return kwAfterOn
	case cGroupBy:
		return kwAfterGroup
	case cHaving:
		return kwAfterHaving
	case cOrderBy:
		return kwAfterOrder
	case cSet:
		if a.verbKw() == "MERGE" {
			return []string{"WHEN"}
		}
		return []string{"WHERE"}
	case cMergeWhen:
		return []string{"THEN", "AND", "OR"}
	case cValues, cUsing:
		return nil
	case cPipeAgg:
		return []string{"AS", "GROUP BY"}
	case cPipeExt:
		return []string{"AS"}
	}
	return kwOperators
}
