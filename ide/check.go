package ide

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sparkls/sparkls/embed"
	"github.com/sparkls/sparkls/pycheck"
	"github.com/sparkls/sparkls/sqltext"
)

// Check: local syntax problems (unclosed quotes, comments, parentheses)
// found without Spark, and Spark's analysis of each query, without running
// it, through the Spark interface (package lsp adapts connect.Client; ide
// speaks no gRPC). The editor's diagnostics and `sparkls check` both use
// it, so they report the same problems.
//
// Only queries are ever sent: Spark executes DDL, DML and SET inside a SQL
// relation even when only asked to analyse it. Statements are analysed in
// the session's current namespace, whatever USE statements the document
// holds (sparkls does not run them for diagnostics).

// Sources of a [Problem], shown by editors next to the message.
const (
	SourceSpark = "spark"   // Spark's analysis of a query
	SourceLocal = "sparkls" // found in the text, without Spark
)

// Problem is one error found in a SQL text by [Check].
type Problem struct {
	Start, End int // byte span of the text the problem is about
	Line, Col  int // 1-based position of Start; Col counts characters
	Source     string
	Code       string // Spark's error class (UNRESOLVED_COLUMN.WITH_SUGGESTION, ...); empty for local problems
	Message    string
	Warning    bool // a warning (the Spark Connect lint of Python), not an error
}

// PythonLint is the Spark Connect compatibility lint (package pycheck) of
// a Python file or notebook as problems; none for other files.
func PythonLint(uri, languageID, text string) []Problem {
	if embed.KindOf(uri, languageID, "") != embed.Python {
		return nil // .py with any text is Python or a notebook; both are Python code
	}
	var ps []Problem
	for _, f := range pycheck.Check(text) {
		ps = append(ps, Problem{Start: f.Start, End: f.End, Source: SourceLocal, Code: f.Code, Message: f.Message(), Warning: true})
	}
	return ps
}

// Spark is what a check asks of a Spark session.
type Spark interface {
	// Analyze is Spark's verdict on one statement, analysed without
	// running it (inside the query envelope). A Spark error about the
	// statement is a failed verdict; any other error (transport, a lost
	// session) is returned.
	Analyze(ctx context.Context, stmt string) (Verdict, error)
	// Namespace is the session's current "catalog.namespace": the other
	// half of a verdict's cache key.
	Namespace(ctx context.Context) (string, error)
	// Unreachable tells whether err, from Analyze, means that every
	// further call would fail the same way, each after a timeout.
	Unreachable(err error) bool
}

// Verdict is Spark's analysis of one statement, in terms of its text.
type Verdict struct {
	Failed         bool
	Class, Message string // Spark's error class and the message to show
	// Start, End is the byte span in the statement's text Spark points
	// at, when Placed; else the check shows the statement's first line.
	Start, End int
	Placed     bool
}

// Check returns the problems of text: local syntax problems, and, with
// Spark (nil for none), Spark's analysis of every query and unrecognised statement, each
// inside the query envelope (see analysed). It analyses statements one by one, each with the
// client's call timeout. err is why Spark's analysis is incomplete (the
// server could not be reached, ...): the problems found are still returned.
func Check(ctx context.Context, spark Spark, text string) ([]Problem, error) {
	return CheckFile(ctx, spark, "", text)
}

// CheckFile is Check for the SQL that file's text holds (package embed): a
// .sql file, the %sql cells of a Databricks notebook or the spark.sql
// strings of Python. Positions are in text.
func CheckFile(ctx context.Context, spark Spark, file, text string) ([]Problem, error) {
	v := embed.Of(file, "", text)
	ck := Checker{Spark: spark, Opaque: v.Opaque, Lint: PythonLint(file, "", text)}
	res := ck.Check(ctx, v.Text, text)
	return res.Problems, res.Err
}

// Checker checks one text. The zero value checks without Spark and without
// limit.
type Checker struct {
	Spark Spark              // nil: local checks only
	Cache map[string]Verdict // by namespace + "\x00" + statement text
	Limit int                // most statements sent to Spark; 0 for no limit
	// Opaque tells a statement that nothing judges (an f-string with
	// holes that Python fills in); nil for none.
	Opaque func(start, end int) bool
	Lint   []Problem // more problems to report (PythonLint)
}

