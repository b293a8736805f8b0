package sqltext

import "strings"

// SQL scripting (Spark 4.1, BEGIN … END): what a script declares that is
// visible at a cursor. The statement splitter keeps a block whole; the
// cursor context (At) sees only the statement between semicolons inside it,
// so this reads the whole block separately.

// ScriptScope is what the enclosing SQL script makes visible at a cursor:
// innermost first.
type ScriptScope struct {
	// Vars are the local variables declared before the cursor in the
	// enclosing blocks, and the row variables of enclosing FOR loops.
	Vars []LocalVar
	// Labels are those of the enclosing blocks and loops.
	Labels []Label
	// WantLabel reports that the cursor follows LEAVE or ITERATE.
	WantLabel bool
	// Conditions are those declared before the cursor in the enclosing
	// blocks (DECLARE c CONDITION [FOR SQLSTATE '…']), innermost first.
	Conditions []Condition
	// WantCondition reports that the cursor is where a condition goes:
	// after SIGNAL or RESIGNAL, or in a handler's FOR list.
	WantCondition bool
}

// Condition is a named condition of a script.
type Condition struct {
	Name     string
	SQLState string // as written, quotes included; "" when none is given
	Span     Span   // the name where it is declared
}

// LocalVar is a variable of a script.
type LocalVar struct {
	Name string
	// Type is the declared type as written ("" when the DEFAULT decides);
	// Default the DEFAULT (or =) expression as written.
	Type, Default string
	// Label is the label of the block that declares it, if any.
	Label string
	Span  Span // the name where it is declared
	// Row marks a FOR loop's row variable; Columns are its query's columns
	// as far as the text tells.
	Row     bool
	Columns []string
	// Session marks a session variable (see [SessionVars]).
	Session bool
}

// Label is a label of a block or loop.
type Label struct {
	Name string
	Kind string // BEGIN, WHILE, LOOP, REPEAT or FOR
	Span Span
}

// Lookup finds a variable by name, case-insensitively, innermost first;
// with a qualifier, only one that the block labelled so declares.
func (s ScriptScope) Lookup(label, name string) (LocalVar, bool) {
	for _, v := range s.Vars {
		if strings.EqualFold(v.Name, name) && (label == "" || strings.EqualFold(v.Label, label)) {
			return v, true
		}
	}
	return LocalVar{}, false
}

type scriptFrame struct {
	kind  string
	label Label
	vars  []LocalVar
	conds []Condition
}

// ScriptAt reads the SQL script around offset. ok is false when the
// cursor is not inside one.
//
// It reads at most scriptWindow bytes before the cursor (from a statement
// boundary), so that it costs the same in a large file: a longer block
// before the cursor is not seen.
func ScriptAt(src string, offset int) (ScriptScope, bool) {
	offset = min(max(offset, 0), len(src))
	w := windowStart(src, offset)
	sc, ok := scriptAt(src[w:offset], offset-w)
	for i := range sc.Vars {
		sc.Vars[i].Span = shift(sc.Vars[i].Span, w)
	}
	for i := range sc.Labels {
		sc.Labels[i].Span = shift(sc.Labels[i].Span, w)
	}
	return sc, ok
}

// scriptWindow bounds the text ScriptAt and SessionVars read.
const scriptWindow = 64 << 10

// windowStart returns where to start reading src for a cursor at offset:
// 0, or the end of the first statement boundary within scriptWindow bytes
// before it.
func windowStart(src string, offset int) int {
	if offset <= scriptWindow {
		return 0
	}
	ix := indexTo(src, offset)
	lo := offset - scriptWindow
	for _, b := range ix.bounds { // in order; a binary search would do too
		if b.End >= lo && b.End <= offset {
			return b.End
		}
	}
	return offset // no boundary in the window: read nothing
}

func shift(s Span, d int) Span { return Span{s.Start + d, s.End + d} }

