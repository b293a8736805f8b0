package lsp

import (
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
)

func TestLensTitle(t *testing.T) {
	cols := []connect.Column{{Name: "a", Type: "int"}}
	for _, tc := range []struct {
		res  RunResult
		want string
	}{
		{RunResult{Columns: cols, RowCount: 100, Truncated: true, ElapsedMs: 400}, "✓ 100+ rows · 0.4 s"},
		{RunResult{Columns: cols, RowCount: 1, ElapsedMs: 12}, "✓ 1 row · 0.0 s"},
		{RunResult{Columns: cols, RowCount: 0, ElapsedMs: 12000}, "✓ 0 rows · 12 s"},
		{RunResult{ElapsedMs: 125000}, "✓ done · 2 min 5 s"},
		{RunResult{Error: &RunError{ErrorClass: "UNRESOLVED_COLUMN.WITH_SUGGESTION"}}, "✗ UNRESOLVED_COLUMN.WITH_SUGGESTION"},
		{RunResult{Error: &RunError{ErrorClass: ClassCancelled}}, "✗ cancelled"},
		{RunResult{Error: &RunError{Message: "unreachable"}}, "✗ failed"},
	} {
		if got := lensTitle(&tc.res); got != tc.want {
			t.Errorf("lensTitle(%+v) = %q, want %q", tc.res, got, tc.want)
		}
	}
	if got := elapsedText(59999 * time.Millisecond); got != "59 s" {
		t.Errorf("elapsedText = %q", got)
	}
}
