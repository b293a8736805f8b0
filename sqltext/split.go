package sqltext

import "strings"

// Statement is one statement of a larger text. Start and End are byte
// offsets into that text, so that an error Spark reports against Text can be
// mapped back to the editor; Text is src[Start:End].
type Statement struct {
	Start, End int
	Text       string // without the terminating ';' and surrounding whitespace
}

// SplitStatements splits src at semicolons that are outside strings,
// comments and quoted identifiers. Each statement is trimmed of surrounding
// whitespace but keeps its comments (a leading comment often explains the
// statement, and Spark ignores it). Statements that hold only comments,
// hints or nothing are dropped: there is nothing to run.
//
// A Spark 4 SQL script block (BEGIN … END) is one statement although it
// contains semicolons. That is a best guess from keyword depth: BEGIN opens
// a block only at the start of a statement, and a block that is never
// closed runs to the end of input.
func SplitStatements(src string) []Statement {
	return splitTokens(src, Lex(src))
}

// splitTokens splits the tokens of src (or of a cell of src) into statements.
//
// Script blocks are found by counting: BEGIN opens a block only where a
// statement starts (first token, or after a "label:") so that a column named
// begin does not swallow the rest of the file; inside a block, BEGIN and
// CASE open and END closes, except END IF / END WHILE / END LOOP / END
// REPEAT / END FOR, whose openers are not counted either (and the CASE of
// END CASE opens nothing). CASE outside a
// block is not counted, so a half-typed CASE without END still lets the next
// statement split off.
func splitTokens(src string, toks []Token) []Statement {
	var out []Statement
	first, last := -1, -1 // token range of the current statement
	code := false         // the current statement has more than comments
	depth := 0
	var prev *Token // previous significant token in the current statement
	flush := func() {
		if code {
			start := toks[first].Start
			// An unterminated token may end in whitespace; trim it too.
			end := start + len(strings.TrimRight(src[start:toks[last].End], " \t\n\r\f\v"))
			out = append(out, Statement{Start: start, End: end, Text: src[start:end]})
		}
		first, last, code, depth, prev = -1, -1, false, 0, nil
	}
	for i := range toks {
		t := &toks[i]
		if depth == 0 && t.Is(";") {
			flush()
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		if t.Kind == Comment || t.Kind == Hint {
			continue
		}
		code = true
		switch {
		case t.IsKeyword("BEGIN"):
			if depth > 0 || prev == nil || prev.Is(":") {
				depth++
			}
		case t.IsKeyword("CASE"):
			if depth > 0 && (prev == nil || !prev.IsKeyword("END")) { // not END CASE
				depth++
			}
		case t.IsKeyword("END"):
			if depth > 0 && !endsLoop(toks[i+1:]) {
				depth--
			}
		}
		prev = t
	}
	flush()
	return out
}

// endsLoop reports whether the next significant token makes an END the end
// of an IF, WHILE, LOOP, REPEAT or FOR statement rather than of a block.
func endsLoop(rest []Token) bool {
	for _, t := range rest {
		if t.Kind == Comment || t.Kind == Hint {
			continue
		}
		return t.IsKeyword("IF") || t.IsKeyword("WHILE") || t.IsKeyword("LOOP") ||
			t.IsKeyword("REPEAT") || t.IsKeyword("FOR")
	}
	return false
}