// scriptAt is ScriptAt over src, which ends at the cursor or after it.
func scriptAt(src string, offset int) (ScriptScope, bool) {
	if !containsFold(src, "begin") {
		return ScriptScope{}, false
	}
	var st *Statement
	for _, s := range SplitStatements(src) {
		if s.Start > offset {
			break
		}
		st = &s // an unfinished block runs on to the cursor
	}
	if st == nil {
		return ScriptScope{}, false
	}
	toks := significantOf(lexRegion(src, region{st.Start, st.End}))
	var stack []*scriptFrame
	var pending Label
	start := true // a statement starts at this token
	seenBegin := false
	var out ScriptScope
	i := 0
	for ; i < len(toks) && toks[i].End <= offset; i++ {
		t := toks[i]
		if t.Start < offset && offset <= t.End && t.Kind == Ident {
			break // the word being typed
		}
		kw := strings.ToUpper(t.Text)
		if t.Kind != Ident {
			kw = ""
		}
		wasStart := start
		start = false
		switch {
		case t.Is(";"):
			start = true
		case wasStart && isName(t) && i+1 < len(toks) && toks[i+1].Is(":") && i+2 < len(toks) && loopWord(toks[i+2]):
			pending = Label{Name: Unquote(t), Span: Span{t.Start, t.End}}
			i++ // the ':'
			start = true
		case wasStart && (kw == "BEGIN" || kw == "WHILE" || kw == "LOOP" || kw == "REPEAT" || kw == "FOR"):
			if kw == "BEGIN" {
				seenBegin = true
			}
			f := &scriptFrame{kind: kw, label: pending}
			f.label.Kind = kw
			pending = Label{}
			stack = append(stack, f)
			start = kw == "BEGIN" || kw == "LOOP" || kw == "REPEAT"
			if kw == "FOR" {
				i = forLoop(src, toks, i, offset, f)
				start = i < len(toks) && strings.EqualFold(toks[i].Text, "DO") // the body starts
			}
		case wasStart && (kw == "IF" || kw == "CASE"):
			stack = append(stack, &scriptFrame{kind: kw})
		case kw == "CASE":
			stack = append(stack, &scriptFrame{kind: "CASE-EXPR"})
		case kw == "DO" || kw == "THEN" || kw == "ELSE":
			start = true
		case kw == "END":
			want := ""
			if i+1 < len(toks) && toks[i+1].Kind == Ident {
				switch w := strings.ToUpper(toks[i+1].Text); w {
				case "IF", "WHILE", "LOOP", "REPEAT", "FOR", "CASE":
					want = w
					i++
				}
			}
			for len(stack) > 0 {
				f := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if want == "" || f.kind == want {
					break
				}
			}
		case wasStart && kw == "DECLARE" && len(stack) > 0:
			i, start = declare(src, toks, i, offset, stack)
		}
	}
	if !seenBegin || len(stack) == 0 {
		return ScriptScope{}, false
	}
	if p := min(i, len(toks)) - 1; p >= 0 && toks[p].Kind == Ident {
		switch strings.ToUpper(toks[p].Text) {
		case "LEAVE", "ITERATE":
			out.WantLabel = true
		}
	}
	out.WantCondition = conditionWanted(toks, offset)
	for k := len(stack) - 1; k >= 0; k-- {
		f := stack[k]
		for j := len(f.conds) - 1; j >= 0; j-- {
			out.Conditions = append(out.Conditions, f.conds[j])
		}
		for j := len(f.vars) - 1; j >= 0; j-- {
			v := f.vars[j]
			v.Label = f.label.Name
			out.Vars = append(out.Vars, v)
		}
		if f.label.Name != "" {
			out.Labels = append(out.Labels, f.label)
		}
	}
	return out, true
}