// CheckResult is what one check found, and what it cost.
type CheckResult struct {
	Problems   []Problem
	Verdicts   map[string]Verdict // every verdict this check used: the next Cache
	Analyzed   int                // statements sent to Spark
	Skipped    int                // queries not analysed because of the limit
	SkippedUse int                // queries after a USE of another namespace than the session's
	Err        error              // the first failure to analyse (not a Spark error)
}

// Check checks text, the SQL of a document (Document.SQL: as long as
// orig, the document's text, where line and column are counted).
func (ck *Checker) Check(ctx context.Context, text, orig string) CheckResult {
	res := CheckResult{Verdicts: map[string]Verdict{}}
	stmts := sqltext.SplitStatements(text)
	problems, broken := localProblems(text, stmts)
	if ck.Opaque != nil {
		// Neither the local checks nor Spark judge SQL that Python completes.
		kept := problems[:0]
		for _, p := range problems {
			if !ck.Opaque(statementSpan(stmts, p.Start)) {
				kept = append(kept, p)
			}
		}
		problems = kept
	}

	spark := ck.Spark
	ns, nsKnown := "", spark == nil
	var useCat, useNS string // what the USE statements before st leave in effect
	var useOK bool
	stmts, broken = scriptQueries(stmts, broken)
	for i, st := range stmts {
		if spark != nil && i > 0 && sqltext.Classify(stmts[i-1].Text) == sqltext.Session {
			// Only a USE or SET moves the namespace: replay them (from the
			// start of the text) only after one, not for every statement.
			useCat, useNS, useOK = sqltext.CurrentNamespace(text, st.Start)
		}
		// A statement with a syntax problem is not sent: Spark would only
		// report the same problem, less precisely.
		if spark == nil || broken[i] || !analysed(st.Text) || ck.Opaque != nil && ck.Opaque(st.Start, st.End) {
			continue
		}
		if !nsKnown {
			var err error
			if ns, err = spark.Namespace(ctx); err != nil {
				res.Err, spark = err, nil // without the key the cache is useless; so is a server that fails this
				continue
			}
			nsKnown = true
		}
		if useOK && !sameNamespace(ns, useCat, useNS) {
			// A USE earlier in the file names another namespace than the
			// session's, where Spark would resolve this statement: its
			// verdict could be wrong either way, so it is not asked.
			res.SkippedUse++
			continue
		}
		key := ns + "\x00" + st.Text // a copy: the cache does not keep the document's text alive
		v, ok := res.Verdicts[key]
		if !ok {
			v, ok = ck.Cache[key]
		}
		if !ok {
			if ck.Limit > 0 && res.Analyzed >= ck.Limit {
				res.Skipped++
				continue
			}
			res.Analyzed++
			var err error
			if v, err = spark.Analyze(ctx, st.Text); err != nil {
				if ctx.Err() != nil {
					res.Err = ctx.Err()
					return res
				}
				if res.Err == nil {
					res.Err = err
				}
				if spark.Unreachable(err) {
					spark = nil // every further call would fail the same way, each after a timeout
				}
				continue
			}
			if v.Failed && !v.Placed {
				v.Start, v.End = firstLine(st.Text)
				v.Placed = true
			}
		}
		res.Verdicts[key] = v
		if v.Failed {
			problems = append(problems, Problem{Start: st.Start + v.Start, End: st.Start + v.End, Source: SourceSpark, Code: v.Class, Message: v.Message})
		}
	}
	problems = append(problems, ck.Lint...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Start < problems[j].Start })
	if len(problems) > 0 {
		lines := lineStarts(orig)
		for i := range problems {
			p := &problems[i]
			line := sort.SearchInts(lines, max(0, min(p.Start, len(orig)))+1) - 1
			p.Line = line + 1
			p.Col = utf8.RuneCountInString(orig[lines[line]:p.Start]) + 1
		}
	}
	res.Problems = problems
	return res
}

// scriptQueries replaces each SQL script (BEGIN … END) of stmts by the
// queries inside it that use none of its local names
// (sqltext.ScriptQueries): those Spark can analyse alone. A block is never
// sent whole; the others cannot be judged without running the script.
func scriptQueries(stmts []sqltext.Statement, broken []bool) ([]sqltext.Statement, []bool) {
	var out []sqltext.Statement
	var outBroken []bool
	for i, st := range stmts {
		if sqltext.Classify(st.Text) != sqltext.Script {
			out, outBroken = append(out, st), append(outBroken, broken[i])
			continue
		}
		for _, q := range sqltext.ScriptQueries(st.Text) {
			q.Start, q.End = q.Start+st.Start, q.End+st.Start
			out, outBroken = append(out, q), append(outBroken, broken[i])
		}
	}
	return out, outBroken
}

