package sqltext

import "strings"

// Kind is the class of a statement, guessed from its leading keywords.
type Kind uint8

const (
	// Unknown is anything not recognised (CALL, EXECUTE IMMEDIATE, a script
	// block, a typo, an empty string). Callers should treat it as unsafe.
	Unknown Kind = iota
	// Query returns rows and changes nothing: SELECT, WITH … SELECT, VALUES,
	// TABLE t, FROM t SELECT …, and parenthesized queries.
	Query
	// DDL changes the catalog: CREATE, DROP, ALTER, TRUNCATE, MSCK, REPAIR,
	// REFRESH, CACHE, UNCACHE, CLEAR CACHE, COMMENT ON, ANALYZE, REPLACE,
	// GRANT, REVOKE.
	DDL
	// DML changes rows: INSERT, UPDATE, DELETE, MERGE, LOAD, COPY, and
	// WITH … INSERT or FROM t INSERT.
	DML
	// Session changes only the session: USE, SET, RESET, ADD (JAR/FILE),
	// DECLARE VARIABLE and DROP TEMPORARY VARIABLE.
	Session
	// Describe inspects without changing anything: DESCRIBE, DESC, SHOW,
	// EXPLAIN, LIST.
	Describe
	// Script runs other statements, so it may do anything: EXECUTE
	// IMMEDIATE, CALL, and a SQL script block (BEGIN … END).
	Script
)

