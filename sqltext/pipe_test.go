package sqltext

import (
	"slices"
	"strings"
	"testing"
)

func TestPipeSteps(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // the last step's columns
		star      bool
	}{
		{"from table keeps star", "FROM t |> WHERE a > 1", nil, true},
		{"select renames", "FROM t |> SELECT a AS x, b |> WHERE x > 1", []string{"x", "b"}, false},
		{"extend then drop", "FROM (SELECT 1 AS a, 2 AS b) |> EXTEND a + b AS c |> DROP a", []string{"b", "c"}, false},
		{"aggregate: keys then aggregates", "FROM t |> AGGREGATE sum(x) AS s, count(*) AS n GROUP BY k", []string{"k", "s", "n"}, false},
		{"select star over known input", "FROM (SELECT 1 AS a) |> SELECT *, 2 AS b", []string{"a", "b"}, false},
		{"set op keeps columns", "SELECT 1 AS a UNION ALL SELECT 2 |> LIMIT 1", []string{"a"}, false},
		{"in a subquery", "SELECT * FROM (FROM (SELECT 1 AS a) |> SELECT a AS z)", []string{"z"}, false},
		{"pivot is unknown", "FROM (SELECT 1 AS a) |> PIVOT (sum(a) FOR a IN (1))", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, ok := PipeStepAt(tc.src, strings.LastIndex(tc.src, "|>"))
			if !ok {
				t.Fatal("no pipe step")
			}
			if !slices.Equal(st.Out.Columns, tc.want) || st.Out.Star != tc.star {
				t.Errorf("columns %v star %v, want %v star %v", st.Out.Columns, st.Out.Star, tc.want, tc.star)
			}
		})
	}
}

func TestPipeExpect(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want Expect
		kw   string // a keyword hint that must be there
	}{
		{"FROM t |> |", ExpectKeyword, "AGGREGATE"},
		{"FROM t |> WHERE |", ExpectColumn, ""},
		{"FROM t |> AGGREGATE |", ExpectColumn, ""},
		{"FROM t |> AGGREGATE sum(x) |", ExpectKeyword, "GROUP BY"},
		{"FROM t |> EXTEND a + 1 AS |", ExpectNone, ""},
		{"FROM t |> DROP |", ExpectColumn, ""},
		{"FROM t |> JOIN |", ExpectTable, ""},
		{"FROM t |> AS |", ExpectNone, ""},
	} {
		off := strings.LastIndex(tc.src, "|")
		src := tc.src[:off] + tc.src[off+1:]
		ctx := At(src, off)
		if ctx.Expect != tc.want || tc.kw != "" && !slices.Contains(ctx.Keywords, tc.kw) {
			t.Errorf("%q: %v %v, want %v with %s", tc.src, ctx.Expect, ctx.Keywords, tc.want, tc.kw)
		}
	}
}

// At, Definition and PipeStepAt never fail at any offset of half-typed pipes
// and element paths.
func TestPipeEveryOffset(t *testing.T) {
	for _, src := range []string{
		"FROM t |> AS |> AGGREGATE GROUP BY |> JOIN (FROM u |> SELECT |> |> DROP , |> EXTEND * AS |> SELECT a[0]. FROM x",
		"SELECT * FROM (FROM (SELECT 1 AS a) |> WHERE a[ |> SELECT x[0][1].y. , ]. |> PIVOT (",
		"WITH c AS (FROM t |> SELECT a AS b) FROM c |> WHERE b |> UNION ALL (SELECT 1) |> LIMIT",
	} {
		for off := 0; off <= len(src); off++ {
			At(src, off)
			Definition(src, off)
			PipeStepAt(src, off)
		}
	}
}
