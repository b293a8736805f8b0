package connect

import "testing"

// Spark positions: bytes (as connect documents them and the fake gives),
// or code points with a fragment cut as UTF-16 (what Spark 4.0 sends).
func TestContextSpan(t *testing.T) {
	for _, tc := range []struct {
		name        string
		stmt        string
		start, stop int
		fragment    string
		want        string // the statement's text at the span; "-" for none
	}{
		{"ascii", "SELECT order_idd FROM t", 7, 16, "order_idd", "order_idd"},
		{"bytes", "SELECT 'é', order_idd FROM t", 13, 22, "order_idd", "order_idd"},
		{"code points", "SELECT 'é', order_idd FROM t", 12, 21, "order_idd", "order_idd"},
		{"code points, astral", "SELECT '😀', order_idd FROM t", 12, 21, " order_id", "order_idd"},
		{"code points, two astral", "SELECT '😀😀' AS `x😀`, order_idd FROM t", 21, 30, "`, order_", "order_idd"},
		{"no fragment, bytes", "SELECT 'é', order_idd FROM t", 13, 22, "", "order_idd"},
		{"no fragment, inside a character", "SELECT 'é', x", 9, 10, "", "'"},
		{"unconfirmed code points", "SELECT 'é', order_idd FROM t", 12, 21, "zzz", "order_idd"},
		{"at the end", "SELECT 1 +", 10, 10, "", ""},
		{"out of range", "SELECT 1", 5, 50, "", "-"},
		{"reversed", "SELECT 1", 5, 2, "", "-"},
	} {
		s, e, ok := contextSpan(tc.stmt, QueryContext{Start: tc.start, Stop: tc.stop, Fragment: tc.fragment})
		got := "-"
		if ok {
			got = tc.stmt[s:e]
		}
		if got != tc.want {
			t.Errorf("%s: %q [%d,%d) %q → %q, want %q", tc.name, tc.stmt, tc.start, tc.stop, tc.fragment, got, tc.want)
		}
	}
}
