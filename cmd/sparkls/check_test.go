package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/sqltext"
)

func writeSQL(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Against the fake server: the problems of every file, compiler style, with
// columns in characters; DDL is never sent; exit 1 on a problem, 0 without.
func TestCheckFiles(t *testing.T) {
	fake := connecttest.New(t)
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if i := strings.Index(stmt, "order_idd"); i >= 0 {
			return connecttest.Result{}, connecttest.SparkErr("UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703",
				"A column with name `order_idd` cannot be resolved.", i, i+len("order_idd")-1)
		}
		if sqltext.Classify(stmt).IsQuery() {
			return connecttest.Rows("x int"), nil
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	r, _ := connect.ParseRemote("sc://127.0.0.1:15002")
	c, err := connect.Dial(t.Context(), r, connect.Options{Dialer: fake.Dialer()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	files := []string{"a.sql", "b.sql", "clean.sql"}
	texts := []string{
		"DROP TABLE sales.orders;\nSELECT 'é😀', order_idd FROM sales.orders;\n",
		"SELECT (1;\n",
		"SELECT 1;\n",
	}
	var out, errb bytes.Buffer
	code := checkFiles(t.Context(), c, files, texts, &out, &errb)
	want := "a.sql:2:14: error: A column with name `order_idd` cannot be resolved. [UNRESOLVED_COLUMN.WITH_SUGGESTION]\n" +
		"b.sql:1:8: error: unclosed '('\n"
	if code != 1 || out.String() != want || errb.String() != "sparkls: 2 errors in 3 files\n" {
		t.Errorf("code %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out.String(), want, errb.String())
	}
	for _, stmt := range fake.Executed() {
		if !sqltext.IsReadOnly(stmt) { // SHOW CURRENT NAMESPACE is asked; the DROP must not run
			t.Errorf("executed %q", stmt)
		}
	}

	out.Reset()
	errb.Reset()
	if code := checkFiles(t.Context(), c, files[2:], texts[2:], &out, &errb); code != 0 || out.Len()+errb.Len() != 0 {
		t.Errorf("clean file: code %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}

	// Python: the SQL of spark.sql strings is checked; the Spark Connect
	// lint warns, and warnings alone do not fail the check.
	out.Reset()
	errb.Reset()
	py := "spark = SparkSession.builder.remote(\"sc://h\").getOrCreate()\nx = spark.sql(\"SELECT order_idd FROM sales.orders\").rdd\n"
	code = checkFiles(t.Context(), c, []string{"job.py"}, []string{py}, &out, &errb)
	want = "job.py:2:23: error: A column with name `order_idd` cannot be resolved. [UNRESOLVED_COLUMN.WITH_SUGGESTION]\n" +
		"job.py:2:53: warning: DataFrame.rdd and the RDD API are not supported by Spark Connect."
	if code != 1 || !strings.HasPrefix(out.String(), want) || errb.String() != "sparkls: 1 error in 1 file\n" {
		t.Errorf("job.py: code %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out.String(), want, errb.String())
	}
	out.Reset()
	errb.Reset()
	py = "spark = SparkSession.builder.remote(\"sc://h\").getOrCreate()\nsc = spark.sparkContext\n"
	if code := checkFiles(t.Context(), c, []string{"w.py"}, []string{py}, &out, &errb); code != 0 || !strings.Contains(out.String(), "w.py:2:12: warning:") || errb.String() != "sparkls: 1 warning in 1 file\n" {
		t.Errorf("w.py: code %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

func TestCheckUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"check"}, 2, "missing FILE"},
		{[]string{"check", "--nope", "x.sql"}, 2, "flag provided but not defined"},
		{[]string{"check", filepath.Join(t.TempDir(), "missing.sql")}, 2, "missing.sql"},
		{[]string{"check", "--remote", "http://h", writeSQL(t, "a.sql", "SELECT 1")}, 1, "scheme must be sc"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
}

// Against the real server: a misspelled column is reported where it is,
// with its error class, and fails the check; a clean file passes.
func TestITCheck(t *testing.T) {
	remote := ittest.Remote(t)
	bad := writeSQL(t, "bad.sql", "SELECT order_idd FROM sales.orders;\n")
	var out, errb bytes.Buffer
	code := run([]string{"check", "--remote", remote, bad}, &out, &errb)
	got := out.String()
	if code != 1 || !strings.HasPrefix(got, bad+":1:8: error: ") || !strings.HasSuffix(got, " [UNRESOLVED_COLUMN.WITH_SUGGESTION]\n") ||
		strings.Count(got, "\n") != 1 {
		t.Errorf("bad file: code %d\nstdout: %s\nstderr: %s", code, got, errb.String())
	}

	clean := writeSQL(t, "clean.sql", "-- orders\nSELECT order_id, amount FROM sales.orders WHERE status = 'é😀';\nSELECT 1;\n")
	out.Reset()
	errb.Reset()
	if code := run([]string{"check", clean, "--remote", remote}, &out, &errb); code != 0 || out.Len() != 0 {
		t.Errorf("clean file: code %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
}
