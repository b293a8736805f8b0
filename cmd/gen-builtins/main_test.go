package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparkls/sparkls/internal/gomod"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/internal/ittest"
)

// DESCRIBE FUNCTION EXTENDED rows as Spark 4.0.1 writes them.
var describeRows = map[string][]string{
	"date_add": {
		"Function: date_add",
		"Class: org.apache.spark.sql.catalyst.expressions.DateAdd",
		"Usage: date_add(start_date, num_days) - Returns the date that is `num_days` after `start_date`.",
		"Extended Usage:\n    Examples:\n      > SELECT date_add('2016-07-30', 1);\n       2016-07-31\n  \n    Since: 1.5.0\n",
	},
	"count": {
		"Function: count",
		"Class: org.apache.spark.sql.catalyst.expressions.aggregate.Count",
		"Usage: \n    count(*) - Returns the total number of retrieved rows.\n\n    count(expr[, expr...]) - Returns the number of rows for which the supplied expression(s) are all non-null.\n  ",
		"Extended Usage:\n    Examples:\n      > SELECT count(*) FROM VALUES (NULL), (5) AS tab(col);\n       2\n      > SELECT count(col) FROM VALUES (NULL), (5) AS tab(col);\n       1\n  \n    Since: 1.0.0\n",
	},
	"regexp_extract": {
		"Function: regexp_extract",
		"Class: org.apache.spark.sql.catalyst.expressions.RegExpExtract",
		"Usage: \n    regexp_extract(str, regexp[, idx]) - Extract the first string in the `str` that match the `regexp`\n    expression and corresponding to the regex group index.\n  ",
		"Extended Usage:\n    Arguments:\n      * str - a string expression.\n      * regexp - a string representing a regular expression. The regex string should be a\n          Java regular expression.<br><br>\n          See <a href=\"https://spark.apache.org/docs/latest/sql-ref-literals.html#string-literal\">String Literal</a>.\n  \n    Examples:\n      > SELECT regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 1);\n       100\n  \n    Since: 1.5.0\n",
	},
	"||": {
		"Function: ||",
		"Usage: expr1 || expr2 - Returns the concatenation of `expr1` and `expr2`.",
		"Extended Usage:\n    No example/argument for ||.\n",
	},
}

