package ide

import (
	"strings"
	"unicode/utf8"
)

// Markdown helpers shared by hovers, completion documentation and result
// previews.

// MDCellRunes is where MDCell cuts a value with "…".
const MDCellRunes = 80

// MDCell makes a value safe inside a Markdown table cell: one line, cut to
// MDCellRunes, with Markdown punctuation (| above all) escaped.
func MDCell(s string) string {
	s = strings.NewReplacer("\r\n", "↵", "\n", "↵", "\r", "↵", "\t", " ").Replace(s)
	if utf8.RuneCountInString(s) > MDCellRunes {
		r := []rune(s)
		s = string(r[:MDCellRunes-1]) + "…"
	}
	return MDEscape(s)
}

// MDEscape backslash-escapes the characters Markdown (CommonMark and GFM
// tables) would read as syntax inside a line. An underscore inside a word
// (order_id) is left alone: it emphasises nothing there.
func MDEscape(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '_':
			if i == 0 || i == len(s)-1 || !isWordByte(s[i-1]) || !isWordByte(s[i+1]) {
				b.WriteByte('\\')
			}
		case '\\', '`', '*', '[', ']', '<', '>', '|', '~', '#', '&', '!':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MDFence puts text in a fenced block long enough not to be closed by it.
func MDFence(text string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fence + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}
