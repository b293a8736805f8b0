package sqltext

import (
	"runtime"
	"strings"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"only whitespace", " \n\t ", nil},
		{"one without semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"one with semicolon", "SELECT 1;", []string{"SELECT 1"}},
		{"trailing statement without semicolon", "SELECT 1; SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"trims whitespace", "  SELECT 1 ;\n\n  SELECT 2\n", []string{"SELECT 1", "SELECT 2"}},
		{"empty statements dropped", ";;SELECT 1;; ;\n;SELECT 2;;", []string{"SELECT 1", "SELECT 2"}},
		{"only comments dropped", "-- a\n;/* b */;SELECT 1; -- trailing", []string{"SELECT 1"}},
		{"only hint dropped", "/*+ X */;SELECT 1", []string{"SELECT 1"}},
		{"leading comment kept", "SELECT 1;\n-- the users\nSELECT * FROM users;", []string{"SELECT 1", "-- the users\nSELECT * FROM users"}},
		{"trailing line comment kept", "SELECT 1 -- one\n; SELECT 2", []string{"SELECT 1 -- one", "SELECT 2"}},
		{"semicolon in single quotes", "SELECT 'a;b'; SELECT 2", []string{"SELECT 'a;b'", "SELECT 2"}},
		{"semicolon in double quotes", `SELECT "a;b"; SELECT 2`, []string{`SELECT "a;b"`, "SELECT 2"}},
		{"semicolon after escaped quote", `SELECT 'a\';b'; SELECT 2`, []string{`SELECT 'a\';b'`, "SELECT 2"}},
		{"semicolon in raw string", `SELECT r'\';SELECT 2`, []string{`SELECT r'\'`, "SELECT 2"}},
		{"semicolon in line comment", "SELECT 1 -- a;b\n, 2; SELECT 3", []string{"SELECT 1 -- a;b\n, 2", "SELECT 3"}},
		{"semicolon in block comment", "SELECT /* ; /* ; */ ; */ 1; SELECT 2", []string{"SELECT /* ; /* ; */ ; */ 1", "SELECT 2"}},
		{"semicolon in backticks", "SELECT `a;b` FROM t; SELECT 2", []string{"SELECT `a;b` FROM t", "SELECT 2"}},
		{"unclosed string swallows rest", "SELECT 'a; SELECT 2", []string{"SELECT 'a; SELECT 2"}},
		{"unclosed comment dropped", "SELECT 1; /* x \n ", []string{"SELECT 1"}},
		{"unclosed string trailing space trimmed", "SELECT 'a  \n", []string{"SELECT 'a"}},
		{"crlf", "SELECT 1;\r\nSELECT 2;\r\n", []string{"SELECT 1", "SELECT 2"}},

		{"script block", "BEGIN\n  DECLARE x INT;\n  SET x = 1;\nEND; SELECT 2",
			[]string{"BEGIN\n  DECLARE x INT;\n  SET x = 1;\nEND", "SELECT 2"}},
		{"lower case block", "begin select 1; select 2; end; select 3", []string{"begin select 1; select 2; end", "select 3"}},
		{"labelled block", "lbl: BEGIN SELECT 1; END lbl; SELECT 2", []string{"lbl: BEGIN SELECT 1; END lbl", "SELECT 2"}},
		{"nested blocks", "BEGIN BEGIN SELECT 1; END; SELECT 2; END; SELECT 3",
			[]string{"BEGIN BEGIN SELECT 1; END; SELECT 2; END", "SELECT 3"}},
		{"case inside block", "BEGIN SELECT CASE WHEN a THEN 1 END; SELECT 2; END; SELECT 3",
			[]string{"BEGIN SELECT CASE WHEN a THEN 1 END; SELECT 2; END", "SELECT 3"}},
		{"case statement in block", "BEGIN CASE x WHEN 1 THEN SELECT 1; END CASE; END; SELECT 2",
			[]string{"BEGIN CASE x WHEN 1 THEN SELECT 1; END CASE; END", "SELECT 2"}},
		{"if and loops in block",
			"BEGIN IF a THEN SELECT 1; END IF; WHILE b DO SELECT 2; END WHILE; l: LOOP LEAVE l; END LOOP; " +
				"REPEAT SELECT 3; UNTIL c END REPEAT; FOR r AS SELECT 1 DO SELECT 4; END FOR; END; SELECT 5",
			[]string{"BEGIN IF a THEN SELECT 1; END IF; WHILE b DO SELECT 2; END WHILE; l: LOOP LEAVE l; END LOOP; " +
				"REPEAT SELECT 3; UNTIL c END REPEAT; FOR r AS SELECT 1 DO SELECT 4; END FOR; END", "SELECT 5"}},
		{"begin as a column does not open a block", "SELECT begin, x FROM t; SELECT 2", []string{"SELECT begin, x FROM t", "SELECT 2"}},
		{"case outside a block is not counted", "SELECT CASE WHEN a; SELECT 2", []string{"SELECT CASE WHEN a", "SELECT 2"}},
		{"end outside a block is harmless", "SELECT end FROM t; SELECT 2", []string{"SELECT end FROM t", "SELECT 2"}},
		// FIXME: a half-typed block has no END, so it runs to the end of input.
		{"unclosed block swallows rest", "BEGIN SELECT 1; SELECT 2", []string{"BEGIN SELECT 1; SELECT 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stmts := SplitStatements(tc.in)
			var got []string
			for _, s := range stmts {
				got = append(got, s.Text)
			}
			if strings.Join(got, "\x00") != strings.Join(tc.want, "\x00") || len(got) != len(tc.want) {
				t.Errorf("SplitStatements(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			checkStatements(t, tc.in, stmts)
		})
	}
}

func TestSplitStatementsOffsets(t *testing.T) {
	src := "  SELECT 1;\n-- c\nSELECT 'x;y' ;  "
	want := []Statement{
		{Start: 2, End: 10, Text: "SELECT 1"},
		{Start: 12, End: 29, Text: "-- c\nSELECT 'x;y'"},
	}
	got := SplitStatements(src)
	if len(got) != len(want) {
		t.Fatalf("SplitStatements(%q) = %+v, want %+v", src, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("statement %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// checkStatements asserts the splitter's promises: statements are ordered,
// in range, carry their own text, are trimmed and hold more than comments.
func checkStatements(t *testing.T, src string, stmts []Statement) {
	t.Helper()
	pos := 0
	for _, s := range stmts {
		if s.Start < pos || s.End <= s.Start || s.End > len(src) {
			t.Fatalf("statement %+v out of order or range (previous end %d, len %d)", s, pos, len(src))
		}
		if s.Text != src[s.Start:s.End] {
			t.Fatalf("statement %+v: Text != src[%d:%d] = %q", s, s.Start, s.End, src[s.Start:s.End])
		}
		if isSpace(s.Text[0]) || isSpace(s.Text[len(s.Text)-1]) {
			t.Fatalf("statement %q is not trimmed", s.Text)
		}
		if len(significant(Lex(s.Text))) == 0 {
			t.Fatalf("statement %q holds only comments", s.Text)
		}
		pos = s.End
	}
}

func FuzzSplitStatements(f *testing.F) {
	for _, s := range []string{
		"SELECT 1; SELECT 'a;b'; -- c;\n/* ; */ SELECT `x;`",
		"BEGIN DECLARE x INT; IF x THEN SELECT 1; END IF; CASE WHEN 1 THEN 2 END; END; SELECT 2",
		"-- Databricks notebook source\nSELECT 1\n\n-- COMMAND ----------\n\nSELECT 2;\n-- %% next\nSELECT 3",
		"SELECT 'unclosed; SELECT 2", ";;;", "lbl: begin end",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkAgainstReference(t, src)
		checkStatements(t, src, SplitStatements(src))
		pos := 0
		for _, c := range SplitCells(src) {
			if c.Start < pos || c.End <= c.Start || c.End > len(src) || len(c.Statements) == 0 {
				t.Fatalf("cell %+v out of order or range (previous end %d, len %d)", c, pos, len(src))
			}
			checkStatements(t, src, c.Statements)
			if first, last := c.Statements[0], c.Statements[len(c.Statements)-1]; first.Start < c.Start || last.End > c.End {
				t.Fatalf("cell %+v does not contain its statements", c)
			}
			pos = c.End
		}
		checkClassifyAgainstReference(t, src)
	})
}

// TestSplitMemory guards the reason the splitters stream tokens: splitting
// a large document allocates for its statements, not for its tokens (about
// twelve times the text's size when they were all held).
func TestSplitMemory(t *testing.T) {
	src := benchSQL(4 << 20)
	for name, split := range map[string]func(string) int{
		"SplitStatements": func(s string) int { return len(SplitStatements(s)) },
		"SplitCells":      func(s string) int { return len(SplitCells(s)) },
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		n := split(src)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; n == 0 || alloc > uint64(len(src)/2) {
			t.Errorf("%s of %d bytes (%d statements) allocated %d bytes, want at most half the text's size", name, len(src), n, alloc)
		}
	}
}
