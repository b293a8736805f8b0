package sqltext

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestScanAgreesWithSplitCells checks that the cheap statement locator
// finds, for every statement SplitCells reports, that statement around each
// of its offsets.
func TestScanAgreesWithSplitCells(t *testing.T) {
	for _, src := range []string{
		"",
		"SELECT 1",
		"SELECT 1; SELECT 2;\nSELECT 3",
		"SELECT ';' AS a, \"x;y\", `c;d` FROM t; SELECT 2",
		"SELECT 1 -- a;b\n, 2; /* ; /* ; */ ; */ SELECT 3",
		`SELECT 'a\';b'; SELECT r'\'; SELECT 1.5r'\';x'; SELECT 2`,
		"SELECT :r';'; SELECT 5r';'; SELECT ${a;b}; SELECT ${v} ; x",
		"SELECT 'unclosed; SELECT 2",
		"-- Databricks notebook source\nSELECT 1\n\n-- COMMAND ----------\n\nSELECT 2;\n-- %% next\nSELECT 3",
		"SELECT 1 /* -- COMMAND ---------- */; x -- COMMAND ----------\ny",
		"é'; SELECT 1; é r';'",
		";;  ;\n SELECT a -- trailing",
	} {
		for _, c := range SplitCells(src) {
			for _, s := range c.Statements {
				for off := s.Start; off <= s.End; off++ {
					reg, toks := statementAt(src, off)
					if len(toks) == 0 {
						t.Fatalf("%q at %d: region %v has no tokens, want statement %q", src, off, reg, s.Text)
					}
					got := src[toks[0].Start:toks[len(toks)-1].End]
					got = strings.TrimRight(got, " \t\r\n\f\v")
					if got != s.Text {
						t.Errorf("%q at %d: statement %q, want %q", src, off, got, s.Text)
					}
				}
			}
		}
	}
}

func TestScanClampsOffset(t *testing.T) {
	src := "SELECT 1; SELECT 2"
	for _, off := range []int{-5, 0, len(src), len(src) + 10} {
		reg, _ := statementAt(src, off)
		if reg.Start < 0 || reg.End > len(src) || reg.Start > reg.End {
			t.Errorf("offset %d: region %v out of range", off, reg)
		}
	}
}

// TestKeywordSets guards the keyword tables: a word the analysis switches
// on must be in the keywords map, or kwOf never returns it.
func TestKeywordSets(t *testing.T) {
	for name, m := range map[string]map[string]bool{
		"notAlias": notAlias, "exprIntro": exprIntro, "joinWord": joinWord, "fromEnd": fromEnd,
		"selectEnd": selectEnd, "closesGroup": closesGroup, "keywordsAfterTarget": keywordsAfterTarget,
	} {
		for w := range m {
			if keywords[w] != w {
				t.Errorf("%s has %q, which is not in keywords", name, w)
			}
		}
	}
	for w := range kwNext {
		if keywords[w] != w {
			t.Errorf("kwNext has %q, which is not in keywords", w)
		}
	}
}

// FuzzAt checks that the cursor API never panics and keeps every span in
// range, for any text and offset.
func FuzzAt(f *testing.F) {
	for _, s := range []string{
		"SELECT o. FROM orders o",
		"WITH a AS (SELECT x, y AS z FROM t), b (p) AS (SELECT * FROM a) SELECT b.p FROM b",
		"SELECT * FROM (SELECT count( FROM t WHERE x IN (SELECT",
		"MERGE INTO t USING (SELECT 1) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = CASE WHEN",
		"INSERT INTO `a``b`.c (x, SELECT f(g(1, ','), 'x)'",
		"USE cat.db; SET CATALOG 'c'; SELECT * FROM t LATERAL VIEW explode(a) e AS x, y",
		"-- Databricks notebook source\nSELECT 1\n-- COMMAND ----------\nSELECT /* ; */ `x",
		"BEGIN DECLARE x INT; lbl: BEGIN SELECT 1; END; END",
		"))((,.;.*:: AS AS FROM FROM JOIN ON USING ( WITH RECURSIVE",
	} {
		f.Add(s, len(s)/2)
	}
	f.Fuzz(func(t *testing.T, src string, offset int) {
		inRange := func(what string, s Span) {
			if s.Start < 0 || s.End > len(src) || s.Start > s.End {
				t.Fatalf("%s span %v out of range (len %d)", what, s, len(src))
			}
		}
		ctx := At(src, offset)
		inRange("word", ctx.Word)
		inRange("statement", ctx.Statement)
		if ctx.Call != nil {
			inRange("call", ctx.Call.Span)
		}
		var refs func([]TableRef)
		refs = func(ts []TableRef) {
			for _, r := range ts {
				inRange("table", r.Span)
				inRange("alias", r.AliasSpan)
				refs(r.Sources)
			}
		}
		refs(ctx.Scope.Tables)
		for _, c := range ctx.Scope.CTEs {
			inRange("cte", c.Span)
			inRange("cte body", c.BodySpan)
			refs(c.Sources)
		}
		for _, p := range ctx.Problems {
			inRange("problem", Span{p.Start, p.End})
		}
		if s, ok := Definition(src, offset); ok {
			inRange("definition", s)
		}
		CurrentNamespace(src, offset)

		// The cheap locator agrees with the lexer-based splitter, except
		// in script blocks, which it deliberately does not count.
		if strings.Contains(strings.ToLower(src), "begin") {
			return
		}
		for _, c := range SplitCells(src) {
			for _, s := range c.Statements {
				_, toks := statementAt(src, s.Start)
				if len(toks) == 0 {
					t.Fatalf("no statement at %d, want %q", s.Start, s.Text)
				}
				got := strings.TrimRight(src[toks[0].Start:toks[len(toks)-1].End], " \t\r\n\f\v")
				if got != s.Text {
					t.Fatalf("statement at %d is %q, want %q", s.Start, got, s.Text)
				}
			}
		}
	})
}

