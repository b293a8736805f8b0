package lsp

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

func pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

func TestLineIndex(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []int
	}{
		{"", []int{0}},
		{"abc", []int{0}},
		{"a\n", []int{0, 2}},
		{"a\nb\nc", []int{0, 2, 4}},
		{"a\r\nb", []int{0, 3}},
		{"a\rb", []int{0, 2}},
		{"a\r\r\nb\n\rc", []int{0, 2, 4, 6, 7}},
		{"\r\n\r\n", []int{0, 2, 4}},
		{"\n\n", []int{0, 1, 2}},
		{"x\r", []int{0, 2}},
	} {
		if got := newLineIndex(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("newLineIndex(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestOffsetOfPosition(t *testing.T) {
	const emoji = "a😀b\r\nc\rd\xffe\n" // 😀 is 4 bytes and 2 UTF-16 units; \xff is invalid
	for _, tc := range []struct {
		name string
		text string
		pos  protocol.Position
		want int
	}{
		{"start", "abc", pos(0, 0), 0},
		{"middle", "abc", pos(0, 2), 2},
		{"end of line", "abc", pos(0, 3), 3},
		{"past the end of the line clamps", "abc\ndef", pos(0, 99), 3},
		{"past the last line clamps to the end", "abc\ndef", pos(5, 0), 7},
		{"the line after a final newline", "abc\n", pos(1, 0), 4},
		{"past the end of that line", "abc\n", pos(1, 4), 4},
		{"empty text", "", pos(0, 5), 0},
		{"before the emoji", emoji, pos(0, 1), 1},
		{"after the emoji (2 units)", emoji, pos(0, 3), 5},
		{"inside the surrogate pair rounds down", emoji, pos(0, 2), 1},
		{"after b", emoji, pos(0, 4), 6},
		{"CRLF: past the end stops before \\r", emoji, pos(0, 9), 6},
		{"line after CRLF", emoji, pos(1, 0), 8},
		{"lone CR ends a line", emoji, pos(1, 1), 9},
		{"line after lone CR", emoji, pos(2, 0), 10},
		{"invalid byte is one unit", emoji, pos(2, 2), 12},
		{"after the invalid byte and e", emoji, pos(2, 3), 13},
		{"last empty line", emoji, pos(3, 0), 14},
		{"astral rune at line start", "𝄞x", pos(0, 2), 4},
		{"BMP multibyte counts one", "éx", pos(0, 1), 2},
		{"U+FFFD encoded is one unit", "\uFFFDx", pos(0, 1), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			li := newLineIndex(tc.text)
			if got := li.offset(tc.text, tc.pos); got != tc.want {
				t.Errorf("offset(%q, %d:%d) = %d, want %d", tc.text, tc.pos.Line, tc.pos.Character, got, tc.want)
			}
		})
	}
}

func TestPositionOfOffset(t *testing.T) {
	const text = "a😀b\r\nc\rd\xffe\n"
	for _, tc := range []struct {
		name string
		off  int
		want protocol.Position
	}{
		{"start", 0, pos(0, 0)},
		{"before the emoji", 1, pos(0, 1)},
		{"inside the emoji rounds down", 3, pos(0, 1)},
		{"after the emoji", 5, pos(0, 3)},
		{"before CRLF", 6, pos(0, 4)},
		{"between CR and LF is the end of the line", 7, pos(0, 4)},
		{"after CRLF", 8, pos(1, 0)},
		{"before lone CR", 9, pos(1, 1)},
		{"after lone CR", 10, pos(2, 0)},
		{"after the invalid byte", 12, pos(2, 2)},
		{"end of text", 14, pos(3, 0)},
		{"past the end clamps", 99, pos(3, 0)},
		{"negative clamps", -5, pos(0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := newLineIndex(text).position(text, tc.off); got != tc.want {
				t.Errorf("position(%d) = %d:%d, want %d:%d", tc.off, got.Line, got.Character, tc.want.Line, tc.want.Character)
			}
		})
	}
}

// Every offset at a character boundary survives a round trip.
func TestPositionRoundTrip(t *testing.T) {
	for _, text := range []string{
		"", "SELECT 1", "a😀b\r\nc\rd\xffe\n", "\r\n\r\n", "🎉🎉\n\n𝄞", "é\rü\r\n",
	} {
		li := newLineIndex(text)
		for off := 0; off <= len(text); off++ {
			p := li.position(text, off)
			back := li.offset(text, p)
			if back > off {
				t.Errorf("%q: offset %d → %d:%d → %d, past the start", text, off, p.Line, p.Character, back)
			}
			if back == off {
				continue
			}
			// Only offsets inside a character or a CRLF move, and only back
			// to where that character or line ending starts.
			if p2 := li.position(text, back); p2 != p {
				t.Errorf("%q: offset %d → %v → %d → %v", text, off, p, back, p2)
			}
		}
	}
}

func TestSpanAndRange(t *testing.T) {
	text := "SELECT '😀'\r\nFROM t"
	li := newLineIndex(text)
	for _, tc := range []struct {
		r          protocol.Range
		start, end int
	}{
		{protocol.Range{Start: pos(0, 8), End: pos(0, 10)}, 8, 12},    // the emoji
		{protocol.Range{Start: pos(0, 11), End: pos(1, 0)}, 13, 15},   // the CRLF
		{protocol.Range{Start: pos(1, 5), End: pos(9, 9)}, 20, 21},    // to past the end
		{protocol.Range{Start: pos(1, 2), End: pos(0, 0)}, 17, 17},    // reversed: empty
		{protocol.Range{Start: pos(0, 99), End: pos(0, 100)}, 13, 13}, // both past the line end
	} {
		s, e := li.span(text, tc.r)
		if s != tc.start || e != tc.end {
			t.Errorf("span(%v) = [%d,%d), want [%d,%d)", tc.r, s, e, tc.start, tc.end)
		}
	}
	if got, want := li.rangeOf(text, 8, 12), (protocol.Range{Start: pos(0, 8), End: pos(0, 10)}); got != want {
		t.Errorf("rangeOf(8, 12) = %v, want %v", got, want)
	}
}

func BenchmarkPosition(b *testing.B) {
	line := "SELECT a, b, '😀' FROM some_table WHERE x = 1\n"
	text := strings.Repeat(line, 10000)
	li := newLineIndex(text)
	b.ResetTimer()
	for i := range b.N {
		p := li.position(text, (i*7919)%len(text))
		_ = li.offset(text, p)
	}
}

// TestLineIndexEdit: the index updated for an edit is the index of the
// edited text, for random edits of texts full of "\r", "\n" and "\r\n"
// (an edit may split a "\r\n" or glue a "\r" to a "\n").
func TestLineIndexEdit(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 9))
	pieces := []string{"a", "é", "\r", "\n", "\r\n", "\n\r"}
	random := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for range 50000 {
		text := random(rng.IntN(12))
		start := rng.IntN(len(text) + 1)
		end := start + rng.IntN(len(text)-start+1)
		ins := random(rng.IntN(4))
		got := newLineIndex(text).edit(text, start, end, ins)
		edited := text[:start] + ins + text[end:]
		if want := newLineIndex(edited); !slices.Equal(got, want) {
			t.Fatalf("%q with [%d:%d] replaced by %q: index %v, want %v", text, start, end, ins, got, want)
		}
	}
}
