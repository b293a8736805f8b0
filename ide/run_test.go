package ide

import (
	"slices"
	"strings"
	"testing"
)

func TestRunTargetAt(t *testing.T) {
	const plain = "SELECT 1;\n\n-- about b\nSELECT b FROM t;  \nSELECT c"
	const cells = "-- Databricks notebook source\nUSE x;\nSELECT 1\n\n-- COMMAND ----------\n\nSELECT 2;\nSELECT 3\n"
	for _, tc := range []struct {
		name       string
		text       string
		start, end int
		want       []string // statement texts; nil: an error
	}{
		{"statement at cursor", plain, 0, 0, []string{"SELECT 1"}},
		{"inside a statement", plain, 30, 30, []string{"-- about b\nSELECT b FROM t"}},
		{"after the semicolon", plain, 9, 9, []string{"SELECT 1"}},
		{"after the semicolon and blanks", plain, strings.Index(plain, ";  ") + 3, strings.Index(plain, ";  ") + 3, []string{"-- about b\nSELECT b FROM t"}},
		{"blank line before a comment", plain, 10, 10, []string{"-- about b\nSELECT b FROM t"}},
		{"last statement without semicolon", plain, len(plain), len(plain), []string{"SELECT c"}},
		{"selection across two statements", plain, 3, strings.Index(plain, "FROM t;") + 6, []string{"ECT 1", "-- about b\nSELECT b FROM t"}},
		{"selection of blanks", plain, 9, 11, nil},
		{"cell with two statements", cells, strings.Index(cells, "SELECT 1"), strings.Index(cells, "SELECT 1"), []string{"USE x", "SELECT 1"}},
		{"on the marker line", cells, strings.Index(cells, "-- COMMAND"), strings.Index(cells, "-- COMMAND"), []string{"SELECT 2", "SELECT 3"}},
		{"after the last cell", cells + "\n\n", len(cells) + 2, len(cells) + 2, nil},
		{"empty document", "", 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, err := RunTargetAt(tc.text, tc.start, tc.end)
			if tc.want == nil {
				if err == nil {
					t.Errorf("got %+v, want an error", target.Statements)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range target.Statements {
				got = append(got, st.Text)
				if tc.text[st.Start:st.End] != st.Text {
					t.Errorf("statement %q at [%d,%d) is %q in the text", st.Text, st.Start, st.End, tc.text[st.Start:st.End])
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
