// Package pylex is sparkls's only Python lexer: just enough of Python's
// tokenizer (names, numbers, operators, comments, strings with every prefix,
// escapes, triple quotes and line continuations, f-string holes) to find the
// SQL that Python code hands to Spark. It follows CPython 3.11's tokenize
// (an f-string is one STRING token); a test compares it with tokenize on a
// corpus. It never fails: what it cannot read is an Error token. It does not
// parse, build indentation tokens, or evaluate anything.
package pylex

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a token's kind.
type Kind int

const (
	Name Kind = iota
	Number
	String
	Op
	Comment
	Newline // a line break (logical or not)
	Error   // a character or an unterminated single-quoted string Python rejects
)

// Token is one token; Start and End are byte offsets into the source.
type Token struct {
	Kind       Kind
	Start, End int
	// Strings only: the content between the quotes (Body, as offsets),
	// the quote's length (1 or 3) and the prefix's flags.
	BodyStart, BodyEnd int
	QuoteLen           int
	flags              uint8
}

const (
	flagRaw uint8 = 1 << iota
	flagBytes
	flagFormat
	flagTerminated
)

// Raw, Bytes and Format tell a string's prefix; Terminated whether its
// closing quote is there.
func (t Token) Raw() bool        { return t.flags&flagRaw != 0 }
func (t Token) Bytes() bool      { return t.flags&flagBytes != 0 }
func (t Token) Format() bool     { return t.flags&flagFormat != 0 }
func (t Token) Terminated() bool { return t.flags&flagTerminated != 0 }

// Python's operators by length; the longest match wins.
var (
	ops3 = map[string]bool{"**=": true, "//=": true, ">>=": true, "<<=": true, "...": true}
	ops2 = map[string]bool{
		"->": true, ":=": true, "!=": true, "==": true, "<=": true, ">=": true, "**": true, "//": true, "<<": true, ">>": true,
		"+=": true, "-=": true, "*=": true, "/=": true, "%=": true, "&=": true, "|=": true, "^=": true, "@=": true,
	}
)

const ops1 = "()[]{}:,;.+-*/%|&^~<>=@"

// opLen is the length of the operator at the start of s, 0 for none.
func opLen(s string) int {
	if len(s) >= 3 && ops3[s[:3]] {
		return 3
	}
	if len(s) >= 2 && ops2[s[:2]] {
		return 2
	}
	if strings.IndexByte(ops1, s[0]) >= 0 {
		return 1
	}
	return 0
}

// Lex returns the tokens of src.
func Lex(src string) []Token {
	toks := make([]Token, 0, len(src)/6+8) // about one token per 6 bytes of code
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			i++
		case c == '\\' && strings.HasPrefix(src[i+1:], "\n"):
			i += 2
		case c == '\\' && strings.HasPrefix(src[i+1:], "\r\n"):
			i += 3
		case c == '\n' || c == '\r':
			j := i + 1
			if c == '\r' && j < len(src) && src[j] == '\n' {
				j++
			}
			toks = append(toks, Token{Kind: Newline, Start: i, End: j})
			i = j
		case c == '#':
			j := i
			for j < len(src) && src[j] != '\n' && src[j] != '\r' {
				j++
			}
			toks = append(toks, Token{Kind: Comment, Start: i, End: j})
			i = j
		case c == '"' || c == '\'':
			t := lexString(src, i, i)
			toks = append(toks, t)
			i = t.End
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := lexNumber(src, i)
			toks = append(toks, Token{Kind: Number, Start: i, End: j})
			i = j
		case isNameStart(src, i):
			j := i
			for j < len(src) && isNameByte(src, j) {
				_, n := utf8.DecodeRuneInString(src[j:])
				j += n
			}
			if j < len(src) && (src[j] == '"' || src[j] == '\'') && isPrefix(src[i:j]) {
				t := lexString(src, i, j)
				toks = append(toks, t)
				i = t.End
				continue
			}
			toks = append(toks, Token{Kind: Name, Start: i, End: j})
			i = j
		default:
			n := opLen(src[i:])
			if n == 0 {
				_, n = utf8.DecodeRuneInString(src[i:])
				toks = append(toks, Token{Kind: Error, Start: i, End: i + n})
			} else {
				toks = append(toks, Token{Kind: Op, Start: i, End: i + n})
			}
			i += n
		}
	}
	return toks
}

// isPrefix tells whether p is a string prefix Python accepts.
func isPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// lexString scans a string whose prefix starts at start and quote at q.
// A backslash always takes the next character with it, in raw strings
// too (r"\"" is one string), as in Python's tokenizer. A single-quoted
// string ends, unterminated, at a line break not escaped.
func lexString(src string, start, q int) Token {
	t := Token{Kind: String, Start: start, QuoteLen: 1}
	for _, c := range src[start:q] {
		switch c | 0x20 {
		case 'r':
			t.flags |= flagRaw
		case 'b':
			t.flags |= flagBytes
		case 'f':
			t.flags |= flagFormat
		}
	}
	quote := src[q : q+1]
	if strings.HasPrefix(src[q:], strings.Repeat(quote, 3)) {
		quote, t.QuoteLen = src[q:q+3], 3
	}
	t.BodyStart = q + len(quote)
	j := t.BodyStart
	for j < len(src) {
		switch c := src[j]; {
		case c == '\\':
			j += 2
			if j-1 < len(src) && src[j-1] == '\r' && j < len(src) && src[j] == '\n' {
				j++
			}
		case strings.HasPrefix(src[j:], quote):
			t.BodyEnd, t.End = j, j+len(quote)
			t.flags |= flagTerminated
			return t
		case (c == '\n' || c == '\r') && len(quote) == 1:
			// Python reports the opening quote; the rest is lexed again.
			return Token{Kind: Error, Start: start, End: q + 1}
		default:
			j++
		}
	}
	if len(quote) == 1 {
		return Token{Kind: Error, Start: start, End: q + 1}
	}
	j = min(j, len(src))
	t.BodyEnd, t.End = j, j
	return t
}

// lexNumber scans a number literal (int, float, imaginary; with
// underscores) starting at i.
func lexNumber(src string, i int) int {
	j := i
	digits := func(ok func(byte) bool) {
		for j < len(src) && (ok(src[j]) || src[j] == '_' && j+1 < len(src) && ok(src[j+1])) {
			j++
		}
	}
	if src[j] == '0' && j+1 < len(src) && strings.IndexByte("xXoObB", src[j+1]) >= 0 {
		j += 2
		if src[j-1]|0x20 == 'x' {
			digits(isHex)
		} else {
			digits(isDigit) // o and b take fewer digits; Python reports a bad one later
		}
		return j
	}
	digits(isDigit)
	if j < len(src) && src[j] == '.' {
		j++
		digits(isDigit)
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && isDigit(src[k]) {
			j = k
			digits(isDigit)
		}
	}
	if j < len(src) && (src[j] == 'j' || src[j] == 'J') {
		j++
	}
	return j
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// isNameStart is tokenize's \w minus digits: a letter, '_', or a non-ASCII
// letter or number (not a mark, as in tokenize's regular expression).
func isNameStart(src string, i int) bool {
	c := src[i]
	if c < utf8.RuneSelf {
		return c == '_' || 'a' <= c|0x20 && c|0x20 <= 'z'
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func isNameByte(src string, i int) bool { return isNameStart(src, i) || isDigit(src[i]) }
