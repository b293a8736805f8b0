package ide

import (
	"strings"
	"testing"
)

func TestMarkdownCells(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                     "plain",
		"a|b":                       `a\|b`,
		"order_id":                  "order_id",
		"_x_ *y* `z` [l](u) <b> #1": `\_x\_ \*y\* \` + "`" + `z\` + "`" + ` \[l\](u) \<b\> \#1`,
		"two\nlines\r\nhere\tok":    "two↵lines↵here ok",
		`back\slash`:                `back\\slash`,
		strings.Repeat("é", 100):    strings.Repeat("é", MDCellRunes-1) + "…",
	} {
		if got := MDCell(in); got != want {
			t.Errorf("MDCell(%q) = %q, want %q", in, got, want)
		}
	}
}