// statementSpan is the span of the statement holding off (off alone if
// none does).
func statementSpan(stmts []sqltext.Statement, off int) (start, end int) {
	for _, st := range stmts {
		if st.Start <= off && off <= st.End {
			return st.Start, st.End
		}
	}
	return off, off + 1
}

// analysed tells whether Spark is asked about stmt: what the guess calls a
// query, and what it cannot place (a typo such as SELEC, text with ${…}),
// so that Spark's parse error shows. Safety does not rest on this guess:
// connect sends the statement inside the query envelope, where anything
// Spark reads as a command fails to parse. Commands are left out only
// because the envelope would always report them as syntax errors.
func analysed(stmt string) bool {
	k := sqltext.Classify(stmt)
	return k == sqltext.Query || k == sqltext.Unknown
}

// sameNamespace tells whether the session's "catalog.namespace" is the one
// a USE in the file left (catalog "" means the session's catalog). An
// unknown session namespace matches nothing.
func sameNamespace(session, catalog, namespace string) bool {
	scat, sns, ok := strings.Cut(session, ".")
	if !ok {
		return false
	}
	return (catalog == "" || strings.EqualFold(catalog, scat)) && (namespace == "" || strings.EqualFold(namespace, sns))
}

// firstLine is where an error without a position is shown: from the
// statement's first word (past leading comments) to the end of its line.
func firstLine(stmt string) (start, end int) {
	for t := range sqltext.Tokens(stmt) {
		if t.Kind != sqltext.Comment && t.Kind != sqltext.Hint {
			start = t.Start
			break
		}
	}
	end = len(stmt)
	if i := strings.IndexAny(stmt[start:], "\r\n"); i >= 0 {
		end = start + i
	}
	end = start + len(strings.TrimRight(stmt[start:end], " \t\f\v"))
	return start, end
}

// localProblems finds what is wrong in the text without Spark: unclosed
// strings, quoted identifiers and comments, and parentheses that do not
// pair up within a statement. broken[i] tells whether statement i has any.
//
// Each statement's tokens are read as a stream, never held: a large
// document (or one 20 MB INSERT) would take about twelve times its size in
// tokens. An unclosed token runs to the end of the text, so it is in the
// last statement or in the comments after it.
func localProblems(text string, stmts []sqltext.Statement) (problems []Problem, broken []bool) {
	broken = make([]bool, len(stmts))
	// unclosed reports an unterminated token of the text at base.
	unclosed := func(base int, tok sqltext.Token) {
		for _, p := range sqltext.Problems([]sqltext.Token{tok}) {
			// Underline the token without the line breaks it ran over.
			start := base + p.Start
			end := start + len(strings.TrimRight(text[start:base+p.End], " \t\n\r\f\v"))
			problems = append(problems, Problem{Start: start, End: max(end, start+1), Source: SourceLocal, Message: p.Message})
		}
	}
	for i, st := range stmts {
		var open []int // offsets of the unclosed '('
		for tok := range sqltext.Tokens(st.Text) {
			switch {
			case tok.Unterminated:
				unclosed(st.Start, tok)
				broken[i] = true
			case tok.Is("("):
				open = append(open, st.Start+tok.Start)
			case tok.Is(")") && len(open) > 0:
				open = open[:len(open)-1]
			case tok.Is(")"):
				problems = append(problems, Problem{Start: st.Start + tok.Start, End: st.Start + tok.End, Source: SourceLocal, Message: "unmatched ')'"})
				broken[i] = true
			}
		}
		for _, off := range open {
			problems = append(problems, Problem{Start: off, End: off + 1, Source: SourceLocal, Message: "unclosed '('"})
			broken[i] = true
		}
	}
	tail := 0
	if len(stmts) > 0 {
		tail = stmts[len(stmts)-1].End
	}
	for tok := range sqltext.Tokens(text[tail:]) {
		if tok.Unterminated {
			unclosed(tail, tok)
		}
	}
	return problems, broken
}

// lineStarts are the offsets at which text's lines start ("\n", "\r\n"
// and a lone "\r" end a line, as in LSP).
func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		case '\n':
			starts = append(starts, i+1)
		}
	}
	return starts
}
