package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
	files, err := render(b)
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
	if !strings.Contains(kw, "var sparkKeywords = []string{\n\t\"ADD\",\n\t\"LATERAL\",\n\t\"SELECT\",\n}\n") ||
		!strings.Contains(kw, "var reservedKeywords = []string{\n\t\"LATERAL\",\n\t\"SELECT\",\n}\n") {
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

// generatedFrom finds the Spark version in a generated file's header.
var generatedFrom = regexp.MustCompile(`(?m)^// Code generated by cmd/gen-builtins from Spark (\S+);`)

// Against the real server (SPARKLS_IT_REMOTE): the committed files are
// what the generator writes today. When Spark is upgraded this fails until
// go run ./cmd/gen-builtins is run and its output committed. Only a server
// of the version the files were generated from can say: the lists drift
// with every release (3.5.7 lacks 47 functions of 4.0.1, 4.2.1 has 89 more).
func TestITUpToDate(t *testing.T) {
	remote := ittest.Remote(t)
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(root, "ide", "functions_builtin.go"))
	if err != nil {
		t.Fatal(err)
	}
	from := generatedFrom.FindSubmatch(committed)
	if from == nil {
		t.Fatalf("ide/functions_builtin.go: no %q in its header", generatedFrom)
	}
	if v := ittest.Version(t); v != string(from[1]) {
		t.Skipf("the committed lists are generated from Spark %s; the server is %s", from[1], v)
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
	b, err := fetch(t.Context(), c, 4)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(root, "ide", f.name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(old, f.data) {
			t.Errorf("ide/%s is out of date with Spark %s; run: go run ./cmd/gen-builtins --remote %s", f.name, b.Version, remote)
		}
	}
}
