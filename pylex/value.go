package pylex

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Hole is an f-string replacement field {…}: offsets of its braces, both
// included.
type Hole struct{ Start, End int }

// Holes returns the replacement fields of an f-string token (none for
// other strings). "{{" and "}}" are literal braces. A field ends at the
// "}" that closes its "{", past nested brackets and strings of the other
// quote.
func Holes(src string, t Token) []Hole {
	if t.Kind != String || !t.Format() {
		return nil
	}
	var hs []Hole
	for j := t.BodyStart; j < t.BodyEnd; j++ {
		switch src[j] {
		case '\\':
			if !t.Raw() {
				j++
			}
		case '{':
			if j+1 < t.BodyEnd && src[j+1] == '{' {
				j++
				continue
			}
			start, depth := j, 0
			for j++; j < t.BodyEnd; j++ {
				c := src[j]
				if c == '\'' || c == '"' {
					if k := strings.IndexByte(src[j+1:t.BodyEnd], c); k >= 0 {
						j += k + 1
						continue
					}
				}
				if c == '(' || c == '[' || c == '{' {
					depth++
				} else if c == ')' || c == ']' || c == '}' {
					if depth == 0 && c == '}' {
						break
					}
					depth--
				}
			}
			end := min(j+1, t.BodyEnd)
			hs = append(hs, Hole{Start: start, End: end})
			j = end - 1
		case '}':
			if j+1 < t.BodyEnd && src[j+1] == '}' {
				j++
			}
		}
	}
	return hs
}

// Overlay writes into dst (as long as src, same offsets) the value of the
// body of string token t, each character right-aligned in the bytes of its
// source spelling and padded with spaces in front: `\n` becomes " \n", `\'`
// becomes " '", "{{" becomes " {". The value keeps its length and offsets,
// so a position in it is a position in the source. A character whose UTF-8
// is longer than its spelling, and f-string holes, are left to the caller
// (spaces here).
func Overlay(dst []byte, src string, t Token) {
	fill := func(from, to int, v string) {
		for k := from; k < to; k++ {
			dst[k] = ' '
		}
		if len(v) <= to-from {
			copy(dst[to-len(v):to], v)
		}
	}
	holes := Holes(src, t)
	for j := t.BodyStart; j < t.BodyEnd; {
		if len(holes) > 0 && j == holes[0].Start {
			fill(j, holes[0].End, "")
			j = holes[0].End
			holes = holes[1:]
			continue
		}
		c := src[j]
		switch {
		case c == '\\' && t.Raw():
			dst[j] = c
			j++
			if j < t.BodyEnd {
				dst[j] = src[j]
				j++
			}
		case c == '\\':
			n, v := escape(src[j:t.BodyEnd], t.Bytes())
			fill(j, j+n, v)
			j += n
		case t.Format() && (c == '{' || c == '}') && j+1 < t.BodyEnd && src[j+1] == c:
			fill(j, j+2, string(c))
			j += 2
		default:
			dst[j] = c
			j++
		}
	}
}

// escape reads the escape sequence at the start of s (s[0] is '\\') and
// returns its length and value.
func escape(s string, bytes bool) (int, string) {
	if len(s) < 2 {
		return len(s), `\`
	}
	switch c := s[1]; c {
	case '\n':
		return 2, "\n"
	case '\r':
		if len(s) > 2 && s[2] == '\n' {
			return 3, "\n"
		}
		return 2, "\n"
	case '\\', '\'', '"':
		return 2, string(c)
	case 'n':
		return 2, "\n"
	case 'a', 'b', 'f', 'r', 't', 'v':
		return 2, " "
	case 'x':
		return code(s, 2, 2, 16)
	case 'u', 'U':
		if bytes {
			return 2, s[:2]
		}
		n := 4
		if c == 'U' {
			n = 8
		}
		return code(s, 2, n, 16)
	case 'N':
		if i := strings.IndexByte(s, '}'); !bytes && len(s) > 2 && s[2] == '{' && i > 0 {
			return i + 1, "" // a named character: unknown here, spaces
		}
		return 2, s[:2]
	default:
		if '0' <= c && c <= '7' {
			n := 1
			for n < 3 && 1+n < len(s) && '0' <= s[1+n] && s[1+n] <= '7' {
				n++
			}
			return code(s, 1, n, 8)
		}
		return 2, s[:2] // not an escape: Python keeps the backslash
	}
}

// code decodes the digits s[at:at+n] in base as one character.
func code(s string, at, n, base int) (int, string) {
	if at+n > len(s) {
		return len(s), ""
	}
	v, err := strconv.ParseUint(s[at:at+n], base, 32)
	if err != nil {
		return at, s[:at]
	}
	r := rune(v)
	if r < 0x20 || r == 0x7f || !utf8.ValidRune(r) {
		if r == '\n' {
			return at + n, "\n"
		}
		return at + n, " "
	}
	return at + n, string(r)
}
