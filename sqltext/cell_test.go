package sqltext

import (
	"strings"
	"testing"
)

// showCells renders cells as their statements joined by " ; ", one cell per
// element, so that expectations read like the input.
func showCells(cells []Cell) []string {
	var out []string
	for _, c := range cells {
		var stmts []string
		for _, s := range c.Statements {
			stmts = append(stmts, s.Text)
		}
		out = append(out, strings.Join(stmts, " ; "))
	}
	return out
}

func TestSplitCells(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"no markers: one cell per statement", "SELECT 1; SELECT 2;\nSELECT 3", []string{"SELECT 1", "SELECT 2", "SELECT 3"}},
		{"databricks export",
			"-- Databricks notebook source\nSELECT 1;\nSELECT 2\n\n-- COMMAND ----------\n\nSELECT 3\n\n-- COMMAND ----------\n-- MAGIC %md\n-- MAGIC # Title\n\n-- COMMAND ----------\n\nSELECT 4;\n",
			[]string{"SELECT 1 ; SELECT 2", "SELECT 3", "SELECT 4"}},
		{"databricks header only is one cell", "-- Databricks notebook source\nSELECT 1;\nSELECT 2;", []string{"SELECT 1 ; SELECT 2"}},
		{"marker ends a statement without semicolon", "-- %%\nSELECT 1\n-- %%\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"percent markers with titles", "SELECT 0;\n-- %% load\nSELECT 1; SELECT 2\n-- %% [report]\nSELECT 3", []string{"SELECT 0", "SELECT 1 ; SELECT 2", "SELECT 3"}},
		{"trailing blanks and crlf", "-- COMMAND ---------- \r\nSELECT 1\r\n-- COMMAND ----------\r\nSELECT 2\r\n", []string{"SELECT 1", "SELECT 2"}},
		{"marker in block comment does not count", "-- %%\nSELECT 1 /*\n-- %%\n*/, 2\n-- %%\nSELECT 3", []string{"SELECT 1 /*\n-- %%\n*/, 2", "SELECT 3"}},
		{"marker in string does not count", "-- %%\nSELECT '\n-- COMMAND ----------\n'\n-- %%\nSELECT 3", []string{"SELECT '\n-- COMMAND ----------\n'", "SELECT 3"}},
		{"indented marker does not count", "-- %%\nSELECT 1\n  -- %%\n, 2", []string{"SELECT 1\n  -- %%\n, 2"}},
		{"marker must be the whole line", "-- %%\nSELECT 1 -- COMMAND ----------\n, 2", []string{"SELECT 1 -- COMMAND ----------\n, 2"}},
		{"longer command line is not a marker", "SELECT 1\n-- COMMAND ---------- x\nSELECT 2", []string{"SELECT 1\n-- COMMAND ---------- x\nSELECT 2"}},
		{"block cut by a marker", "-- %%\nBEGIN SELECT 1;\n-- %%\nSELECT 2", []string{"BEGIN SELECT 1;", "SELECT 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells := SplitCells(tc.in)
			got := showCells(cells)
			if strings.Join(got, "\x00") != strings.Join(tc.want, "\x00") || len(got) != len(tc.want) {
				t.Errorf("SplitCells(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			for _, c := range cells {
				checkStatements(t, tc.in, c.Statements)
			}
		})
	}
}

func TestSplitCellsRange(t *testing.T) {
	src := "-- Databricks notebook source\n-- load\nSELECT 1;\n-- done\n\n-- COMMAND ----------\n\nSELECT 2\n"
	cells := SplitCells(src)
	if len(cells) != 2 {
		t.Fatalf("SplitCells = %d cells, want 2", len(cells))
	}
	for i, want := range []string{"-- load\nSELECT 1;\n-- done", "SELECT 2"} {
		if got := src[cells[i].Start:cells[i].End]; got != want {
			t.Errorf("cell %d spans %q, want %q", i, got, want)
		}
	}
}
