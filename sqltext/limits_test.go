package sqltext

import (
	"strings"
	"testing"
	"time"
)

// TestLinearTime guards against quadratic behaviour on pathological input,
// which the fuzzer cannot see: each case is one statement of thousands of
// tokens, timed at two sizes four times apart. Linear code takes about four
// times as long on the larger; the quadratic versions these cases caught
// took sixteen (a margin covers cache and GC effects). Ratios, not durations, keep the test meaningful on a
// busy machine. The race detector distorts timings too much to tell.
func TestLinearTime(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: slow, and meaningless under the race detector")
	}
	for name, unit := range map[string]func(n int) string{
		"parens":         func(n int) string { return strings.Repeat("(", n) },
		"unclosed calls": func(n int) string { return "SELECT " + strings.Repeat("f(", n) + " FROM t WHERE " },
		"selects":        func(n int) string { return strings.Repeat("(SELECT ", n) },
		"subqueries":     func(n int) string { return "SELECT * FROM " + strings.Repeat("(SELECT * FROM ", n) },
		"ctes":           func(n int) string { return "WITH " + strings.Repeat("a AS (SELECT * FROM a), ", n) + "SELECT " },
		"nested with":    func(n int) string { return strings.Repeat("WITH a AS (", n) },
		"commas":         func(n int) string { return "SELECT " + strings.Repeat("a, ", n) + " FROM " + strings.Repeat("t, ", n) },
		"joins":          func(n int) string { return "SELECT * FROM " + strings.Repeat("t JOIN ", n) },
		"case":           func(n int) string { return "SELECT " + strings.Repeat("CASE WHEN ", n) },
		"lateral views":  func(n int) string { return "SELECT * FROM t " + strings.Repeat("LATERAL VIEW explode(a) e AS x, ", n) },
		"dots":           func(n int) string { return "SELECT " + strings.Repeat("a.", n) },
		"unmatched":      func(n int) string { return strings.Repeat(")", n) + "SELECT " },
		"in subqueries": func(n int) string {
			return "SELECT * FROM t WHERE " + strings.Repeat("x IN (SELECT x FROM t WHERE ", n)
		},
		"statements": func(n int) string { return strings.Repeat("USE a; SELECT 1; ", n) },
	} {
		cost := func(n int) time.Duration {
			src := unit(n)
			best := time.Duration(1 << 62)
			for range 2 {
				start := time.Now()
				for _, off := range []int{len(src), len(src) / 2} {
					At(src, off)
					Definition(src, off)
					CurrentNamespace(src, off)
				}
				best = min(best, time.Since(start))
			}
			return best
		}
		small, large := cost(5000), cost(20000)
		if large > 12*small && large > 100*time.Millisecond {
			t.Errorf("%s: 4 times the input took %.1f times as long (%v, %v)", name, float64(large)/float64(small), small, large)
		}
	}
}