// conditionWanted reports whether the cursor at offset (after the word
// being typed, if any) follows SIGNAL, RESIGNAL, or HANDLER FOR and a
// list of conditions.
func conditionWanted(toks []Token, offset int) bool {
	p := -1
	for i, t := range toks {
		if t.End > offset || t.End == offset && t.Kind == Ident && t.Start < offset {
			break
		}
		p = i
	}
	if p >= 0 && (toks[p].IsKeyword("SIGNAL") || toks[p].IsKeyword("RESIGNAL")) {
		return true
	}
	if p < 0 || !toks[p].Is(",") && !toks[p].IsKeyword("FOR") {
		return false // after a condition, the handler's body follows
	}
	for ; p >= 1; p-- {
		switch t := toks[p]; {
		case t.IsKeyword("FOR"):
			return toks[p-1].IsKeyword("HANDLER")
		case t.Is(","), isName(t), t.Kind == String:
		default:
			return false
		}
	}
	return false
}

func loopWord(t Token) bool {
	switch strings.ToUpper(t.Text) {
	case "BEGIN", "WHILE", "LOOP", "REPEAT", "FOR":
		return t.Kind == Ident
	}
	return false
}

// forLoop reads FOR [var AS] query DO at i and returns the index of DO (or
// of the last token read). The row variable is visible after DO only.
func forLoop(src string, toks []Token, i, offset int, f *scriptFrame) int {
	j := i + 1
	var v *LocalVar
	if j+1 < len(toks) && isName(toks[j]) && strings.EqualFold(toks[j+1].Text, "AS") {
		v = &LocalVar{Name: Unquote(toks[j]), Span: Span{toks[j].Start, toks[j].End}, Row: true}
		j += 2
	}
	q := j
	depth := 0
	for ; j < len(toks); j++ {
		switch {
		case toks[j].Is("("):
			depth++
		case toks[j].Is(")"):
			depth--
		case depth == 0 && toks[j].Kind == Ident && strings.EqualFold(toks[j].Text, "DO"):
			if v != nil && toks[j].End <= offset {
				lo, hi := toks[q].Start, toks[j-1].End
				if q < j-1 && toks[q].Is("(") && toks[j-1].Is(")") {
					lo, hi = toks[q].End, toks[j-1].Start
				}
				if lo < hi {
					v.Columns = queryColumns(src[lo:hi])
				}
				f.vars = append(f.vars, *v)
			}
			return j
		}
		if toks[j].End > offset {
			return j - 1
		}
	}
	return j - 1
}

// queryColumns names the columns of a query's result as far as its text
// tells.
func queryColumns(q string) []string {
	a := analyze(q, 0, false)
	return colNames(a.queryCols(a.root).cols)
}

// declare reads DECLARE [OR REPLACE] [VARIABLE|VAR] name [, …] [type]
// [DEFAULT expr | = expr] at i into the innermost block, and returns the
// index of the ';' after it (or of the last token read), and whether a
// statement starts after that index. Conditions and handlers declare no
// variable; the BEGIN … END body of a handler is a block of its own.
func declare(src string, toks []Token, i, offset int, stack []*scriptFrame) (int, bool) {
	if i+1 < len(toks) && (strings.EqualFold(toks[i+1].Text, "EXIT") || strings.EqualFold(toks[i+1].Text, "CONTINUE")) {
		for k := i + 2; k < len(toks) && !toks[k].Is(";"); k++ {
			if strings.EqualFold(toks[k].Text, "BEGIN") && toks[k].Kind == Ident {
				return k - 1, true
			}
		}
		return i + 1, false // a one-statement handler: its ';' ends it
	}
	var f *scriptFrame
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].kind == "BEGIN" {
			f = stack[k]
			break
		}
	}
	j := i + 1
	for j < len(toks) && toks[j].Kind == Ident {
		switch strings.ToUpper(toks[j].Text) {
		case "OR", "REPLACE", "VARIABLE", "VAR":
			j++
			continue
		}
		break
	}
	var names []LocalVar
	for j < len(toks) && isName(toks[j]) {
		names = append(names, LocalVar{Name: Unquote(toks[j]), Span: Span{toks[j].Start, toks[j].End}})
		j++
		if j < len(toks) && toks[j].Is(",") {
			j++
			continue
		}
		break
	}
	end := j
	for end < len(toks) && !toks[end].Is(";") {
		end++
	}
	if len(names) == 0 || f == nil {
		return end, true
	}
	if j < len(toks) && toks[j].Kind == Ident && strings.EqualFold(toks[j].Text, "CONDITION") {
		if end < len(toks) && toks[end].Start < offset {
			c := Condition{Name: names[0].Name, Span: names[0].Span}
			for k := j + 1; k < end; k++ {
				if toks[k].Kind == String {
					c.SQLState = toks[k].Text
				}
			}
			f.conds = append(f.conds, c)
		}
		return end, true
	}
	typ, def := "", ""
	k := j
	for k < end && !toks[k].Is("=") && !strings.EqualFold(toks[k].Text, "DEFAULT") {
		k++
	}
	if k > j {
		typ = src[toks[j].Start:toks[k-1].End]
	}
	if k+1 < end {
		def = src[toks[k+1].Start:toks[end-1].End]
	}
	if end >= len(toks) || toks[end].Start >= offset {
		// The declaration is being typed: not in scope yet.
		return end, true
	}
	for _, v := range names {
		v.Type, v.Default = typ, def
		f.vars = append(f.vars, v)
	}
	return end, true
}

