package sqltext

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenKind is the lexical class of a [Token].
type TokenKind uint8

const (
	// Other is a character Spark SQL has no use for (for example '@', '$' or
	// invalid UTF-8), one rune per token, so that every non-space byte of the
	// input belongs to some token.
	Other TokenKind = iota
	// Ident is an unquoted identifier or keyword; keywords are not told apart
	// because in Spark most of them are also valid identifiers.
	Ident
	// QuotedIdent is a `backquoted` identifier; a doubled backquote inside
	// stands for one.
	QuotedIdent
	// String is a '…' or "…" literal (backslash escapes, doubled quotes) or a
	// raw r'…' / R"…" literal where backslash is literal.
	String
	// Number is a numeric literal: 1, 1.5, .5, 1e10, 10L, 1.5BD, …
	Number
	// Comment is a -- line comment or a (nested) /* block comment */.
	Comment
	// Hint is a /*+ … */ optimizer hint.
	Hint
	// Param is a parameter marker: ? or :name.
	Param
	// Variable is a ${var} substitution.
	Variable
	// Op is an operator or punctuation: ( ) , ; . = <> <=> :: -> => …
	Op
)

var tokenKindNames = [...]string{
	Other: "Other", Ident: "Ident", QuotedIdent: "QuotedIdent", String: "String",
	Number: "Number", Comment: "Comment", Hint: "Hint", Param: "Param",
	Variable: "Variable", Op: "Op",
}

func (k TokenKind) String() string {
	if int(k) < len(tokenKindNames) {
		return tokenKindNames[k]
	}
	return "TokenKind(?)"
}

// Token is one lexeme. Whitespace is not emitted: callers that need it look
// at the gaps between tokens.
type Token struct {
	Kind       TokenKind
	Start, End int    // byte offsets into the lexed string
	Text       string // src[Start:End]
	// Unterminated is set when a string, quoted identifier, comment, hint or
	// variable reached the end of input (or, for ${var}, the end of the word)
	// without its closing delimiter. See [Problems].
	Unterminated bool
}

// Is reports whether t is the operator or punctuation op. It spares callers
// comparing Kind and Text separately.
func (t Token) Is(op string) bool { return t.Kind == Op && t.Text == op }

// IsKeyword reports whether t is the unquoted identifier kw, ignoring case,
// as Spark does for keywords.
func (t Token) IsKeyword(kw string) bool { return t.Kind == Ident && strings.EqualFold(t.Text, kw) }

// Problem is something the package could not make sense of, with the byte
// range it concerns. Problems are advice for diagnostics, never errors: the
// results they accompany are still a best guess.
type Problem struct {
	Start, End int
	Message    string
}

// Problems lists one problem per unterminated token, in order, each starting
// at the token's opening delimiter so that an editor can point at it.
func Problems(toks []Token) []Problem {
	var out []Problem
	for _, t := range toks {
		if !t.Unterminated {
			continue
		}
		msg := "unclosed " + strings.ToLower(t.Kind.String())
		switch t.Kind {
		case QuotedIdent:
			msg = "unclosed quoted identifier"
		case Variable:
			msg = "unclosed variable, want ${name}"
		}
		out = append(out, Problem{Start: t.Start, End: t.End, Message: msg})
	}
	return out
}

// Lex splits src into tokens. It accepts any input: unterminated strings,
// quoted identifiers and comments run to the end of input and are marked
// Unterminated; characters it does not know become Other tokens. Tokens are
// in order, do not overlap, and together cover every byte that is not
// whitespace to Spark.
//
// A token takes about ten times the bytes of the text it covers, so Lex is
// for a statement or a line. Whole documents, which may be tens of
// megabytes, go through [Tokens], which holds one token at a time.
func Lex(src string) []Token {
	// Typical SQL has a token per 4-6 bytes; reserving for 4 avoids copying
	// the slice as it grows, which dominated the cost.
	toks := make([]Token, 0, len(src)/4+1)
	for t := range Tokens(src) {
		toks = append(toks, t)
	}
	return toks
}

// Tokens yields the tokens of src in order, exactly those [Lex] returns,
// without keeping them: memory stays constant however long src is, and a
// caller that only wants the first few tokens stops early.
func Tokens(src string) iter.Seq[Token] {
	return func(yield func(Token) bool) {
		for i := 0; i < len(src); {
			if n := spaceLen(src, i); n > 0 {
				i += n
				continue
			}
			kind, end, unterminated := lexOne(src, i)
			if !yield(Token{Kind: kind, Start: i, End: end, Text: src[i:end], Unterminated: unterminated}) {
				return
			}
			i = end
		}
	}
}

