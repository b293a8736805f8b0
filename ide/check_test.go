package ide

import "testing"

func TestFirstLine(t *testing.T) {
	for _, tc := range []struct{ stmt, want string }{
		{"SELECT a, b", "SELECT a, b"},
		{"SELECT a,  \n  b", "SELECT a,"},
		{"-- why\n/* more */ SELECT a\r\nFROM t", "SELECT a"},
	} {
		s, e := firstLine(tc.stmt)
		if got := tc.stmt[s:e]; got != tc.want {
			t.Errorf("firstLine(%q) = %q, want %q", tc.stmt, got, tc.want)
		}
	}
}
