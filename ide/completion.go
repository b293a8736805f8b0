package ide

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// Completion: what sqltext.At says belongs at the cursor, filled from the
// catalog cache (schema.go), the text itself (CTEs, aliases, the columns of
// subqueries) and the built-in functions and keywords. Names are matched
// exact, then by prefix, then fuzzy (schema.MatchName), nearest first; the
// list is capped and says isIncomplete when it was cut or when the catalog
// may still grow (a load outlived the cache's budget). Each item replaces
// the word at the cursor (sqltext's Word: a backquoted name whole) and
// carries a small key in data; completionItem/resolve turns it into
// documentation, so the list itself stays small.

// MaxCompletionItems caps a completion list.
const MaxCompletionItems = 200

// Sections of a completion list, in order (within a match class).
const (
	groupCTE       = iota // a CTE in scope
	groupColumn           // a column of a table in scope
	groupRef              // an alias or table of the scope (to qualify with)
	groupNamespace        // a namespace (of the current catalog)
	groupCatalog          // a catalog
	groupTable            // a table or view
	groupFunction         // a function
	groupKeyword          // a keyword the position suggests
	groupMoreKw           // any other keyword
)

// candidate is one completion item in the making: plain values, turned
// into an Item by Complete.
type candidate struct {
	label   string
	kind    ItemKind
	detail  string
	insert  string // replaces the word at the cursor; a snippet when snippet
	snippet bool
	filter  string    // what the editor filters on, when not the label
	keyword bool      // insert follows the user's case
	doc     string    // Markdown known at once (else resolved from data)
	data    *ItemData // what completionItem/resolve documents

	class schema.MatchClass
	group int
	prox  int // higher first within a group (schema.Match.Proximity)
	score int // fuzzy score, higher first
}

// ItemData is the key of an item for completionItem/resolve: the client
// sends it back, and ResolveDoc documents it.
type ItemData struct {
	Table     []string `json:"t,omitempty"` // catalog, namespace, table; one part: a temporary view
	Column    string   `json:"c,omitempty"`
	Function  string   `json:"f,omitempty"`
	Namespace []string `json:"n,omitempty"` // catalog, namespace
}

// completeOptions are what the client supports.
type completeOptions struct {
	snippets bool
	limit    int
	online   bool          // the cache loads from Spark (what it lacks may come)
	touches  *TouchLimiter // rate-limits prefetches (nil: none)
	params   map[string]string
	// sessionVars are the session's variables with their values.
	sessionVars []SessionVar
	variants    VariantShapes // nil: VARIANT keys are not learnt
}

// completion is the answer for one cursor.
type completion struct {
	items      []candidate // best first, at most the limit
	word       sqltext.Span
	incomplete bool
	loading    bool // the catalog did not answer in full in time
}

// complete works out the completion at byte offset off of text.
func complete(ctx context.Context, cache *schema.Cache, text string, off int, opt completeOptions) completion {
	if opt.limit <= 0 {
		opt.limit = MaxCompletionItems
	}
	ctx, cancel := lookupCtx(ctx)
	defer cancel()
	cp := &completer{ctx: ctx, c: sqltext.At(text, off), text: text, opt: opt, v: newCatalogView(cache, opt.online, text, off)}
	bindIdentifiers(&cp.c.Scope, opt.params)
	cp.v.touches = opt.touches
	cp.prefix = cp.c.Prefix
	cp.match = schema.NewMatcher(cp.prefix)
	cp.script, cp.inScript = sqltext.ScriptAt(text, off)
	if cp.inScript && cp.script.WantLabel {
		cp.scriptLabels()
		return cp.result()
	}
	if cp.inScript && cp.script.WantCondition {
		cp.scriptConditions()
		return cp.result()
	}
	if vp, ok := variantPathAt(text, cp.c.Word.Start); ok && cp.c.Expect == sqltext.ExpectColumn && cp.variantKeys(vp) {
		return cp.result()
	}
	switch cp.c.Expect {
	case sqltext.ExpectKeyword:
		cp.keywords(cp.c.Keywords, true)
	case sqltext.ExpectType:
		cp.keywords(cp.c.Keywords, false)
	case sqltext.ExpectCatalog:
		cp.catalogs()
	case sqltext.ExpectNamespace:
		cp.namespaces()
	case sqltext.ExpectTable:
		cp.tables()
	case sqltext.ExpectColumn:
		cp.columns()
	}
	return cp.result()
}

