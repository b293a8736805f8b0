package connect

import (
	"regexp"
	"strconv"
	"strings"
)

// The query envelope is how sparkls keeps its promise that nothing runs
// unless the user runs it, without trusting its own guess of what a
// statement is. Whatever is not a user's explicit run (analysis for
// diagnostics, hover and completion, explain) and every statement of a
// readOnly run is sent as
//
//	SELECT * FROM (
//	<statement>
//
//	)
//
// Spark's own parser then decides: text that Spark reads as a command (DROP,
// INSERT, EXECUTE IMMEDIATE, a script block, a comment or ${…} trick that
// hides one, several statements) cannot be the body of a subquery and fails
// to parse, so nothing runs. The newlines keep a trailing "--" comment from
// swallowing the closing parenthesis: two, because Spark continues a line
// comment that ends in a backslash onto the next line. Verified on 4.0.1 and 4.1.1
// (../shared facts §12 and TestITSafety).
const (
	envelopeHead = "SELECT * FROM (\n"
	envelopeTail = "\n\n)"
)

// envelope returns stmt inside the query envelope.
func envelope(stmt string) string { return envelopeHead + stmt + envelopeTail }

// envelopeLine finds the "line L" of a parse error's position.
var envelopeLine = regexp.MustCompile(`\(line (\d+), pos (\d+)\)`)

// fromEnvelope maps an error Spark reported about envelope(stmt) onto stmt:
// positions inside stmt keep their place; a position in the envelope's head
// or tail (the statement ended where Spark wanted more) moves to stmt's end,
// and the closing parenthesis Spark then names becomes "end of input". The
// "(line L, pos P)" of the message counts stmt's lines, and the message's
// echo of the SQL (everything from "== SQL" on) is dropped: it shows the
// envelope.
func (e *SparkError) fromEnvelope(stmt string) {
	full := envelope(stmt)
	e.inText(full)
	head := len(envelopeHead)
	inTail := false
	for i := range e.Contexts {
		qc := &e.Contexts[i]
		if qc.Start >= head+len(stmt) {
			inTail = true
		}
		qc.Start = min(max(qc.Start-head, 0), len(stmt))
		qc.Stop = min(max(qc.Stop-head, qc.Start), len(stmt))
		qc.Fragment = stmt[qc.Start:qc.Stop]
	}
	msg := e.Message
	if i := strings.Index(msg, "\n== SQL"); i >= 0 {
		msg = strings.TrimRight(msg[:i], "\n ")
	}
	// Unbalanced parentheses are found locally before anything is sent, so
	// a missing ')' is the envelope's.
	msg = strings.Replace(msg, ": missing ')'", "", 1)
	if e.Parameters["hint"] == ": missing ')'" {
		delete(e.Parameters, "hint")
	}
	if inTail {
		msg = strings.Replace(msg, "at or near ')'", "at or near end of input", 1)
		if e.Parameters["error"] == "')'" {
			e.Parameters["error"] = "end of input"
		}
	}
	msg = envelopeLine.ReplaceAllStringFunc(msg, func(m string) string {
		sub := envelopeLine.FindStringSubmatch(m)
		line, _ := strconv.Atoi(sub[1])
		line = min(max(line-1, 1), strings.Count(stmt, "\n")+1)
		return "(line " + strconv.Itoa(line) + ", pos " + sub[2] + ")"
	})
	e.Message = msg
	e.dropPosition()
}

// isParseError reports whether Spark could not parse the text (rather than
// failing to analyse or run it).
func (e *SparkError) isParseError() bool {
	return strings.HasPrefix(e.ErrorClass, "PARSE_") || e.ErrorClass == "UNCLOSED_BRACKETED_COMMENT" || e.SQLState == "42601"
}
