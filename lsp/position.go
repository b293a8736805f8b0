package lsp

import (
	"sort"
	"strings"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// LSP 3.16 positions are (line, UTF-16 code unit) pairs; everything else in
// sparkls uses byte offsets. This file converts between the two.
//
// Conventions, all tested in position_test.go:
//   - Line endings are "\n", "\r\n" and a lone "\r" (as the spec says).
//   - A character past the end of its line clamps to the end of the line
//     (before the line ending); a line past the last one clamps to the end of
//     the text.
//   - A byte of invalid UTF-8 counts as one UTF-16 unit (what an editor
//     shows for it: one U+FFFD).
//   - A position inside a surrogate pair, or an offset inside a multi-byte
//     character or a "\r\n", rounds down to the character's start.

// lineIndex holds the byte offset at which each line starts; lines[0] == 0.
// It is computed once per document version.
type lineIndex []int

// newLineIndex indexes text's lines in one pass. It finds line endings
// with strings.IndexByte (vectorised), keeping the next "\r" and the next
// "\n" apart so that each is searched for once per occurrence: linear in
// the text whatever the mix of line endings.
func newLineIndex(text string) lineIndex {
	lines := lineIndex{0}
	next := func(from int, c byte) int {
		if j := strings.IndexByte(text[from:], c); j >= 0 {
			return from + j
		}
		return len(text)
	}
	cr, lf := next(0, '\r'), next(0, '\n')
	for i := 0; ; {
		if cr < i {
			cr = next(i, '\r')
		}
		if lf < i {
			lf = next(i, '\n')
		}
		j := min(cr, lf)
		if j >= len(text) {
			return lines
		}
		if j == cr && j+1 < len(text) && text[j+1] == '\n' {
			j++ // CRLF is one line ending
		}
		i = j + 1
		lines = append(lines, i)
	}
}

// edit returns the index of text[:start] + ins + text[end:], given li, the
// index of text, without scanning more than ins: line starts before start
// are kept, those after end are shifted, and only the lines ins makes are
// looked for. Typing in a 10 MB document then costs a copy of the index
// rather than a scan of the text.
//
// A line start depends on the two bytes around it (a "\r" starts a line
// unless a "\n" follows), so the start right at start is looked for again:
// the edit may glue a "\r" before it to a "\n".
func (li lineIndex) edit(text string, start, end int, ins string) lineIndex {
	delta := len(ins) - (end - start)
	keep := sort.SearchInts(li, start)  // li[:keep] < start
	after := sort.SearchInts(li, end+1) // li[after:] >= end+1
	out := make(lineIndex, 0, keep+len(li)-after+strings.Count(ins, "\n")+1)
	out = append(out, li[:max(keep, 1)]...) // 0 is always a line start
	// Bytes of the new text at i: prefix, ins, then suffix.
	at := func(i int) (byte, bool) {
		switch {
		case i < start:
			return text[i], true
		case i < start+len(ins):
			return ins[i-start], true
		case i-delta < len(text):
			return text[i-delta], true
		}
		return 0, false
	}
	for i := max(start-1, 0); i < start+len(ins); i++ {
		c, _ := at(i)
		if c == '\n' {
			out = append(out, i+1)
		} else if c == '\r' {
			if next, ok := at(i + 1); !ok || next != '\n' {
				out = append(out, i+1)
			}
		}
	}
	for _, q := range li[after:] {
		out = append(out, q+delta)
	}
	return out
}

// lineBounds returns the byte span of line's content, without its ending.
func (li lineIndex) lineBounds(text string, line int) (start, end int) {
	start = li[line]
	if line+1 >= len(li) {
		return start, len(text)
	}
	end = li[line+1]
	if end > start && text[end-1] == '\n' {
		end--
	}
	if end > start && text[end-1] == '\r' {
		end--
	}
	return start, end
}

// offset converts a position to a byte offset in text, clamping as above.
func (li lineIndex) offset(text string, p protocol.Position) int {
	if int64(p.Line) >= int64(len(li)) {
		return len(text)
	}
	start, end := li.lineBounds(text, int(p.Line))
	want := int(p.Character)
	units := 0
	i := start
	for i < end && units < want {
		r, n := utf8.DecodeRuneInString(text[i:end])
		w := utf16Len(r)
		if units+w > want {
			break // inside a surrogate pair
		}
		units += w
		i += n
	}
	return i
}

// position converts a byte offset in text to a position, clamping offsets
// outside [0, len(text)].
func (li lineIndex) position(text string, off int) protocol.Position {
	off = max(0, min(off, len(text)))
	line := li.line(off)
	start, end := li.lineBounds(text, line)
	off = min(off, end) // inside the line ending: end of the line
	units := 0
	for i := start; i < off; {
		r, n := utf8.DecodeRuneInString(text[i:end])
		if i+n > off {
			break // inside a multi-byte character
		}
		units += utf16Len(r)
		i += n
	}
	return protocol.Position{Line: uint32(line), Character: uint32(units)}
}

// line is the line holding byte offset off, which is in [0, len(text)]:
// position's line without counting UTF-16 units.
func (li lineIndex) line(off int) int {
	return sort.Search(len(li), func(i int) bool { return li[i] > off }) - 1
}

// span converts a range to a byte span [start, end). A reversed range is
// read as empty at its start.
func (li lineIndex) span(text string, r protocol.Range) (start, end int) {
	start = li.offset(text, r.Start)
	end = li.offset(text, r.End)
	return start, max(start, end)
}

// rangeOf converts a byte span to a range.
func (li lineIndex) rangeOf(text string, start, end int) protocol.Range {
	return protocol.Range{Start: li.position(text, start), End: li.position(text, max(start, end))}
}

// utf16Len is the number of UTF-16 code units of a decoded rune. An invalid
// byte decodes as RuneError and is one unit, like any BMP rune.
func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