// BenchmarkAt analyses the cursor near the end of about 1 MB of SQL, the
// same text each time, as hover, completion and signature help on one
// version of a document do.
func BenchmarkAt(b *testing.B) {
	src, off := benchDoc(0)
	At(src, off)
	for b.Loop() {
		At(src, off)
	}
}

// BenchmarkAtTyping is the typing path: each call sees a new version of a
// 1 MB text that differs from the last one at the cursor, near the end.
func BenchmarkAtTyping(b *testing.B) {
	var docs []string
	for i := range 8 { // more versions than cached indexes
		src, _ := benchDoc(0)
		docs = append(docs, src+strings.Repeat("x", i))
	}
	i := 0
	for b.Loop() {
		src := docs[i%len(docs)]
		At(src, len(src))
		i++
	}
}

// BenchmarkAtCold scans every time: each text differs from the others in
// its first bytes, so no earlier scan can be reused.
func BenchmarkAtCold(b *testing.B) {
	var docs []string
	for i := range 8 {
		src, _ := benchDoc(i)
		docs = append(docs, src)
	}
	b.SetBytes(int64(len(docs[0])))
	i := 0
	for b.Loop() {
		src := docs[i%len(docs)]
		At(src, len(src))
		i++
	}
}

// benchDoc is about 1 MB of SQL ending in a typical statement being typed.
func benchDoc(version int) (string, int) {
	src := fmt.Sprintf("-- v%d\n", version) + benchSQL(1<<20) +
		"SELECT o.id, sum(o.amount) AS total\nFROM cat.sales.orders o JOIN customers c ON o.cid = c.id\nWHERE o."
	return src, len(src)
}

// BenchmarkCurrentNamespaceCold replays USE statements over about 1 MB of
// SQL, scanning it all each time.
func BenchmarkCurrentNamespaceCold(b *testing.B) {
	var docs []string
	for i := range 8 {
		docs = append(docs, fmt.Sprintf("USE CATALOG c%d;\n", i)+benchSQL(1<<20)+"USE sales;\nSELECT * FROM ")
	}
	i := 0
	for b.Loop() {
		src := docs[i%len(docs)]
		CurrentNamespace(src, len(src))
		i++
	}
}

// TestIndexReuse edits a large text the way typing does (and some ways it
// does not) and checks that indexes reused from earlier versions agree with
// a fresh scan.
func TestIndexReuse(t *testing.T) {
	base := benchSQL(cacheMin*3) + "USE sales;\n" + benchSQL(cacheMin)
	edits := []func(string, int) string{
		func(s string, i int) string { return s[:i] + "x" + s[i:] },                // type a letter
		func(s string, i int) string { return s[:i] + ";" + s[i:] },                // end a statement
		func(s string, i int) string { return s[:i] + "'" + s[i:] },                // open a string
		func(s string, i int) string { return s[:i] + "/*" + s[i:] },               // open a comment
		func(s string, i int) string { return s[:i] + "\n-- %% c\n" + s[i:] },      // add a cell
		func(s string, i int) string { return s[:max(i-1, 0)] + s[i:] },            // delete a byte
		func(s string, i int) string { return s[:i] },                              // cut the tail
		func(s string, i int) string { return s + "\nUSE other;\nSELECT * FROM " }, // append
	}
	src := base
	seed := uint32(7)
	rnd := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	for step := 0; step < 200; step++ {
		src = edits[rnd(len(edits))](src, rnd(len(src)+1))
		if len(src) < cacheMin {
			src += base
		}
		for k := 0; k < 4; k++ {
			off := rnd(len(src) + 1)
			if k == 0 {
				off = len(src)
			}
			fresh := &stmtIndex{src: src}
			fresh.scan(len(src))
			want := fresh.regionAt(off)
			if got := indexTo(src, off).regionAt(off); got != want {
				t.Fatalf("step %d, offset %d: region %v, want %v", step, off, got, want)
			}
			var wantNS []int
			for _, s := range fresh.session {
				if fresh.bounds[s].Start <= want.Start {
					wantNS = append(wantNS, s)
				}
			}
			ix := indexTo(src, off)
			var gotNS []int
			for _, s := range ix.session {
				if ix.bounds[s].Start <= want.Start {
					gotNS = append(gotNS, s)
				}
			}
			if fmt.Sprint(gotNS) != fmt.Sprint(wantNS) {
				t.Fatalf("step %d, offset %d: session regions %v, want %v", step, off, gotNS, wantNS)
			}
		}
	}
}

// TestIndexConcurrent has goroutines analyse versions of one large text at
// once, as concurrent requests do, for the race detector to check that
// cached indexes are shared read-only.
func TestIndexConcurrent(t *testing.T) {
	base := benchSQL(cacheMin * 2)
	want := At(base+"SELECT * FROM t WHERE ", len(base)+22).Expect
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				src := base + strings.Repeat(" ", (g*20+i)%7) + "SELECT * FROM t WHERE "
				if got := At(src, len(src)).Expect; got != want {
					t.Errorf("Expect = %v, want %v", got, want)
				}
				CurrentNamespace(src, len(src)/2)
			}
		}()
	}
	wg.Wait()
}
