package sparkversion

import "testing"

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"3.5.7", "4.0", -1},
		{"4.0.1", "4.0", 0},
		{"4.1.0", "4.0", 1},
		{"3.5.7", "3.5.10", -1},
		{"4.2.0-SNAPSHOT", "4.2", 0},
		{"3.5.x", "3.5.7", 0},
		{"", "4.0", 0},
	} {
		if got := Compare(tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
