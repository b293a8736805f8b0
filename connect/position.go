package connect

import (
	"strings"
	"unicode/utf8"
)

// contextSpan maps a query context from the server onto stmt's bytes.
//
// Spark 4.0 reports code point indices and cuts Fragment with them as Java
// (UTF-16) indices; other servers (and the fake) may give bytes. Both
// readings are tried; the one the fragment confirms wins. For ASCII text
// they agree.
func contextSpan(stmt string, qc QueryContext) (start, end int, ok bool) {
	bytesOK := 0 <= qc.Start && qc.Start <= qc.Stop && qc.Stop <= len(stmt) &&
		(qc.Start == len(stmt) || utf8.RuneStart(stmt[qc.Start])) && (qc.Stop == len(stmt) || utf8.RuneStart(stmt[qc.Stop]))
	if bytesOK && stmt[qc.Start:qc.Stop] == qc.Fragment {
		return qc.Start, qc.Stop, true
	}
	rs, re, runesOK := runeSpan(stmt, qc.Start, qc.Stop)
	switch {
	case runesOK && utf16Slice(stmt, qc.Start, qc.Stop) == qc.Fragment:
		return rs, re, true
	case bytesOK && qc.Fragment == "":
		return qc.Start, qc.Stop, true
	case runesOK:
		return rs, re, true
	}
	return 0, 0, false
}

// runeSpan converts code point indices [i, j) of s to byte offsets.
func runeSpan(s string, i, j int) (start, end int, ok bool) {
	if i < 0 || j < i {
		return 0, 0, false
	}
	start, end = -1, -1
	n := 0
	for off := range s {
		if n == i {
			start = off
		}
		if n == j {
			end = off
			break
		}
		n++
	}
	if start < 0 && n == i {
		start = len(s)
	}
	if end < 0 && n == j {
		end = len(s)
	}
	return start, end, start >= 0 && end >= 0
}

// utf16Slice is s[i:j] in UTF-16 code units, as Java's substring cuts it
// (half a surrogate pair becomes U+FFFD, as it does on the wire).
func utf16Slice(s string, i, j int) string {
	var b strings.Builder
	u := 0
	for _, r := range s {
		w := utf16Len(r)
		switch {
		case u >= j:
			return b.String()
		case u >= i && u+w <= j:
			b.WriteRune(r)
		case u+w > i:
			b.WriteRune(utf8.RuneError) // a half of a pair
		}
		u += w
	}
	return b.String()
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