// containsFold reports whether s holds the ASCII word sub (lower-case) in
// any case, without copying s.
func containsFold(s, sub string) bool {
	first := sub[:1] + strings.ToUpper(sub[:1])
	for i := 0; ; {
		k := strings.IndexAny(s[i:], first)
		if k < 0 {
			return false
		}
		i += k
		if i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
		i++
	}
}

// SessionVars returns the session variables that the statements before
// the one at offset declare (DECLARE [OR REPLACE] [VARIABLE] v [type]
// [DEFAULT expr]), latest first, less those dropped again (DROP TEMPORARY
// VARIABLE v). A statement inside a BEGIN … END block declares a local
// variable instead; see [ScriptAt].
//
// Like [ScriptAt] it reads at most scriptWindow bytes before offset.
func SessionVars(src string, offset int) []LocalVar {
	offset = min(max(offset, 0), len(src))
	w := windowStart(src, offset)
	vars := sessionVars(src[w:offset], offset-w)
	for i := range vars {
		vars[i].Span = shift(vars[i].Span, w)
	}
	return vars
}

func sessionVars(src string, offset int) []LocalVar {
	if !containsFold(src, "declare") {
		return nil
	}
	var vars []LocalVar
	for _, s := range SplitStatements(src) {
		if s.End >= offset {
			break
		}
		toks := significantOf(lexRegion(src, region{s.Start, s.End}))
		if len(toks) == 0 || toks[0].Kind != Ident {
			continue
		}
		switch strings.ToUpper(toks[0].Text) {
		case "DECLARE":
			f := &scriptFrame{kind: "BEGIN"}
			declare(src, append(toks, Token{Kind: Op, Text: ";", Start: s.End, End: s.End}), 0, s.End+1, []*scriptFrame{f})
			for _, v := range f.vars {
				v.Session = true
				if v.Type == "" {
					v.Type = literalType(v.Default)
				}
				vars = dropVar(vars, v.Name)
				vars = append(vars, v)
			}
		case "DROP":
			if n := len(toks); n >= 4 && strings.EqualFold(toks[1].Text, "TEMPORARY") && strings.EqualFold(toks[2].Text, "VARIABLE") {
				vars = dropVar(vars, Unquote(toks[n-1]))
			}
		}
	}
	for i, j := 0, len(vars)-1; i < j; i, j = i+1, j-1 {
		vars[i], vars[j] = vars[j], vars[i]
	}
	return vars
}

func dropVar(vars []LocalVar, name string) []LocalVar {
	out := vars[:0]
	for _, v := range vars {
		if !strings.EqualFold(v.Name, name) {
			out = append(out, v)
		}
	}
	return out
}

