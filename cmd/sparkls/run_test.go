package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/sqltext"
)

func runFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cells.sql")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunUsageErrors(t *testing.T) {
	file := runFile(t, "-- %% one\nSELECT 1;\n-- %% two\nSELECT 2\n")
	empty := runFile(t, "-- only a comment\n")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run"}, 2, "want one FILE"},
		{[]string{"run", file, file}, 2, "want one FILE"},
		{[]string{"run", "--format", "xml", file}, 2, "unknown --format"},
		{[]string{"run", "--cell", "3", file}, 2, "has 2 cells"},
		{[]string{"run", "--cell", "-1", file}, 2, "has 2 cells"},
		{[]string{"run", empty}, 1, "holds no SQL statement"},
		{[]string{"run", filepath.Join(t.TempDir(), "missing.sql")}, 1, "no such file"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
}

// Cells run in order on one session (USE reaches the next cell); each
// preview is printed under its header; a failing cell stops the run and
// says where, in the file's lines.
func TestRunCells(t *testing.T) {
	fake := connecttest.New(t)
	fake.AddTable("sales.orders", connecttest.Rows("order_id bigint, status string", []any{1, "new"}, []any{2, nil}))
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if i := strings.Index(stmt, "nope"); i >= 0 {
			return connecttest.Result{}, connecttest.SparkErr("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "42703", "no nope", i, i+3)
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	r, _ := connect.ParseRemote("sc://127.0.0.1:15002")
	c, err := connect.Dial(t.Context(), r, connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	text := "-- Databricks notebook source\nUSE sales\n\n-- COMMAND ----------\n-- the orders\nSELECT * FROM orders\n\n-- COMMAND ----------\nSELECT nope\nFROM orders\n\n-- COMMAND ----------\nSELECT * FROM orders\n"
	var out bytes.Buffer
	err = runCells(t.Context(), c, text, sqltext.SplitCells(text), 1, renderTable, &out, connect.Params{})
	want := "-- cell 1: USE sales\n\n\n(0 rows, ‹t›)\n-- cell 2: -- the orders\norder_id | status\nbigint   | string\n---------+-------\n1        | new\n2        | NULL\n(2 rows, ‹t›)\n-- cell 3: SELECT nope\n"
	if got := elapsedNorm(out.String()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err == nil || !strings.Contains(err.Error(), "cell 3: ") || !strings.Contains(err.Error(), "(at line 9, column 8)") {
		t.Errorf("err = %v", err)
	}

	out.Reset()
	cells := sqltext.SplitCells(text)
	if err := runCells(t.Context(), c, text, cells[1:2], 2, renderJSON, &out, connect.Params{}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "-- cell 2: -- the orders\n{\"columns\":[{\"name\":\"order_id\"") {
		t.Errorf("json: %s", got)
	}
}

func elapsedNorm(s string) string {
	for {
		i := strings.Index(s, " s)")
		if i < 0 {
			return s
		}
		j := strings.LastIndex(s[:i], ", ")
		s = s[:j+2] + "‹t›)" + s[i+3:]
	}
}

// Against the real server: a cell's temp view is there for the next cell.
func TestITRunFile(t *testing.T) {
	remote := ittest.Remote(t)
	file := runFile(t, "-- %% make\nCREATE OR REPLACE TEMP VIEW sparkls_run_v AS SELECT 7 AS n\n-- %% read\nSELECT n FROM sparkls_run_v;\n")
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--remote", remote, "--format", "csv", file}, &out, &errb); code != 0 {
		t.Fatalf("run: %d %s", code, errb.String())
	}
	if want := "-- cell 1: CREATE OR REPLACE TEMP VIEW sparkls_run_v AS SELECT 7 AS n\n\n-- cell 2: SELECT n FROM sparkls_run_v;\nn\n7\n"; out.String() != want {
		t.Errorf("got %q want %q", out.String(), want)
	}
	out.Reset()
	if code := run([]string{"run", "--remote", remote, "--cell", "2", file}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "cell 2: ") {
		t.Errorf("cell 2 alone (a new session, no view): %d %q", code, errb.String())
	}
}

// Against the real server: --param values are bound through the SQL
// relation's arguments, typed by their form; positional values run on
// across cells; a value is never SQL text. (Spark does not mix named and
// positional markers in one statement.)
func TestITRunParams(t *testing.T) {
	remote := ittest.Remote(t)
	file := runFile(t, "-- %% one\nSELECT :who AS who, typeof(:flag) AS f FROM range(5) LIMIT :n\n"+
		"-- %% two\nSELECT ? + 1 AS n, typeof(?) AS t\n-- %% three\nSELECT ? AS s, typeof(?) AS big\n")
	var out, errb bytes.Buffer
	args := []string{"run", "--remote", remote, "--format", "csv",
		"--param", "who=x' OR 1=1 --", "--param", "n=1", "--param", "41", "--param", "1.50",
		"--param", "flag=true", "--param", "'7'", "--param", "9876543210", file}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("run: %d %s", code, errb.String())
	}
	want := "-- cell 1: SELECT :who AS who, typeof(:flag) AS f FROM range(5) LIMIT :n\nwho,f\nx' OR 1=1 --,boolean\n" +
		"-- cell 2: SELECT ? + 1 AS n, typeof(?) AS t\nn,t\n42,\"decimal(3,2)\"\n" +
		"-- cell 3: SELECT ? AS s, typeof(?) AS big\ns,big\n7,bigint\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
}