// isSpace reports the ASCII whitespace of Spark's lexer (its WS rule).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// spaceLen returns the byte length of the whitespace character at src[i],
// or 0. Spark's WS rule also counts a fixed set of Unicode spaces (U+00A0,
// U+1680, U+2000–U+200A, U+2028, U+202F, U+205F, U+3000; not U+2029):
// "SELECT\u00a01" is SELECT 1 to Spark, so it must be here too.
func spaceLen(src string, i int) int {
	c := src[i]
	if c < utf8.RuneSelf {
		if isSpace(c) {
			return 1
		}
		return 0
	}
	switch r, n := utf8.DecodeRuneInString(src[i:]); {
	case r == 0xa0, r == 0x1680, 0x2000 <= r && r <= 0x200a, r == 0x2028, r == 0x202f, r == 0x205f, r == 0x3000:
		return n
	}
	return 0
}

// lexOne scans the token that starts at src[i], which is not whitespace.
func lexOne(src string, i int) (kind TokenKind, end int, unterminated bool) {
	c := src[i]
	next := byte(0)
	if i+1 < len(src) {
		next = src[i+1]
	}
	switch {
	case c == '-' && next == '-':
		return Comment, lineEnd(src, i), false
	case c == '/' && next == '*':
		if i+2 < len(src) && src[i+2] == '+' {
			end, ok := hintEnd(src, i+3)
			return Hint, end, !ok
		}
		end, ok := blockEnd(src, i+2)
		return Comment, end, !ok
	case c == '\'' || c == '"':
		end, ok := quotedEnd(src, i, c, true)
		return String, end, !ok
	case (c == 'r' || c == 'R') && (next == '\'' || next == '"'):
		// Raw string: backslash is literal, so the first matching quote ends it.
		j := strings.IndexByte(src[i+2:], next)
		if j < 0 {
			return String, len(src), true
		}
		return String, i + 2 + j + 1, false
	case c == '`':
		end, ok := quotedEnd(src, i, '`', false)
		return QuotedIdent, end, !ok
	case isDigit(c) || c == '.' && isDigit(next) && !afterName(src, i):
		return lexNumber(src, i)
	case c == '?':
		return Param, i + 1, false
	case c == ':' && next != ':' && !afterName(src, i) && i+1 < len(src) && isIdentStart(src, i+1):
		// :name is a named parameter, but a colon glued to a preceding name
		// (struct<a:int>, a label "l:", a variant path col:field) is not.
		return Param, identEnd(src, i+1), false
	case c == '$' && next == '{':
		return lexVariable(src, i)
	case isIdentStart(src, i):
		return Ident, identEnd(src, i), false
	}
	if n := opLen(src[i:]); n > 0 {
		return Op, i + n, false
	}
	_, size := utf8.DecodeRuneInString(src[i:])
	return Other, i + size, false
}

// lineEnd returns the end of the line comment at i, before its \r or \n, so
// that a statement ending in a comment carries no line terminator. Like
// Spark's SIMPLE_COMMENT, a backslash right before \n continues the comment
// on the next line: missing that would let "-- x\\\nSELECT\nINSERT …" look
// like a query.
func lineEnd(src string, i int) int {
	for j := i + 2; ; {
		k := strings.IndexAny(src[j:], "\r\n")
		if k < 0 {
			return len(src)
		}
		j += k
		if src[j] == '\n' && src[j-1] == '\\' {
			j++
			continue
		}
		return j
	}
}

// blockEnd finds the end of a block comment whose body starts at i. Spark
// nests block comments, so /* a /* b */ c */ is one comment, but "/*+"
// opens no nested comment (Spark's lexer keeps it for a hint): in
// "/* /*+ */ DROP …" the first "*/" ends the comment and DROP is code.
func blockEnd(src string, i int) (end int, ok bool) {
	depth := 1
	for i < len(src)-1 {
		switch {
		case src[i] == '/' && src[i+1] == '*' && (i+2 >= len(src) || src[i+2] != '+'):
			depth++
			i += 2
		case src[i] == '*' && src[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i, true
			}
		default:
			i++
		}
	}
	return len(src), false
}