// literalType is the type of a simple literal default, as Spark infers a
// variable's type from it, or "".
func literalType(def string) string {
	toks := significant(Lex(def))
	if len(toks) != 1 {
		return ""
	}
	t := toks[0]
	switch {
	case t.Kind == String:
		return "STRING"
	case t.Kind == Number && strings.ContainsAny(t.Text, "eE"):
		return "DOUBLE"
	case t.Kind == Number && strings.Contains(t.Text, "."):
		return "DECIMAL"
	case t.Kind == Number && strings.IndexFunc(t.Text, func(r rune) bool { return r < '0' || r > '9' }) < 0:
		return "INT"
	case strings.EqualFold(t.Text, "true"), strings.EqualFold(t.Text, "false"):
		return "BOOLEAN"
	}
	return ""
}

// ScriptQueries are the queries that stand as statements of their own in
// the SQL script stmt (BEGIN … END; spans in stmt) and use none of its
// names: no local variable, FOR row variable, label or condition, so that
// Spark can analyse each alone. A query that uses one is left out (Spark
// alone would call the name unresolved), and so is every other statement:
// a query's place is the start of a statement, or after THEN, ELSE, DO,
// BEGIN, LOOP or REPEAT.
func ScriptQueries(stmt string) []Statement {
	toks := significantOf(Lex(stmt))
	if !scriptStart(toks) {
		return nil
	}
	locals := map[string]bool{}
	for i, t := range toks {
		switch {
		case t.IsKeyword("DECLARE"):
			j := i + 1
			for j < len(toks) && (toks[j].IsKeyword("OR") || toks[j].IsKeyword("REPLACE") || toks[j].IsKeyword("VARIABLE") || toks[j].IsKeyword("VAR")) {
				j++
			}
			for ; j < len(toks) && isName(toks[j]) && !toks[j].IsKeyword("EXIT") && !toks[j].IsKeyword("CONTINUE"); j += 2 {
				locals[strings.ToLower(Unquote(toks[j]))] = true
				if j+1 >= len(toks) || !toks[j+1].Is(",") {
					break
				}
			}
		case t.IsKeyword("FOR") && i+2 < len(toks) && isName(toks[i+1]) && toks[i+2].IsKeyword("AS"):
			locals[strings.ToLower(Unquote(toks[i+1]))] = true
		case t.Is(":") && i > 0 && isName(toks[i-1]) && i+1 < len(toks) && loopWord(toks[i+1]):
			locals[strings.ToLower(Unquote(toks[i-1]))] = true
		}
	}
	var out []Statement
	depth, start := 0, -1 // start: the query being read, or -1
	after := true         // a statement may start at the next token
	flush := func(end int) {
		if start < 0 || end <= start {
			start = -1
			return
		}
		for _, t := range toks[start:end] {
			if isName(t) && locals[strings.ToLower(Unquote(t))] {
				start = -1
				return
			}
		}
		sp := Span{toks[start].Start, toks[end-1].End}
		out = append(out, Statement{Text: stmt[sp.Start:sp.End], Start: sp.Start, End: sp.End})
		start = -1
	}
	for i, t := range toks {
		switch {
		case t.Is("("):
			depth++
		case t.Is(")"):
			depth--
		}
		if depth != 0 || start >= 0 && !t.Is(";") {
			after = false
			continue
		}
		switch {
		case t.Is(";"):
			flush(i)
			after = true
			continue
		case after && (t.IsKeyword("SELECT") || t.IsKeyword("WITH") || t.IsKeyword("VALUES") || t.IsKeyword("FROM") || t.IsKeyword("TABLE")):
			start = i
		}
		after = t.IsKeyword("THEN") || t.IsKeyword("ELSE") || t.IsKeyword("DO") || t.IsKeyword("BEGIN") ||
			t.IsKeyword("LOOP") || t.IsKeyword("REPEAT")
	}
	return out // a query not ended by ';' is not a statement of the script yet
}

// scriptStart reports whether toks start a compound statement: BEGIN, or
// label: BEGIN.
func scriptStart(toks []Token) bool {
	switch {
	case len(toks) > 0 && toks[0].IsKeyword("BEGIN"):
		return true
	case len(toks) > 2 && isName(toks[0]) && toks[1].Is(":") && toks[2].IsKeyword("BEGIN"):
		return true
	}
	return false
}
