package sqltext

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The splitters read a stream of tokens so that a large document's tokens
// are never all in memory. These are the slice-based versions they
// replaced (which looked ahead past END in the token slice), kept as the
// reference that the streaming ones must agree with.

func refSplitStatements(src string) []Statement { return refSplitTokens(src, Lex(src)) }

func refSplitCells(src string) []Cell {
	toks := Lex(src)
	var cells []Cell
	marked := false
	from := 0
	add := func(to int) {
		stmts := refSplitTokens(src, toks[from:to])
		if len(stmts) == 0 {
			return
		}
		start, end := toks[from].Start, toks[to-1].End
		end = start + len(strings.TrimRight(src[start:end], " \t\n\r\f\v"))
		cells = append(cells, Cell{Start: start, End: end, Statements: stmts})
	}
	for i, t := range toks {
		if !isMarker(src, t) {
			continue
		}
		add(i)
		marked = true
		from = i + 1
	}
	if !marked {
		stmts := refSplitTokens(src, toks)
		cells = make([]Cell, 0, len(stmts))
		for _, s := range stmts {
			cells = append(cells, Cell{Start: s.Start, End: s.End, Statements: []Statement{s}})
		}
		return cells
	}
	add(len(toks))
	return cells
}

func refSplitTokens(src string, toks []Token) []Statement {
	var out []Statement
	first, last := -1, -1
	code := false
	depth := 0
	var prev *Token
	flush := func() {
		if code {
			start := toks[first].Start
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
			if depth > 0 && (prev == nil || !prev.IsKeyword("END")) {
				depth++
			}
		case t.IsKeyword("END"):
			if depth > 0 && !refEndsLoop(toks[i+1:]) {
				depth--
			}
		}
		prev = t
	}
	flush()
	return out
}

func refEndsLoop(rest []Token) bool {
	for _, t := range rest {
		if t.Kind == Comment || t.Kind == Hint {
			continue
		}
		return endsLoop(t)
	}
	return false
}

// checkAgainstReference fails when the streaming splitters disagree with
// the slice-based ones on src.
func checkAgainstReference(t *testing.T, src string) {
	t.Helper()
	if got, want := SplitStatements(src), refSplitStatements(src); !reflect.DeepEqual(got, want) {
		t.Fatalf("SplitStatements(%q)\n got %+v\nwant %+v", src, got, want)
	}
	if got, want := SplitCells(src), refSplitCells(src); !reflect.DeepEqual(got, want) {
		t.Fatalf("SplitCells(%q)\n got %+v\nwant %+v", src, got, want)
	}
}

// refClassify and refIsReadOnly are Classify and IsReadOnly as they were
// before they lexed only a statement's first words.
func refClassify(stmt string) Kind {
	if strings.Contains(stmt, "${") {
		return Unknown
	}
	return classify(significant(Lex(stmt)))
}

func refIsReadOnly(stmt string) bool {
	if strings.Contains(stmt, "${") {
		return false
	}
	toks := significant(Lex(stmt))
	switch classify(toks) {
	case Query, Describe:
		return true
	case Session:
		return isSetShow(skipParens(toks))
	}
	return false
}

// checkClassifyAgainstReference fails when Classify or IsReadOnly disagree
// with the versions that lexed the whole statement.
func checkClassifyAgainstReference(t *testing.T, stmt string) {
	t.Helper()
	if got, want := Classify(stmt), refClassify(stmt); got != want {
		t.Fatalf("Classify(%q) = %v, want %v", stmt, got, want)
	}
	if got, want := IsReadOnly(stmt), refIsReadOnly(stmt); got != want {
		t.Fatalf("IsReadOnly(%q) = %v, want %v", stmt, got, want)
	}
}

// TestClassifyAgreesWithReference compares Classify and IsReadOnly with
// the reference on random statements made of the words that decide a kind,
// behind comments, hints and parentheses.
func TestClassifyAgreesWithReference(t *testing.T) {
	pieces := []string{
		"SELECT", "WITH", "FROM", "INSERT", "DROP", "TEMPORARY", "TEMP", "VARIABLE", "VAR", "SET", "USE",
		"CATALOG", "TIME", "-v", "=", "x", "a", "AS", "RECURSIVE", "(", "(", ")", ",", "1", "DESC", "EXPLAIN",
		"CREATE", "VALUES", "BEGIN", "-- c\n", "/* c */", "/*+ h */", "'s'", "`q`", "${v}",
	}
	rng := rand.New(rand.NewPCG(11, 10))
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			b.WriteByte(' ')
		}
		checkClassifyAgainstReference(t, b.String())
	}
}

// TestSplitAgreesWithReference compares the splitters with the reference
// on random texts built from the pieces that move statement boundaries:
// script block keywords, labels, semicolons, comments and hints between an
// END and what follows it, cell markers, unclosed strings and comments.
func TestSplitAgreesWithReference(t *testing.T) {
	pieces := []string{
		"BEGIN", "begin", "END", "end", "CASE", "IF", "WHILE", "LOOP", "REPEAT", "FOR",
		"lbl:", ":", ";", ";", ";", "SELECT 1", "x", "DO", "THEN",
		"-- c\n", "/* c */", "/*+ h */", "'s;'", "`q;`",
		"\n-- %%\n", "\n-- COMMAND ----------\n", "\n-- Databricks notebook source\n",
		"'unclosed", "/* unclosed", " ", "\n", "\t",
	}
	rng := rand.New(rand.NewPCG(11, 7))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		checkAgainstReference(t, b.String())
	}
}