// hintEnd finds the end of a hint whose body starts at i. Spark lexes a
// hint's body as ordinary tokens up to "*/", so a string, a line comment or
// a block comment inside it can hide a "*/" (in "/*+ a -- */" the comment
// does). A "/*+" inside a hint is skipped as plain text rather than
// nested, which keeps hostile input from recursing.
func hintEnd(src string, i int) (end int, ok bool) {
	for i < len(src) {
		if n := spaceLen(src, i); n > 0 {
			i += n
			continue
		}
		switch {
		case strings.HasPrefix(src[i:], "*/"):
			return i + 2, true
		case strings.HasPrefix(src[i:], "/*+"):
			i += 3
			continue
		}
		_, i, _ = lexOne(src, i)
	}
	return len(src), false
}

// quotedEnd finds the end of the literal opened by quote q at src[i]. A
// doubled quote stands for itself; backslash escapes the next byte when
// escapes is set (strings, not backquoted identifiers).
func quotedEnd(src string, i int, q byte, escapes bool) (end int, ok bool) {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			if escapes {
				j++
			}
		case q:
			if j+1 < len(src) && src[j+1] == q {
				j++
				continue
			}
			return j + 1, true
		}
	}
	return len(src), false
}

// lexNumber scans a numeric literal at i: digits, an optional fraction, an
// optional exponent and an optional type suffix (L S Y D F BD). Like Spark,
// digits glued to letters that are not a suffix form an identifier (1a,
// 2024_q1).
func lexNumber(src string, i int) (TokenKind, int, bool) {
	j := digitsEnd(src, i)
	plain := true
	if j < len(src) && src[j] == '.' {
		plain = false
		j = digitsEnd(src, j+1)
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && isDigit(src[k]) {
			plain = false
			j = digitsEnd(src, k)
		}
	}
	if j >= len(src) || !isIdentStart(src, j) && !isDigit(src[j]) {
		return Number, j, false
	}
	word := identEnd(src, j)
	switch strings.ToUpper(src[j:word]) {
	case "L", "S", "Y", "D", "F", "BD":
		return Number, word, false
	}
	if plain {
		return Ident, word, false
	}
	// 1.5abc: keep the number, the letters become the next token.
	return Number, j, false
}

// lexVariable scans ${name}. An unclosed one stops at the end of the word
// rather than swallowing the rest of the input: names hold no spaces.
func lexVariable(src string, i int) (TokenKind, int, bool) {
	for j := i + 2; j < len(src); j++ {
		switch c := src[j]; {
		case c == '}':
			return Variable, j + 1, false
		case isSpace(c) || c == ';':
			return Variable, j, true
		}
	}
	return Variable, len(src), true
}

// opLen returns the length of the operator or punctuation at the start of
// s, or 0. Two-byte operators are matched before their one-byte prefixes.
// ">>" and ">>>" are left out on purpose: they would swallow the closing
// brackets of nested types such as array<array<int>>.
func opLen(s string) int {
	next := byte(0)
	if len(s) > 1 {
		next = s[1]
	}
	switch s[0] {
	case '<':
		switch {
		case next == '=' && len(s) > 2 && s[2] == '>':
			return 3 // <=>
		case next == '>', next == '=', next == '<':
			return 2
		}
	case '>':
		if next == '=' {
			return 2
		}
	case '!':
		if next == '=' || next == '<' || next == '>' {
			return 2
		}
	case '=':
		if next == '=' || next == '>' {
			return 2
		}
	case '|':
		if next == '|' || next == '>' {
			return 2
		}
	case ':':
		if next == ':' {
			return 2
		}
	case '-':
		if next == '>' {
			return 2
		}
	case '&':
		if next == '&' {
			return 2
		}
	case '(', ')', '[', ']', '{', '}', ',', ';', '.', '+', '*', '/', '%', '^', '~':
	default:
		return 0
	}
	return 1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitsEnd(src string, i int) int {
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	return i
}

// isIdentStart reports whether an identifier may start at src[i]: a letter
// (any script, as Spark accepts) or an underscore.
func isIdentStart(src string, i int) bool {
	c := src[i]
	if c < utf8.RuneSelf {
		return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return unicode.IsLetter(r)
}

// identEnd returns the end of the run of letters, digits and underscores at i.
func identEnd(src string, i int) int {
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if !(c == '_' || isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return i
		}
		i += size
	}
	return i
}

// afterName reports whether src[i] is glued to a preceding name or closing
// bracket, which makes '.' a qualifier (t.5col) and ':' a separator rather
// than the start of a number or parameter.
func afterName(src string, i int) bool {
	if i == 0 {
		return false
	}
	c := src[i-1]
	if c < utf8.RuneSelf {
		return c == '_' || c == ')' || c == ']' || c == '`' || isDigit(c) ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeLastRuneInString(src[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
