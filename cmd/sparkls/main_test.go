package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/ittest"
)

func sample() *connect.Result {
	return &connect.Result{
		Columns:   []connect.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "string"}},
		Rows:      [][]connect.Cell{{{Text: "1"}, {Text: "null"}}, {{Text: "22"}, {Null: true}}, {{Text: "3"}, {Text: "a\nb,c"}}},
		Truncated: true,
		Elapsed:   1500 * time.Millisecond,
	}
}

func TestRenderTable(t *testing.T) {
	var b bytes.Buffer
	if err := renderTable(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := `id     | name
bigint | string
-------+-------
1      | null
22     | NULL
3      | a\nb,c
(3 rows; truncated, more rows exist, 1.50 s)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestRenderJSON(t *testing.T) {
	var b bytes.Buffer
	if err := renderJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := `{"columns":[{"name":"id","type":"bigint"},{"name":"name","type":"string"}],"rows":[["1","null"],["22",null],["3","a\nb,c"]],"rowCount":3,"truncated":true,"elapsedMs":1500}` + "\n"
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
}

func TestRenderCSV(t *testing.T) {
	var b bytes.Buffer
	if err := renderCSV(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := "id,name\n1,null\n22,\n3,\"a\nb,c\"\n"
	if b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"help"}, 0, ""},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"query"}, 2, "missing SQL"},
		{[]string{"query", "--format", "xml", "SELECT 1"}, 2, "unknown --format"},
		{[]string{"query", "--limit", "0", "SELECT 1"}, 2, "--limit must be positive"},
		{[]string{"query", "--remote", "http://h", "SELECT 1"}, 1, "scheme must be sc"},
		{[]string{"query", "--remote", "sc://h/;token=zzsecret;use_ssl=false", "SELECT 1"}, 1, "never sent without TLS"},
		{[]string{"catalog", "a", "b"}, 2, "at most one PATTERN"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
		if strings.Contains(errb.String()+out.String(), "zzsecret") {
			t.Errorf("run(%q) printed the token", tc.args)
		}
	}
}

func TestUnreachableRemoteIsOneClearLine(t *testing.T) {
	var out, errb bytes.Buffer
	start := time.Now()
	code := run([]string{"query", "--remote", "sc://127.0.0.1:1", "SELECT 1"}, &out, &errb)
	if code != 1 || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 || !strings.Contains(errb.String(), "is the Spark Connect server running") {
		t.Errorf("code %d stderr %q", code, errb.String())
	}
	if time.Since(start) > 15*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestMatcher(t *testing.T) {
	for _, tc := range []struct {
		pattern, db, table string
		want               bool
	}{
		{"sales_*", "sales_eu", "x", true},
		{"sales_*", "hr", "sales_2024", true},
		{"sales_*", "hr", "orders", false},
		{"sales.ord*", "sales", "orders", true},
		{"sales.ord*", "sales", "customers", false},
		{"SALES.*", "sales", "customers", true},
	} {
		m, err := newMatcher(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.match(tc.db, tc.table); got != tc.want {
			t.Errorf("%q matches %s.%s = %v, want %v", tc.pattern, tc.db, tc.table, got, tc.want)
		}
	}
}

// Against the real server: the documented JSON shape, and the catalog tree.
func TestITQueryAndCatalog(t *testing.T) {
	remote := ittest.Remote(t)
	var out, errb bytes.Buffer
	if code := run([]string{"query", "--remote", remote, "--format", "json", "--limit", "2", "SELECT order_id, status FROM sales.orders ORDER BY order_id"}, &out, &errb); code != 0 {
		t.Fatalf("query: %d %s", code, errb.String())
	}
	var got struct {
		Columns   []connect.Column `json:"columns"`
		Rows      [][]*string      `json:"rows"`
		RowCount  int              `json:"rowCount"`
		Truncated bool             `json:"truncated"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.RowCount != 2 || !got.Truncated || *got.Rows[0][0] != "1001" || got.Columns[1].Type != "string" {
		t.Errorf("json = %s", out.String())
	}
	out.Reset()
	if code := run([]string{"catalog", "--remote", remote, "--columns", "sales.ord*"}, &out, &errb); code != 0 {
		t.Fatalf("catalog: %d %s", code, errb.String())
	}
	for _, want := range []string{"spark_catalog", "    orders managed  -- Customer orders, partitioned by day", "      order_date date partition  -- partition column"} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("catalog output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(out.String(), "  sales  -- ") || strings.Contains(out.String(), "    customers") {
		t.Errorf("pattern not applied:\n%s", out.String())
	}
	errb.Reset()
	if code := run([]string{"query", "--remote", remote, "SELECT nope FROM sales.orders"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "UNRESOLVED_COLUMN") || !strings.Contains(errb.String(), "line 1, column 8") {
		t.Errorf("error: %d %q", code, errb.String())
	}
}

// A mistyped remote never shows its secret on the command line either.
func TestMalformedRemoteHidesSecret(t *testing.T) {
	for _, remote := range []string{"sc://host:15002;token=zzsecret", "sc://host:15002/token=zzsecret", "sc://h:1/?token=zzsecret", "sc://me:zzsecret@h:1"} {
		var out, errb bytes.Buffer
		code := run([]string{"query", "--remote", remote, "SELECT 1"}, &out, &errb)
		if code == 0 || errb.Len() == 0 || strings.Contains(out.String()+errb.String(), "zzsecret") {
			t.Errorf("%s: code %d, output %q %q", connect.Redact(remote), code, out.String(), errb.String())
		}
	}
}