var kindNames = [...]string{
	Unknown: "Unknown", Query: "Query", DDL: "DDL", DML: "DML",
	Session: "Session", Describe: "Describe", Script: "Script",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// IsQuery reports whether statements of kind k return rows from tables and
// so can be previewed with a row limit.
func (k Kind) IsQuery() bool { return k == Query }

// ChangesCatalog reports whether statements of kind k may create, drop or
// alter catalog objects, so that a cached schema must be refreshed after
// them. That includes session-scoped objects such as CREATE TEMPORARY VIEW
// and CREATE TEMPORARY FUNCTION, because they show up in catalog listings,
// and CACHE/REFRESH, which are cheap to over-report.
func (k Kind) ChangesCatalog() bool { return k == DDL || k == Script }

// ChangesData reports whether statements of kind k may write or destroy
// rows. DDL counts too: DROP and TRUNCATE destroy rows, CREATE TABLE AS
// SELECT writes them, and the kind alone cannot tell those from CREATE VIEW.
// USE and SET change session state, not data.
func (k Kind) ChangesData() bool { return k == DML || k == DDL || k == Script }

// Classify guesses the kind of one statement (as returned by
// [SplitStatements]) from its leading keywords, case-insensitively.
// Leading comments, hints and parentheses are skipped, and a CTE list is
// looked past, so WITH x AS (…) INSERT INTO … is DML.
//
// A statement holding "${" anywhere, comments and strings included, is
// Unknown: Spark substitutes ${…} in the raw text before it parses, so the
// text Spark reads is not the text here.
//
// The kind is a guess for the editor (symbols, which run path to try first,
// what to refresh after a run). It never decides what is safe to send:
// that is the query envelope's job (see package connect).
func Classify(stmt string) Kind {
	if strings.Contains(stmt, "${") {
		return Unknown
	}
	if head, ok := leading(stmt); ok {
		return classify(head)
	}
	return classify(significant(Lex(stmt)))
}

// leading returns the first three significant tokens of stmt after its
// opening parentheses, and whether they are all classify needs: they are
// unless the statement starts with WITH or FROM, whose kind lies further
// on. It keeps a 20 MB INSERT … VALUES from being lexed whole (its tokens
// would take ten times its size) to read its first word.
func leading(stmt string) (head []Token, ok bool) {
	head = make([]Token, 0, 3)
	for t := range Tokens(stmt) {
		if t.Kind == Comment || t.Kind == Hint || len(head) == 0 && t.Is("(") {
			continue
		}
		if head = append(head, t); len(head) == cap(head) {
			break
		}
	}
	if len(head) > 0 && (head[0].IsKeyword("WITH") || head[0].IsKeyword("FROM")) {
		return nil, false
	}
	return head, true
}

// IsReadOnly reports whether running stmt can change neither data, nor the
// catalog, nor the session: queries, DESCRIBE/SHOW/EXPLAIN/LIST, and SET
// without a value (SET, SET -v, SET key), which only prints configuration.
// USE and SET key=value are not read-only: they change no data, but they
// change what later statements mean. Unknown statements are never read-only.
func IsReadOnly(stmt string) bool {
	if strings.Contains(stmt, "${") {
		return false
	}
	kind := Unknown
	if head, ok := leading(stmt); ok {
		kind = classify(head)
	} else {
		kind = classify(significant(Lex(stmt)))
	}
	switch kind {
	case Query, Describe:
		return true
	case Session:
		return isSetShow(skipParens(significant(Lex(stmt))))
	}
	return false
}

// isSetShow reports whether toks are a SET that only shows configuration.
func isSetShow(toks []Token) bool {
	if len(toks) == 0 || !toks[0].IsKeyword("SET") {
		return false
	}
	if len(toks) > 1 {
		switch t := toks[1]; {
		case t.IsKeyword("VAR"), t.IsKeyword("VARIABLE"), t.IsKeyword("TIME"),
			t.IsKeyword("CATALOG"), t.IsKeyword("SCHEMA"), t.IsKeyword("NAMESPACE"):
			return false
		}
	}
	for _, t := range toks {
		if t.Is("=") {
			return false
		}
	}
	return true
}

// significant drops comments and hints, which never change a statement's
// kind.
func significant(toks []Token) []Token {
	out := toks[:0]
	for _, t := range toks {
		if t.Kind != Comment && t.Kind != Hint {
			out = append(out, t)
		}
	}
	return out
}

func skipParens(toks []Token) []Token {
	for len(toks) > 0 && toks[0].Is("(") {
		toks = toks[1:]
	}
	return toks
}

func classify(toks []Token) Kind {
	toks = skipParens(toks)
	if len(toks) == 0 || toks[0].Kind != Ident {
		return Unknown
	}
	switch t := toks[0]; {
	case t.IsKeyword("SELECT"), t.IsKeyword("VALUES"), t.IsKeyword("TABLE"),
		t.IsKeyword("MAP"), t.IsKeyword("REDUCE"):
		return Query
	case t.IsKeyword("WITH"):
		return afterWith(toks[1:])
	case t.IsKeyword("FROM"):
		// Hive-style FROM t SELECT … is a query; FROM t INSERT … writes.
		// Any top-level INSERT makes it a write: the first SELECT does not
		// decide, because Spark accepts keywords as names (FROM select,
		// ON a.select = …) and an INSERT can only be a write here.
		for _, t := range topLevel(toks[1:]) {
			if t.IsKeyword("INSERT") {
				return DML
			}
		}
		return Query
	case t.IsKeyword("DROP"):
		if len(toks) > 2 && (toks[1].IsKeyword("TEMPORARY") || toks[1].IsKeyword("TEMP")) &&
			(toks[2].IsKeyword("VARIABLE") || toks[2].IsKeyword("VAR")) {
			return Session
		}
		return DDL
	case t.IsKeyword("CREATE"), t.IsKeyword("ALTER"), t.IsKeyword("TRUNCATE"),
		t.IsKeyword("MSCK"), t.IsKeyword("REPAIR"), t.IsKeyword("REFRESH"),
		t.IsKeyword("CACHE"), t.IsKeyword("UNCACHE"), t.IsKeyword("CLEAR"),
		t.IsKeyword("COMMENT"), t.IsKeyword("ANALYZE"), t.IsKeyword("REPLACE"),
		t.IsKeyword("GRANT"), t.IsKeyword("REVOKE"):
		return DDL
	case t.IsKeyword("INSERT"), t.IsKeyword("UPDATE"), t.IsKeyword("DELETE"),
		t.IsKeyword("MERGE"), t.IsKeyword("LOAD"), t.IsKeyword("COPY"):
		return DML
	case t.IsKeyword("USE"), t.IsKeyword("SET"), t.IsKeyword("RESET"),
		t.IsKeyword("ADD"), t.IsKeyword("DECLARE"):
		return Session
	case t.IsKeyword("DESCRIBE"), t.IsKeyword("DESC"), t.IsKeyword("SHOW"),
		t.IsKeyword("EXPLAIN"), t.IsKeyword("LIST"):
		return Describe
	case t.IsKeyword("EXECUTE"), t.IsKeyword("CALL"), t.IsKeyword("BEGIN"):
		return Script
	}
	return Unknown
}

// afterWith classifies the statement that follows a CTE list by walking
// the list's shape, WITH [RECURSIVE] name [(cols)] [AS] (body) [, …], rather
// than looking for the first statement keyword: Spark accepts keywords as
// CTE names, so in WITH select AS (…) INSERT … the first SELECT is a name. A
// half-typed WITH is a query in the making; anything that does not fit the
// shape is Unknown.
func afterWith(toks []Token) Kind {
	i := 0
	if len(toks) > 1 && toks[0].IsKeyword("RECURSIVE") && isName(toks[1]) && !toks[1].IsKeyword("AS") {
		i = 1
	}
	for {
		if i >= len(toks) {
			return Query
		}
		if !isName(toks[i]) {
			return Unknown
		}
		i++
		if i < len(toks) && toks[i].Is("(") {
			j := closeParen(toks, i)
			if j < len(toks) && (toks[j].IsKeyword("AS") || toks[j].Is("(")) {
				i = j // that was the column list
			}
		}
		if i < len(toks) && toks[i].IsKeyword("AS") {
			i++
		}
		if i >= len(toks) {
			return Query
		}
		if !toks[i].Is("(") {
			return Unknown
		}
		i = closeParen(toks, i)
		if i < len(toks) && toks[i].Is(",") {
			i++
			continue
		}
		if i >= len(toks) {
			return Query
		}
		return classify(toks[i:])
	}
}

// closeParen returns the index just after the parenthesis that closes the
// one at toks[open], or len(toks) when it is never closed.
func closeParen(toks []Token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch {
		case toks[i].Is("("):
			depth++
		case toks[i].Is(")"):
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(toks)
}

// topLevel returns the tokens of toks outside any parentheses, so that a
// subquery's SELECT does not decide the kind of the statement around it.
func topLevel(toks []Token) []Token {
	var out []Token
	depth := 0
	for _, t := range toks {
		switch {
		case t.Is("("):
			depth++
		case t.Is(")"):
			if depth > 0 {
				depth--
			}
		case depth == 0:
			out = append(out, t)
		}
	}
	return out
}