func TestParseDescribe(t *testing.T) {
	for _, tc := range []struct {
		name string
		want function
	}{
		{"date_add", function{
			Name:     "date_add",
			Class:    "org.apache.spark.sql.catalyst.expressions.DateAdd",
			Usage:    "date_add(start_date, num_days) - Returns the date that is `num_days` after `start_date`.",
			Examples: "> SELECT date_add('2016-07-30', 1);\n 2016-07-31",
		}},
		{"count", function{
			Name:     "count",
			Class:    "org.apache.spark.sql.catalyst.expressions.aggregate.Count",
			Usage:    "count(*) - Returns the total number of retrieved rows.\n\ncount(expr[, expr...]) - Returns the number of rows for which the supplied expression(s) are all non-null.",
			Examples: "> SELECT count(*) FROM VALUES (NULL), (5) AS tab(col);\n 2",
		}},
		{"regexp_extract", function{
			Name:  "regexp_extract",
			Class: "org.apache.spark.sql.catalyst.expressions.RegExpExtract",
			Usage: "regexp_extract(str, regexp[, idx]) - Extract the first string in the `str` that match the `regexp`\nexpression and corresponding to the regex group index.",
			Arguments: "* str - a string expression.\n* regexp - a string representing a regular expression. The regex string should be a\n    Java regular expression.\n\n" +
				"See [String Literal](https://spark.apache.org/docs/latest/sql-ref-literals.html#string-literal).",
			Examples: "> SELECT regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 1);\n 100",
		}},
		{"||", function{Name: "||", Usage: "expr1 || expr2 - Returns the concatenation of `expr1` and `expr2`."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseDescribe(tc.name, describeRows[tc.name]); got != tc.want {
				t.Errorf("got:\n%#v\nwant:\n%#v", got, tc.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("word ", 200)
	if got := clip(long, 100); len(got) > 100+len(" …") || !strings.HasSuffix(got, "word …") {
		t.Errorf("clip = %q", got)
	}
	if got := clip("short", 100); got != "short" {
		t.Errorf("clip = %q", got)
	}
	lines := strings.Repeat("a line of text\n", 20)
	if got := clip(lines, 100); !strings.HasSuffix(got, "a line of text …") {
		t.Errorf("clip at a line break = %q", got)
	}
}

// fakeSpark answers the generator's statements like Spark 4.0.1 and
// records how many DESCRIBE statements were in flight at most.
type fakeSpark struct {
	mu              sync.Mutex
	inFlight, most  int
	described       []string
	failOn          string
	keywordsEnforce bool
}

func (f *fakeSpark) handle(stmt string) (connecttest.Result, error) {
	switch {
	case stmt == "SHOW SYSTEM FUNCTIONS":
		return connecttest.Rows("function string", []any{"||"}, []any{"regexp_extract"}, []any{"date_add"}, []any{"count"}, []any{"count"}), nil
	case strings.HasPrefix(stmt, "DESCRIBE FUNCTION EXTENDED `"):
		name := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(stmt, "DESCRIBE FUNCTION EXTENDED `"), "`"), "``", "`")
		f.mu.Lock()
		f.inFlight++
		f.most = max(f.most, f.inFlight)
		f.described = append(f.described, name)
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inFlight--
			f.mu.Unlock()
		}()
		if name == f.failOn {
			return connecttest.Result{}, connecttest.SparkErr("UNRESOLVED_ROUTINE", "42883", "Cannot resolve routine "+name, 0, 0)
		}
		var rows [][]any
		for _, r := range describeRows[name] {
			rows = append(rows, []any{r})
		}
		return connecttest.Rows("function_desc string", rows...), nil
	case stmt == "SET spark.sql.ansi.enabled=true":
		return connecttest.Rows("key string, value string", []any{"spark.sql.ansi.enabled", "true"}), nil
	case stmt == "SET spark.sql.ansi.enforceReservedKeywords=true":
		f.mu.Lock()
		f.keywordsEnforce = true
		f.mu.Unlock()
		return connecttest.Rows("key string, value string", []any{"spark.sql.ansi.enforceReservedKeywords", "true"}), nil
	case stmt == "SELECT keyword, reserved FROM sql_keywords()":
		f.mu.Lock()
		enforce := f.keywordsEnforce
		f.mu.Unlock()
		return connecttest.Rows("keyword string, reserved boolean",
			[]any{"SELECT", enforce}, []any{"ADD", false}, []any{"lateral", enforce}), nil
	}
	return connecttest.Result{}, connecttest.ErrNotHandled
}

func dialFake(t *testing.T, f *fakeSpark) *connect.Client {
	fake := connecttest.New(t)
	fake.HandleSQL(f.handle)
	r, _ := connect.ParseRemote("sc://127.0.0.1:15002")
	c, err := connect.Dial(t.Context(), r, connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// The whole generator against the fake: names deduplicated and sorted,
// each described once and at most two at a time, reserved keywords read
// with the setting on, and Go that compiles to what the lsp package
// expects.
func TestFetchAndRender(t *testing.T) {
	f := &fakeSpark{}
	b, err := fetch(t.Context(), dialFake(t, f), 2)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fn := range b.Functions {
		names = append(names, fn.Name)
	}
	if strings.Join(names, " ") != "count date_add regexp_extract ||" || len(f.described) != 4 || f.most > 2 {
		t.Errorf("functions %q, described %q, %d in flight at most", names, f.described, f.most)
	}
	if b.Version != "4.0.1" || len(b.Keywords) != 3 || b.Keywords[0] != (keyword{"ADD", false}) ||
		b.Keywords[1] != (keyword{"LATERAL", true}) || b.Keywords[2] != (keyword{"SELECT", true}) {
		t.Errorf("version %q, keywords %+v", b.Version, b.Keywords)
	}
	m, err := merge([]*builtins{b})
	if err != nil {
		t.Fatal(err)
	}
	files, err := render(m)
	if err != nil {
		t.Fatal(err)
	}
	fn, kw := string(files[0].data), string(files[1].data)
	for _, want := range []string{
		"// Code generated by cmd/gen-builtins from Spark 4.0.1; DO NOT EDIT.\n\npackage ide\n",
		"var builtinFunctions = []builtinFunction{\n\t{\n\t\tName:     \"count\",\n",
		"\t\tName:  \"||\",\n\t\tUsage: \"expr1 || expr2 - Returns the concatenation of `expr1` and `expr2`.\",\n\t},\n}\n",
	} {
		if !strings.Contains(fn, want) {
			t.Errorf("functions_builtin.go lacks %q:\n%s", want, fn)
		}
	}
	if !strings.Contains(kw, "var sparkKeywords = []builtinKeyword{\n\t{Word: \"ADD\"},\n\t{Word: \"LATERAL\", Reserved: true},\n\t{Word: \"SELECT\", Reserved: true},\n}\n") {
		t.Errorf("keywords_builtin.go:\n%s", kw)
	}
}

// A function that cannot be described fails the run: a partial list must
// not be committed.
func TestFetchFails(t *testing.T) {
	f := &fakeSpark{failOn: "date_add"}
	if _, err := fetch(t.Context(), dialFake(t, f), 4); err == nil || !strings.Contains(err.Error(), "date_add") {
		t.Errorf("err = %v", err)
	}
}

// committed reads the generated files of ide back: the versions and each
// name with its span and description.
func committed(t *testing.T) *merged {
	t.Helper()
	root, err := gomod.Root()
	if err != nil {
		t.Fatal(err)
	}
	m := &merged{}
	for _, name := range []string{"functions_builtin.go", "keywords_builtin.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "ide", name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			vs := g.Specs[0].(*ast.ValueSpec)
			lit := vs.Values[0].(*ast.CompositeLit)
			for _, e := range lit.Elts {
				switch vs.Names[0].Name {
				case "builtinVersions":
					m.Versions = append(m.Versions, literal(t, e))
				case "builtinFunctions":
					k := keyed(t, e)
					m.Functions = append(m.Functions, mergedFunction{
						function{Name: k["Name"], Usage: k["Usage"], Arguments: k["Arguments"], Examples: k["Examples"], Class: k["Class"]},
						span{k["Since"], k["Removed"]}})
				case "sparkKeywords":
					k := keyed(t, e)
					m.Keywords = append(m.Keywords, mergedKeyword{keyword{k["Word"], k["Reserved"] == "true"}, span{k["Since"], k["Removed"]}})
				}
			}
		}
	}
	if len(m.Versions) == 0 || len(m.Functions) == 0 || len(m.Keywords) == 0 {
		t.Fatalf("ide/*_builtin.go: %d versions, %d functions, %d keywords", len(m.Versions), len(m.Functions), len(m.Keywords))
	}
	return m
}

// literal is the value of a string literal, or the name of an identifier (true).
func literal(t *testing.T, e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	case *ast.Ident:
		return e.Name
	}
	t.Fatalf("unexpected %T", e)
	return ""
}

// keyed is the fields of a keyed composite literal.
func keyed(t *testing.T, e ast.Expr) map[string]string {
	out := map[string]string{}
	for _, kv := range e.(*ast.CompositeLit).Elts {
		kv := kv.(*ast.KeyValueExpr)
		out[kv.Key.(*ast.Ident).Name] = literal(t, kv.Value)
	}
	return out
}

// versionsOf is the indexes into versions of the versions a span covers.
func versionsOf(sp span, versions []string) (first, end int) {
	first, end = 0, len(versions)
	for i, v := range versions {
		if minor(v) == sp.Since {
			first = i
		}
		if minor(v) == sp.Removed {
			end = i
		}
	}
	return first, end
}

// Against the real server (SPARKLS_IT_REMOTE), whichever of the versions
// the committed lists come from it runs: its functions and keywords are
// exactly those the lists give its version, reserved alike, and the
// functions it is the newest version of are described as it describes
// them. A server of a version the lists do not cover fails: run
// make generate-builtins with it added to versions.
func TestITUpToDate(t *testing.T) {
	remote := ittest.Remote(t)
	m := committed(t)
	v := ittest.Version(t)
	at := slices.IndexFunc(m.Versions, func(x string) bool { return minor(x) == minor(v) })
	if at < 0 {
		t.Fatalf("the committed lists come from Spark %s, none a %s like the server's %s; add it to versions in cmd/gen-builtins and run make generate-builtins",
			strings.Join(m.Versions, ", "), minor(v), v)
	}
	r, err := connect.ParseRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	c, err := connect.Dial(t.Context(), r, connect.Options{Version: "gen-builtins-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	names, err := column(ctx, c, "SHOW SYSTEM FUNCTIONS", 0)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	kws, err := keywords(ctx, c)
	if err != nil {
		t.Fatal(err)
	}

	var wantNames []string
	var describe []mergedFunction // those whose newest version is the server's
	for _, f := range m.Functions {
		if first, end := versionsOf(f.span, m.Versions); first <= at && at < end {
			wantNames = append(wantNames, f.Name)
			if end-1 == at {
				describe = append(describe, f)
			}
		}
	}
	var wantKws []keyword
	for _, k := range m.Keywords {
		if first, end := versionsOf(k.span, m.Versions); first <= at && at < end {
			wantKws = append(wantKws, k.keyword)
		}
	}
	regen := fmt.Sprintf("run: go run ./cmd/gen-builtins --remote %s (then the other versions: make generate-builtins)", remote)
	if d := diff(wantNames, names); d != "" {
		t.Errorf("Spark %s's functions differ from the committed lists' (%s): %s", v, regen, d)
	}
	if !slices.Equal(wantKws, kws) {
		t.Errorf("Spark %s's keywords differ from the committed lists' (%s):\ncommitted %v\nserver    %v", v, regen, wantKws, kws)
	}
	got, err := describeAll(ctx, c, func() []string {
		var out []string
		for _, f := range describe {
			out = append(out, f.Name)
		}
		return out
	}(), 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range describe {
		if got[i] != f.function {
			t.Errorf("Spark %s describes %s otherwise (%s):\ncommitted %+v\nserver    %+v", v, f.Name, regen, f.function, got[i])
		}
	}
	t.Logf("Spark %s: %d functions (%d described), %d keywords as committed", v, len(names), len(describe), len(kws))
}

// diff names what only want and only got have.
func diff(want, got []string) string {
	var only, extra []string
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			only = append(only, w)
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			extra = append(extra, g)
		}
	}
	if len(only) == 0 && len(extra) == 0 {
		return ""
	}
	return fmt.Sprintf("the server lacks %q and has more: %q", only, extra)
}

// Merging versions: each name carries the minor versions that have it, and
// the newest of them describes it; a name that leaves and comes back, or a
// keyword reserved in one version and not another, cannot be told.
func TestMerge(t *testing.T) {
	fn := func(name, usage string) function { return function{Name: name, Usage: usage} }
	v35 := &builtins{Version: "3.5.7", Functions: []function{fn("abs", "old abs"), fn("gone", "gone soon")},
		Keywords: []keyword{{"SELECT", true}, {"OLD", false}}}
	v40 := &builtins{Version: "4.0.1", Functions: []function{fn("abs", "abs"), fn("gone", "going"), fn("new", "new")},
		Keywords: []keyword{{"SELECT", true}, {"OLD", false}, {"NEW", false}}}
	v41 := &builtins{Version: "4.1.4", Functions: []function{fn("abs", "abs 4.1"), fn("new", "new")},
		Keywords: []keyword{{"SELECT", true}, {"NEW", false}}}
	m, err := merge([]*builtins{v35, v40, v41})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(m.Versions, m.Functions, m.Keywords)
	want := "[3.5.7 4.0.1 4.1.4] [{{abs abs 4.1   } { }} {{gone going   } { 4.1}} {{new new   } {4.0 }}] " +
		"[{{NEW false} {4.0 }} {{OLD false} { 4.1}} {{SELECT true} { }}]"
	if got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	back := &builtins{Version: "4.2.1", Functions: []function{fn("abs", ""), fn("gone", "back")}, Keywords: []keyword{{"SELECT", true}}}
	if _, err := merge([]*builtins{v35, v40, v41, back}); err == nil || !strings.Contains(err.Error(), "gone is in Spark 4.0.1 and 4.2.1 but not in between") {
		t.Errorf("a function that came back: %v", err)
	}
	flip := &builtins{Version: "4.2.1", Functions: []function{fn("abs", "")}, Keywords: []keyword{{"SELECT", false}}}
	if _, err := merge([]*builtins{v35, flip}); err == nil || !strings.Contains(err.Error(), "SELECT") {
		t.Errorf("a keyword reserved in one version only: %v", err)
	}
}
