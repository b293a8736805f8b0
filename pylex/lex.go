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
	// Strings only: the prefix letters, the quote ('"', "'", `"""` or
	// "'''") and the content between the quotes (Body, as offsets).
	Prefix     string
	Quote      string
	BodyStart  int
	BodyEnd    int
	Terminated bool
}

// Raw, Bytes and Format tell a string's prefix.
func (t Token) Raw() bool    { return strings.ContainsAny(t.Prefix, "rR") }
func (t Token) Bytes() bool  { return strings.ContainsAny(t.Prefix, "bB") }
func (t Token) Format() bool { return strings.ContainsAny(t.Prefix, "fF") }

// ops are Python's operators, longest first where one prefixes another.
var ops = []string{
	"**=", "//=", ">>=", "<<=", "...", "->", ":=", "!=", "==", "<=", ">=", "**", "//", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
	"(", ")", "[", "]", "{", "}", ":", ",", ";", ".", "+", "-", "*", "/", "%", "|", "&", "^", "~", "<", ">", "=", "@",
}

// Lex returns the tokens of src.
func Lex(src string) []Token {
	var toks []Token
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
			n := 0
			for _, op := range ops {
				if strings.HasPrefix(src[i:], op) {
					n = len(op)
					break
				}
			}
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
	t := Token{Kind: String, Start: start, Prefix: src[start:q], Quote: src[q : q+1]}
	if strings.HasPrefix(src[q:], strings.Repeat(t.Quote, 3)) {
		t.Quote = strings.Repeat(t.Quote, 3)
	}
	t.BodyStart = q + len(t.Quote)
	j := t.BodyStart
	for j < len(src) {
		switch c := src[j]; {
		case c == '\\':
			j += 2
			if j-1 < len(src) && src[j-1] == '\r' && j < len(src) && src[j] == '\n' {
				j++
			}
		case strings.HasPrefix(src[j:], t.Quote):
			t.BodyEnd, t.End, t.Terminated = j, j+len(t.Quote), true
			return t
		case (c == '\n' || c == '\r') && len(t.Quote) == 1:
			// Python reports the opening quote; the rest is lexed again.
			return Token{Kind: Error, Start: start, End: q + 1}
		default:
			j++
		}
	}
	if len(t.Quote) == 1 {
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
