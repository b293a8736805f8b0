package connect_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/sqltext"
)

// Differential test of sqltext against Spark's own parser: for each text,
// Spark's verdict on the text must equal its verdict on the text as sqltext
// reads it (comments dropped, every other token kept, statements split where
// sqltext splits). Any difference is a place where sqltext and Spark see
// different SQL: a different comment end, a hint, a string, a boundary.
// Texts with ${…} are left out: sqltext calls them Unknown on purpose.

// diffNoise are the fragments the generator mixes into statements.
var diffNoise = []string{
	"", " ", "\n", "/* c */", "/* /*+ */", "/*+ */", "-- c\n", "-- c \\\n", "/* a /* b */ c */",
	"\u00a0", "'*/'", "/*", "*/", "--", "`x`", "/*+ x -- */\n */", "/*/", "\"--\"", "r'\\'", "'\\''",
	"/* '*/", "/**/", "/*+ REPARTITION(1) */", "\u3000", "\u2029",
}

// diffTemplates are statements with holes {} for noise.
var diffTemplates = []string{
	"{}SELECT 1 AS a{}, 2 AS b{}",
	"{}SELECT{}1 AS a{}",
	"{}DROP TABLE nosuch_db.t{}SELECT 1 AS a{}",
	"{}SELECT 1 AS a{};{}SELECT 2 AS b{}",
	"{}WITH q AS (SELECT 1 AS a{}) SELECT * FROM q{}",
	"{}VALUES (1{}, 2){}",
}

func diffCases(n int) []string {
	b, err := os.ReadFile("testdata/differential.txt")
	if err != nil {
		panic(err)
	}
	var out []string
	for _, c := range strings.Split(string(b), "\n====\n") {
		if c = strings.TrimSuffix(c, "\n"); c != "" && !strings.HasPrefix(c, "#") {
			out = append(out, c)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2)) // fixed: the same texts every run
	for range n {
		t := diffTemplates[rng.IntN(len(diffTemplates))]
		for strings.Contains(t, "{}") {
			t = strings.Replace(t, "{}", diffNoise[rng.IntN(len(diffNoise))], 1)
		}
		out = append(out, t)
	}
	return out
}

// asSqltextReads is stmt as sqltext reads it: comments dropped, tokens
// separated by a space.
func asSqltextReads(stmt string) string {
	var b strings.Builder
	for _, t := range sqltext.Lex(stmt) {
		if t.Kind != sqltext.Comment || t.Unterminated { // an unclosed comment is an error to Spark
			b.WriteString(t.Text)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func TestITDifferentialLexer(t *testing.T) {
	c := itClient(t)
	ctx := context.Background()
	verdict := func(stmt string) string {
		cols, err := c.Schema(ctx, stmt)
		var se *connect.SparkError
		switch {
		case err == nil:
			var names []string
			for _, col := range cols {
				names = append(names, col.Name)
			}
			return strings.Join(names, ",")
		case errors.As(err, &se):
			return "error"
		case strings.Contains(err.Error(), "exactly one statement"):
			return "error" // not sent: several statements or none
		}
		t.Fatalf("%q: %v", stmt, err)
		return ""
	}
	// Spark 3.5's lexer has no Unicode whitespace (4.0 added U+00A0, U+3000
	// and the others to its WS rule); sqltext follows 4.x.
	unicodeSpaces := ittest.AtLeast(t, "4.0")
	cases, compared, disagree := diffCases(400), 0, 0
	for _, text := range cases {
		if strings.Contains(text, "${") || !unicodeSpaces && strings.ContainsAny(text, "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u202f\u205f\u3000") {
			continue
		}
		stmts := sqltext.SplitStatements(text)
		var pairs [][2]string // what Spark reads, what sqltext reads
		if len(stmts) == 1 {
			pairs = append(pairs, [2]string{stmts[0].Text, asSqltextReads(stmts[0].Text)})
		} else {
			for _, st := range stmts {
				pairs = append(pairs, [2]string{st.Text, asSqltextReads(st.Text)})
			}
		}
		for _, p := range pairs {
			compared++
			if got, want := verdict(p[0]), verdict(p[1]); got != want {
				disagree++
				t.Errorf("sqltext reads %q as %q: Spark says %s for the text, %s for sqltext's reading", p[0], p[1], got, want)
			}
		}
	}
	t.Logf("%d texts, %d statements compared, %d disagreements", len(cases), compared, disagree)
}