type completer struct {
	ctx    context.Context
	c      sqltext.Context
	v      *catalogView
	text   string
	opt    completeOptions
	prefix string
	match  *schema.Matcher // prefix, prepared once for every name
	out    []candidate
	more   bool // a search dropped matches beyond the limit
	// script is the SQL script around the cursor, when inScript.
	script   sqltext.ScriptScope
	inScript bool
}

// add offers a name-like candidate matched against what was typed (prefix
// or fuzzy), and reports whether it matched.
func (cp *completer) add(c candidate, name string) bool {
	c.class, c.score = cp.match.Match(name)
	if c.class == schema.MatchNone {
		return false
	}
	if cp.c.Quoted {
		c.filter = "`" + name
		c.insert = "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	cp.out = append(cp.out, c)
	return true
}

// addName offers a catalog or text name, quoted as SQL needs it.
func (cp *completer) addName(c candidate, name string) bool {
	if c.insert == "" {
		c.insert = quoteName(name)
	}
	if c.label == "" {
		c.label = name
	}
	return cp.add(c, name)
}

// result sorts, caps and says whether the list may grow.
func (cp *completer) result() completion {
	slices.SortStableFunc(cp.out, func(a, b candidate) int {
		if a.class != b.class {
			return cmp.Compare(b.class, a.class)
		}
		if a.group != b.group {
			return cmp.Compare(a.group, b.group)
		}
		if a.prox != b.prox {
			return cmp.Compare(b.prox, a.prox)
		}
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		if cp.prefix == "" {
			// Nothing typed: columns in table order, keywords best first,
			// the rest by name.
			if a.group == groupColumn || a.group >= groupKeyword {
				return 0
			}
		} else if len(a.label) != len(b.label) {
			return cmp.Compare(len(a.label), len(b.label))
		}
		return cmp.Compare(strings.ToLower(a.label), strings.ToLower(b.label))
	})
	res := completion{items: cp.out, word: cp.c.Word, incomplete: cp.more || cp.v.partial, loading: cp.v.partial}
	if len(res.items) > cp.opt.limit {
		res.items, res.incomplete = res.items[:cp.opt.limit], true
	}
	return res
}

// ---------------------------------------------------------------------------
// Keywords.

// exprKeywords start an expression; columns positions offer them after the
// hints of sqltext.
var exprKeywords = []string{"CASE", "CAST", "NOT", "NULL", "TRUE", "FALSE", "EXISTS", "INTERVAL", "DISTINCT"}

// keywords offers hints (the keywords sqltext suggests at the cursor, best
// first) and, with general and something typed, every other keyword that
// starts with it. Keywords match by prefix only and follow the user's case.
func (cp *completer) keywords(hints []string, general bool) {
	if cp.c.Quoted {
		return // a backquote starts a name
	}
	lower := cp.prefix != "" && cp.prefix == strings.ToLower(cp.prefix)
	seen := map[string]bool{}
	offer := func(kw string, group, rank int) {
		if seen[kw] {
			return
		}
		seen[kw] = true
		class, _ := cp.match.Match(kw)
		if class < schema.MatchPrefix {
			return
		}
		ins := kw
		if lower {
			ins = strings.ToLower(kw)
		}
		cp.out = append(cp.out, candidate{label: kw, kind: KindKeyword, insert: ins, keyword: true,
			class: class, group: group, prox: -rank})
	}
	for i, kw := range hints {
		offer(kw, groupKeyword, i)
	}
	if general && cp.prefix != "" {
		for _, kw := range sparkKeywords {
			if inVersion(kw.Since, kw.Removed, cp.v.snap.SparkVersion) {
				offer(kw.Word, groupMoreKw, 0)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Catalogs, namespaces, tables.

func (cp *completer) catalogs() {
	for _, c := range cp.v.snap.Catalogs {
		cp.addName(candidate{kind: KindModule, detail: "catalog", group: groupCatalog}, c.Name)
	}
}

// namespaceItems offers the namespaces of catalog cat.
func (cp *completer) namespaceItems(cat string) {
	c := cp.v.snap.Catalog(cat)
	if c == nil {
		return
	}
	for _, n := range c.Namespaces {
		prox := 0
		if strings.EqualFold(n.Name, cp.v.ns) && strings.EqualFold(c.Name, cp.v.cat) {
			prox = 1
		}
		cp.addName(candidate{kind: KindModule, detail: "namespace · " + c.Name, group: groupNamespace, prox: prox,
			data: &ItemData{Namespace: []string{c.Name, n.Name}}}, n.Name)
	}
}

// namespaces: after USE (or SHOW TABLES IN, ...): the namespaces of the
// current catalog and the catalogs, or after cat. those of cat.
func (cp *completer) namespaces() {
	if q := cp.c.Qualifier; len(q) > 0 {
		cp.namespaceItems(q[0])
		return
	}
	cp.namespaceItems(cp.v.cat)
	cp.catalogs()
	cp.keywords(cp.c.Keywords, false)
}

// tables: after FROM, JOIN, INTO, TABLE, DESCRIBE...: CTEs, temporary views,
// the tables of the current namespace, namespaces and catalogs; after ns.
// the tables of ns (and, if a catalog has that name, its namespaces);
// after cat.ns. the tables of cat.ns.
func (cp *completer) tables() {
	q := cp.c.Qualifier
	switch len(q) {
	case 0:
		for _, d := range cp.c.Scope.CTEs {
			cp.addName(candidate{kind: KindReference, detail: "CTE", doc: cteMarkdown(d, nil), group: groupCTE}, d.Name)
		}
		for _, t := range cp.v.snap.TempViews {
			cp.addName(candidate{kind: KindStruct, detail: "temporary view", group: groupTable, prox: 2,
				data: &ItemData{Table: []string{t.Name}}}, t.Name)
		}
		if cp.v.ns != "" && cp.knownNamespace(cp.v.cat, cp.v.ns) {
			cp.tablesOf(cp.v.cat, cp.v.ns, false)
		}
		cp.namespaceItems(cp.v.cat)
		cp.catalogs()
		cp.tableFunctions()
		cp.keywords(cp.c.Keywords, false)
		if cp.opt.online && cp.v.ns == "" {
			cp.v.partial = true // the catalog has not loaded yet: ask again
		}
	case 1:
		if cp.knownNamespace(cp.v.cat, q[0]) {
			cp.tablesOf(cp.v.cat, q[0], true)
		}
		if cp.v.snap.Catalog(q[0]) != nil {
			cp.namespaceItems(q[0])
		}
	default:
		cp.tablesOf(q[0], strings.Join(q[1:], "."), true)
	}
}

// tableFunctions are the table-valued functions FROM takes.
var tableFunctions = []string{"range", "explode", "explode_outer", "inline", "inline_outer", "posexplode",
	"posexplode_outer", "stack", "json_tuple", "variant_explode", "variant_explode_outer", "sql_keywords"}

// tableFunctions offers the table-valued functions (after FROM).
func (cp *completer) tableFunctions() {
	if cp.c.Quoted {
		return
	}
	paren := strings.HasPrefix(strings.TrimLeft(cp.text[cp.c.Word.End:], " \t"), "(")
	for _, name := range tableFunctions {
		f, ok := lookupFunction(cp.v.snap, name)
		if !ok {
			continue
		}
		c := candidate{label: name, kind: KindFunction, detail: callForm(f.usage, name),
			insert: name, group: groupFunction, data: &ItemData{Function: name}}
		if cp.opt.snippets && !paren {
			c.insert, c.snippet = callSnippet(name, c.detail), true
		}
		cp.add(c, name)
	}
}

// knownNamespace tells whether ns may be a namespace of cat: the snapshot
// has it, or has not listed cat's namespaces yet (so a load may find it).
func (cp *completer) knownNamespace(cat, ns string) bool {
	c := cp.v.snap.Catalog(cat)
	return c == nil || c.NamespacesAt.IsZero() && len(c.Namespaces) == 0 || c.Namespace(ns) != nil
}

// tablesOf offers the tables and views of namespace cat.ns (loading its
// listing within the budget); typed says the user typed the namespace,
// whose columns are then prefetched.
func (cp *completer) tablesOf(cat, ns string, typed bool) {
	n := cp.v.namespace(cp.ctx, cat, ns)
	if n == nil {
		return
	}
	if typed {
		cp.v.touch(n.Catalog, n.Name)
	}
	inStmt := cp.statementTables()
	var matches []schema.Match
	if cp.prefix == "" && !cp.c.Quoted {
		// Nothing typed: the list shows names in order, so the first ones
		// of the sorted namespace (and those of the statement) are the
		// answer; no need to rank them all.
		for _, t := range inStmt {
			if strings.EqualFold(t.Catalog, n.Catalog) && strings.EqualFold(t.Namespace, n.Name) {
				matches = append(matches, schema.Match{Table: t, Class: schema.MatchPrefix, Proximity: 3})
			}
		}
		prox := 0
		if strings.EqualFold(n.Catalog, cp.v.snap.CurrentCatalog) {
			prox = 1 + b2i(strings.EqualFold(n.Name, cp.v.snap.CurrentNamespace))
		}
		for _, t := range n.Tables[:min(len(n.Tables), cp.opt.limit)] {
			matches = append(matches, schema.Match{Table: t, Class: schema.MatchPrefix, Proximity: prox})
		}
		cp.more = cp.more || len(n.Tables) > cp.opt.limit
	} else {
		var more bool
		matches, more = cp.v.snap.Search(schema.Query{
			Text: cp.prefix, Want: schema.WantTables, Catalog: n.Catalog, Namespace: n.Name,
			InStatement: inStmt, Limit: cp.opt.limit,
		})
		cp.more = cp.more || more
	}
	seen := map[*schema.Table]bool{}
	for _, m := range matches {
		t := m.Table
		if seen[t] {
			continue
		}
		seen[t] = true
		kind := KindClass
		if isView(t.Kind) {
			kind = KindStruct
		}
		c := candidate{label: t.Name, kind: kind, detail: kindName(t.Kind) + " · " + n.Name, insert: quoteName(t.Name),
			group: groupTable, prox: m.Proximity, data: &ItemData{Table: []string{n.Catalog, n.Name, t.Name}}}
		if cp.add(c, t.Name) {
			last := &cp.out[len(cp.out)-1]
			last.class, last.score = m.Class, m.Score // the index's verdict
		}
	}
}

// statementTables are the catalog tables the statement already names that
// the snapshot knows (they rank first).
func (cp *completer) statementTables() []*schema.Table {
	var out []*schema.Table
	for _, r := range cp.c.Scope.Tables {
		if r.Kind == sqltext.RefTable {
			if t := cp.v.snap.Table(cp.v.qualify(r.Name)); t != nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Columns, functions.

// columns: in an expression, the columns of the tables in scope (with
// their alias where a name is ambiguous), the aliases, functions and
// keywords; after x. the columns of the table or alias x (or the fields of
// a struct column x).
func (cp *completer) columns() {
	q := cp.c.Qualifier
	if len(q) > 0 {
		if cp.scriptQualified(q) || cp.sessionQualified(q) {
			return
		}
		cp.qualifiedColumns(q)
		return
	}
	type refCols struct {
		r    sqltext.TableRef
		cols []refColumn
	}
	var refs []refCols
	count := map[string]int{}
	for _, r := range cp.c.Scope.Tables {
		cols := dedupe(cp.v.refColumns(cp.ctx, r, false))
		refs = append(refs, refCols{r, cols})
		for _, c := range cols {
			count[strings.ToLower(c.Name)]++
		}
	}
	for _, rc := range refs {
		qual := refName(rc.r)
		for _, col := range rc.cols {
			c := cp.columnCandidate(rc.r, col)
			c.prox = -rc.r.Outer
			if count[strings.ToLower(col.Name)] > 1 && qual != "" && !cp.c.Quoted {
				c.label = qual + "." + col.Name
				c.insert = quoteName(qual) + "." + quoteName(col.Name)
				c.filter = col.Name
			}
			cp.add(c, col.Name)
		}
	}
	// A lateral column alias: Spark resolves a table's column of the same
	// name first.
	for _, a := range cp.c.Scope.Aliases {
		if count[strings.ToLower(a)] == 0 {
			cp.addName(candidate{kind: KindField, detail: "column alias", group: groupColumn}, a)
		}
	}
	for _, r := range cp.c.Scope.Tables {
		if name := refName(r); name != "" {
			cp.addName(candidate{kind: KindVariable, detail: refDetail(r), group: groupRef, prox: -r.Outer}, name)
		}
	}
	cp.scriptVars()
	cp.functions()
	cp.keywords(append(slices.Clone(cp.c.Keywords), exprKeywords...), false)
}

// columnCandidate is the item of one column of reference r.
func (cp *completer) columnCandidate(r sqltext.TableRef, col refColumn) candidate {
	c := candidate{label: col.Name, kind: KindField, insert: quoteName(col.Name), group: groupColumn}
	owner := refName(r)
	switch {
	case col.Col != nil:
		c.detail = col.Col.Type
		if owner != "" {
			c.detail += " · " + owner
		}
		ref := col.Table.Ref()
		c.data = &ItemData{Table: refParts(ref), Column: col.Name}
	default:
		c.detail = refKindName(r.Kind)
		if owner != "" {
			c.detail += " · " + owner
		}
	}
	return c
}

// qualifiedColumns offers the columns after q. : of the reference q names
// (an alias, a table or CTE name, or the end of a table's dotted name), or
// the fields of a struct column.
func (cp *completer) qualifiedColumns(q []string) {
	var r sqltext.TableRef
	found := false
	if len(q) == 1 {
		r, found = cp.c.Scope.Lookup(q[0])
	}
	if !found {
		for _, t := range cp.c.Scope.Tables {
			if len(t.Name) >= len(q) && slices.EqualFunc(t.Name[len(t.Name)-len(q):], q, strings.EqualFold) {
				r, found = t, true
				break
			}
		}
	}
	if found {
		for _, col := range dedupe(cp.v.refColumns(cp.ctx, r, false)) {
			cp.add(cp.columnCandidate(r, col), col.Name)
		}
		return
	}
	cp.structFields(q)
}

// structFields offers the fields of a struct column named by q: [col] or
// [alias col] (and deeper fields after them).
func (cp *completer) structFields(q []string) {
	col, rest := structColumn(cp.ctx, cp.v, cp.c.Scope, q)
	if col == nil {
		return
	}
	typ, ok := pathType(col.Type, rest)
	if !ok {
		return
	}
	for _, f := range structType(typ) {
		cp.addName(candidate{kind: KindField, detail: f.typ, group: groupColumn}, f.name)
	}
}

// dedupe drops columns named again (a CTE's column list and the star over
// its source may both name one).
func dedupe(cols []refColumn) []refColumn {
	seen := map[string]bool{}
	out := cols[:0:0]
	for _, c := range cols {
		k := strings.ToLower(c.Name)
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

// refDetail describes a reference of the scope in a completion item.
func refDetail(r sqltext.TableRef) string {
	if len(r.Name) == 0 {
		return refKindName(r.Kind)
	}
	return refKindName(r.Kind) + " " + strings.Join(r.Name, ".")
}

// refKindName is what a kind of reference is called.
func refKindName(k sqltext.RefKind) string {
	switch k {
	case sqltext.RefTable:
		return "table"
	case sqltext.RefCTE:
		return "CTE"
	case sqltext.RefTVF:
		return "table function"
	case sqltext.RefLateralView:
		return "lateral view"
	case sqltext.RefPipe:
		return "pipe input"
	}
	return "subquery"
}

func refParts(r schema.Ref) []string {
	if r.Catalog == "" && r.Namespace == "" {
		return []string{r.Table}
	}
	return []string{r.Catalog, r.Namespace, r.Table}
}

// fnInfo is a function as completion and hover show it.
type fnInfo struct {
	name, usage, description, arguments, examples string
	udf                                           bool
}

// functionList is the functions the server listed, else the built-ins of
// its version.
func functionList(snap *schema.Snapshot) []fnInfo {
	if len(snap.Functions) > 0 {
		out := make([]fnInfo, 0, len(snap.Functions))
		for _, f := range snap.Functions {
			out = append(out, fnInfo{name: f.Name, usage: f.Usage, description: f.Description, udf: !f.Builtin})
		}
		return out
	}
	out := make([]fnInfo, 0, len(builtinFunctions))
	for _, f := range builtinFunctions {
		if inVersion(f.Since, f.Removed, snap.SparkVersion) {
			out = append(out, builtinInfo(f))
		}
	}
	return out
}

// builtinInfo reads a built-in's usage ("sig - text", signatures apart).
func builtinInfo(f builtinFunction) fnInfo {
	usage, desc, _ := strings.Cut(f.Usage, " - ")
	return fnInfo{name: f.Name, usage: strings.TrimSpace(usage), description: strings.TrimSpace(desc), arguments: f.Arguments, examples: f.Examples}
}

// lookupFunction finds a function by name: the server's, else a built-in
// of its version.
func lookupFunction(snap *schema.Snapshot, name string) (fnInfo, bool) {
	if f := snap.Function(name); f != nil {
		fi := fnInfo{name: f.Name, usage: f.Usage, description: f.Description, udf: !f.Builtin}
		if b, ok := lookupBuiltin(name, snap.SparkVersion); ok {
			fi.arguments, fi.examples = b.Arguments, b.Examples
		}
		return fi, true
	}
	if b, ok := lookupBuiltin(name, snap.SparkVersion); ok {
		return builtinInfo(b), true
	}
	return fnInfo{}, false
}

// functions offers the functions whose name is an identifier (not the
// operators), with a snippet of their arguments where the client takes
// snippets and no parenthesis follows already.
func (cp *completer) functions() {
	if cp.c.Quoted {
		return
	}
	paren := strings.HasPrefix(strings.TrimLeft(cp.text[cp.c.Word.End:], " \t"), "(")
	for _, f := range functionList(cp.v.snap) {
		if !isIdentifier(f.name) {
			continue
		}
		if class, _ := cp.match.Match(f.name); class == schema.MatchNone {
			continue // before building its call form and snippet
		}
		c := candidate{label: f.name, kind: KindFunction, detail: callForm(f.usage, f.name),
			insert: f.name, group: groupFunction, prox: b2i(f.udf), data: &ItemData{Function: f.name}}
		if cp.opt.snippets && !paren {
			c.insert, c.snippet = callSnippet(f.name, c.detail), true
		}
		cp.add(c, f.name)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isIdentifier tells whether s is a plain SQL identifier.
func isIdentifier(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// isWordByte tells whether c may be part of a plain identifier.
func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// callForm is the first call form of a function's usage: "substr(str,
// pos[, len])"; "" when the usage has none.
func callForm(usage, name string) string {
	usage = strings.TrimSpace(usage)
	if i := strings.Index(usage, "\n"); i >= 0 {
		usage = usage[:i]
	}
	low := strings.ToLower(usage)
	i := strings.Index(low, strings.ToLower(name)+"(")
	if i < 0 {
		return ""
	}
	depth := 0
	for j := i + len(name); j < len(usage); j++ {
		switch usage[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return usage[i : j+1]
			}
		}
	}
	return ""
}

// callSnippet is a snippet calling name with placeholders for the required
// arguments of sig ("substr(str, pos[, len])" → substr(${1:str}, ${2:pos})).
func callSnippet(name, sig string) string {
	if sig == "" {
		return name + "($1)$0"
	}
	args := sig[strings.IndexByte(sig, '(')+1 : len(sig)-1]
	if i := strings.IndexByte(args, '['); i >= 0 {
		args = args[:i]
	}
	var ph []string
	depth, start, variadic := 0, 0, false
	split := func(end int) {
		a := strings.TrimSpace(args[start:end])
		variadic = variadic || strings.HasPrefix(a, "...")
		if a != "" && !variadic {
			ph = append(ph, a) // none after "...": f(a, b, ..., z) takes a, b
		}
		start = end + 1
	}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case '(', '<':
			depth++
		case ')', '>':
			depth--
		case ',':
			if depth == 0 {
				split(i)
			}
		}
	}
	split(len(args))
	if len(ph) == 0 {
		if strings.TrimSpace(sig[strings.IndexByte(sig, '(')+1:len(sig)-1]) == "" {
			return name + "()$0"
		}
		return name + "($1)$0"
	}
	var b strings.Builder
	b.WriteString(name + "(")
	for i, a := range ph {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "${%d:%s}", i+1, snippetEscape(a))
	}
	b.WriteString(")$0")
	return b.String()
}

// snippetEscaper is built once: snippets are made for every function item.
var snippetEscaper = strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`)

func snippetEscape(s string) string { return snippetEscaper.Replace(s) }

// structField is a field of a struct type.
type structField struct{ name, typ string }

// structType returns the fields of a struct<a:int,b:...> type, or nil.
// structColumn finds the column a path q starts from: [col …] or [alias
// col …], and the rest of the path after it.
func structColumn(ctx context.Context, v *catalogView, scope sqltext.Scope, q []string) (*schema.Column, []string) {
	find := func(r sqltext.TableRef, name string) *schema.Column {
		for _, c := range v.refColumns(ctx, r, false) {
			if c.Col != nil && strings.EqualFold(c.Name, name) {
				return c.Col
			}
		}
		return nil
	}
	if r, ok := scope.Lookup(q[0]); ok && len(q) > 1 {
		if col := find(r, q[1]); col != nil {
			return col, q[2:]
		}
	}
	for _, r := range scope.Tables {
		if col := find(r, q[0]); col != nil {
			return col, q[1:]
		}
	}
	return nil, nil
}

// pathType follows a path of struct fields and elements
// (sqltext.ElementPart: an array's element, a map's value) down from type
// typ. Map keys are not guessed.
func pathType(typ string, path []string) (string, bool) {
	for _, part := range path {
		if part == sqltext.ElementPart {
			t, ok := elementType(typ)
			if !ok {
				return "", false
			}
			typ = t
			continue
		}
		fields := structType(typ)
		i := slices.IndexFunc(fields, func(f structField) bool { return strings.EqualFold(f.name, part) })
		if i < 0 {
			return "", false
		}
		typ = fields[i].typ
	}
	return typ, true
}

// elementType is the element type of array<T> or the value type of
// map<K,V>.
func elementType(typ string) (string, bool) {
	typ = strings.TrimSpace(typ)
	n := len(typ)
	switch {
	case n > 7 && strings.EqualFold(typ[:6], "array<") && typ[n-1] == '>':
		return strings.TrimSpace(typ[6 : n-1]), true
	case n > 5 && strings.EqualFold(typ[:4], "map<") && typ[n-1] == '>':
		body, depth := typ[4:n-1], 0
		for i := 0; i < len(body); i++ {
			switch body[i] {
			case '<', '(':
				depth++
			case '>', ')':
				depth--
			case ',':
				if depth == 0 {
					return strings.TrimSpace(body[i+1:]), true
				}
			}
		}
	}
	return "", false
}

func structType(typ string) []structField {
	typ = strings.TrimSpace(typ)
	if len(typ) < 8 || !strings.EqualFold(typ[:7], "struct<") || typ[len(typ)-1] != '>' {
		return nil
	}
	body := typ[7 : len(typ)-1]
	var out []structField
	depth, start := 0, 0
	add := func(part string) {
		part = strings.TrimSpace(part)
		name, t, ok := strings.Cut(part, ":")
		if !ok {
			return
		}
		name = strings.TrimSpace(name)
		if len(name) >= 2 && name[0] == '`' && name[len(name)-1] == '`' {
			name = strings.ReplaceAll(name[1:len(name)-1], "``", "`")
		}
		out = append(out, structField{name: name, typ: strings.TrimSpace(t)})
	}
	quoted := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '`':
			quoted = !quoted
		case quoted:
		case c == '<' || c == '(':
			depth++
		case c == '>' || c == ')':
			depth--
		case c == ',' && depth == 0:
			add(body[start:i])
			start = i + 1
		}
	}
	add(body[start:])
	return out
}

// ---------------------------------------------------------------------------
// completionItem/resolve.

// ResolveDoc is the documentation of an item's key.
func ResolveDoc(ctx context.Context, cache *schema.Cache, d ItemData) string {
	ctx, cancel := lookupCtx(ctx)
	defer cancel()
	v := newCatalogView(cache, false, "", 0)
	switch {
	case d.Function != "":
		if f, ok := lookupFunction(v.snap, d.Function); ok {
			return functionMarkdown(f)
		}
	case len(d.Table) > 0:
		r := schema.Ref{Table: d.Table[len(d.Table)-1]}
		if len(d.Table) == 3 {
			r.Catalog, r.Namespace = d.Table[0], d.Table[1]
		}
		if d.Column != "" {
			if t := v.table(ctx, r, true); t != nil {
				if c := t.Column(d.Column); c != nil {
					return columnMarkdown(c, t)
				}
			}
			return ""
		}
		if t := v.table(ctx, r, false); t != nil {
			return tableMarkdown(t, maxDocColumns)
		}
	case len(d.Namespace) == 2:
		if n := v.snap.Namespace(d.Namespace[0], d.Namespace[1]); n != nil {
			return namespaceMarkdown(n)
		}
	}
	return ""
}

// maxDocColumns bounds the columns a completion item's documentation lists.
const maxDocColumns = 50

// ItemKind is what a completion item names, for the editor's icon.
type ItemKind uint8

// Item kinds.
const (
	KindKeyword   ItemKind = iota + 1
	KindModule             // a catalog or namespace
	KindReference          // a CTE
	KindStruct             // a view
	KindClass              // a table
	KindFunction
	KindVariable // an alias
	KindField    // a column or struct field
)

// CompleteOptions are what the client supports and how the cache is used.
type CompleteOptions struct {
	Snippets bool
	Limit    int           // 0: MaxCompletionItems
	Online   bool          // the cache loads from Spark (what it lacks may come)
	Touches  *TouchLimiter // rate-limits prefetches (nil: none)
	// Params are the known values of named parameter markers (see
	// HoverOptions.Params).
	Params map[string]string
	// SessionVars are the session's variables with their values.
	SessionVars []SessionVar
	// Variants learns the keys of VARIANT columns; nil for none.
	Variants VariantShapes
}

// Item is one completion item: Insert replaces the word at the cursor (a
// snippet when Snippet), Keyword items follow the user's case, Doc is
// Markdown known at once, else Data is what ResolveDoc documents.
type Item struct {
	Label, Detail, Insert, Filter, Doc string
	Kind                               ItemKind
	Snippet, Keyword                   bool
	Data                               *ItemData
}

// Completion is the answer for one cursor: items best first, the word they
// replace, and whether the list may grow (cut, or the catalog still
// loading: then Loading too).
type Completion struct {
	Items      []Item
	Word       sqltext.Span
	Incomplete bool
	Loading    bool
}

// Complete is the completion at byte offset off of text, from the text, the
// built-ins and cache (nil: none). It waits for the catalog at most the
// cache's budget.
func Complete(ctx context.Context, cache *schema.Cache, text string, off int, opt CompleteOptions) Completion {
	res := complete(ctx, cache, text, off, completeOptions{snippets: opt.Snippets, limit: opt.Limit, online: opt.Online, touches: opt.Touches, params: opt.Params, sessionVars: opt.SessionVars, variants: opt.Variants})
	out := Completion{Items: make([]Item, len(res.items)), Word: res.word, Incomplete: res.incomplete, Loading: res.loading}
	for i, c := range res.items {
		out.Items[i] = Item{Label: c.label, Detail: c.detail, Insert: c.insert, Filter: c.filter, Doc: c.doc,
			Kind: c.kind, Snippet: c.snippet, Keyword: c.keyword, Data: c.data}
	}
	return out
}

// BuiltinFunctions are the committed built-in functions of Spark version
// v ("": the newest) as the catalog lists functions: what a cache without a
// connection can offer.
func BuiltinFunctions(v string) []schema.Function {
	fns := make([]schema.Function, 0, len(builtinFunctions))
	for _, f := range builtinFunctions {
		if !inVersion(f.Since, f.Removed, v) {
			continue
		}
		fi := builtinInfo(f)
		fns = append(fns, schema.Function{Name: f.Name, Usage: fi.usage, Description: fi.description, Builtin: true})
	}
	return fns
}
