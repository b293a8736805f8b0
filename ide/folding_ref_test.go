package ide

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/sqltext"
)

// refFolds is Folds as it was before it streamed the tokens: the
// reference the streaming version must agree with.
func refFolds(text string, line func(off int) int) []Fold {
	toks := sqltext.Lex(text)
	out := []Fold{}
	add := func(start, end int, kind FoldKind) {
		if end > start {
			out = append(out, Fold{StartLine: start, EndLine: end, Kind: kind})
		}
	}
	// firstOnLine reports whether toks[i] starts its line.
	firstOnLine := func(i int) bool { return i == 0 || line(toks[i-1].End) < line(toks[i].Start) }

	// Cells: from a marker to the last token before the next marker.
	for i, t := range toks {
		if !isCellMarker(text, t) {
			continue
		}
		last := i
		for last+1 < len(toks) && !isCellMarker(text, toks[last+1]) {
			last++
		}
		add(line(t.Start), line(toks[last].End), FoldRegion)
	}

	// Statements, from their first line of SQL: a leading comment folds
	// on its own. They come from the cells because a statement never
	// spans a cell marker, even without a ';'.
	for _, c := range sqltext.SplitCells(text) {
		for _, st := range c.Statements {
			code := st.Start
			for _, t := range sqltext.Lex(st.Text) {
				if t.Kind != sqltext.Comment {
					code = st.Start + t.Start
					break
				}
			}
			add(line(code), line(st.End), "")
		}
	}

	// Comments: a block comment, or consecutive lines that are only line
	// comments (cell markers excepted).
	lineComment := func(i int) bool {
		t := toks[i]
		return t.Kind == sqltext.Comment && t.Text[1] == '-' && firstOnLine(i) && !isCellMarker(text, t)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Kind == sqltext.Comment && t.Text[0] == '/':
			// An unclosed one runs to the end of the text, blanks included.
			add(line(t.Start), line(t.Start+len(strings.TrimRight(t.Text, " \t\r\n"))), FoldComment)
		case lineComment(i):
			j := i
			for j+1 < len(toks) && lineComment(j+1) && line(toks[j+1].Start) == line(toks[j].Start)+1 {
				j++
			}
			add(line(t.Start), line(toks[j].Start), FoldComment)
			i = j
		}
	}

	// Parenthesized groups. The closing parenthesis stays visible when it
	// starts its line, as in an editor's own folding of braces.
	var open []int
	for i, t := range toks {
		switch {
		case t.Is("("):
			open = append(open, i)
		case t.Is(")") && len(open) > 0:
			o := open[len(open)-1]
			open = open[:len(open)-1]
			end := line(t.Start)
			if firstOnLine(i) {
				end--
			}
			add(line(toks[o].Start), end, "")
		}
	}

	slices.SortStableFunc(out, func(a, b Fold) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(b.EndLine, a.EndLine))
	})
	return slices.CompactFunc(out, func(a, b Fold) bool {
		return a.StartLine == b.StartLine && a.EndLine == b.EndLine
	})
}

// TestFoldingAgreesWithReference compares Folds with the version
// that held every token, on random documents made of the pieces it folds:
// cell markers, line comment runs, block comments (one unclosed),
// parentheses on and off their own lines, statements over lines.
func TestFoldingAgreesWithReference(t *testing.T) {
	pieces := []string{
		"-- %% cell\n", "-- COMMAND ----------\n", "-- note\n", "-- a\\\n", "/* block\n comment */", "/* unclosed\n",
		"(", ")", "\n)", "SELECT a,\n b", "FROM t", ";", ";\n", "\n", "\r\n", " ", "'s\n'", "x", "é",
	}
	rng := rand.New(rand.NewPCG(11, 8))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		starts := lineStarts(text)
		line := func(off int) int { return sort.SearchInts(starts, max(0, min(off, len(text)))+1) - 1 }
		if got, want := Folds(text, line), refFolds(text, line); !slices.Equal(got, want) {
			t.Fatalf("Folds(%q)\n got %+v\nwant %+v", text, got, want)
		}
	}
}
