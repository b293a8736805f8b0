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
	sp := splitter{src: src}
	for t := range Tokens(src) {
		sp.token(t)
	}
	return sp.finish()
}

// splitter splits a stream of tokens of src (all of it, or a cell) into
// statements, holding only the current statement's bounds: the tokens of a
// large document are never all in memory at once.
//
// Script blocks are found by counting: BEGIN opens a block only where a
// statement starts (first token, or after a "label:") so that a column named
// begin does not swallow the rest of the file; inside a block, BEGIN and
// CASE open and END closes, except END IF / END WHILE / END LOOP / END
// REPEAT / END FOR, whose openers are not counted either (and the CASE of
// END CASE opens nothing). CASE outside a
// block is not counted, so a half-typed CASE without END still lets the next
// statement split off.
type splitter struct {
	src  string
	out  []Statement
	code bool // the current statement has more than comments
	// start and end are the byte span of the current statement's tokens,
	// valid once it has one (open).
	start, end int
	open       bool
	depth      int
	prev       Token // previous significant token in the current statement
	hasPrev    bool
	// endPending is an END inside a block whose meaning waits for the next
	// significant token: END IF (and the other loops) closes no block.
	endPending bool
}

// token takes the next token.
func (sp *splitter) token(t Token) {
	if sp.endPending && t.Kind != Comment && t.Kind != Hint {
		sp.endPending = false
		if !endsLoop(t) {
			sp.depth--
		}
	}
	if sp.depth == 0 && t.Is(";") {
		sp.flush()
		return
	}
	if !sp.open {
		sp.start, sp.open = t.Start, true
	}
	sp.end = t.End
	if t.Kind == Comment || t.Kind == Hint {
		return
	}
	sp.code = true
	switch {
	case t.IsKeyword("BEGIN"):
		if sp.depth > 0 || !sp.hasPrev || sp.prev.Is(":") {
			sp.depth++
		}
	case t.IsKeyword("CASE"):
		if sp.depth > 0 && (!sp.hasPrev || !sp.prev.IsKeyword("END")) { // not END CASE
			sp.depth++
		}
	case t.IsKeyword("END"):
		sp.endPending = sp.depth > 0
	}
	sp.prev, sp.hasPrev = t, true
}

// flush ends the current statement, keeping it if it holds code.
func (sp *splitter) flush() {
	if sp.code {
		// An unterminated token may end in whitespace; trim it too.
		end := sp.start + len(strings.TrimRight(sp.src[sp.start:sp.end], " \t\n\r\f\v"))
		sp.out = append(sp.out, Statement{Start: sp.start, End: end, Text: sp.src[sp.start:end]})
	}
	sp.open, sp.code, sp.depth, sp.hasPrev, sp.endPending = false, false, 0, false, false
}

// finish ends the last statement and returns the statements found since
// the previous finish; the splitter is then ready for another cell.
func (sp *splitter) finish() []Statement {
	sp.flush()
	out := sp.out
	sp.out = nil
	return out
}

// endsLoop reports whether t, the significant token after an END, makes
// that END the end of an IF, WHILE, LOOP, REPEAT or FOR statement rather
// than of a block.
func endsLoop(t Token) bool {
	return t.IsKeyword("IF") || t.IsKeyword("WHILE") || t.IsKeyword("LOOP") ||
		t.IsKeyword("REPEAT") || t.IsKeyword("FOR")
}
