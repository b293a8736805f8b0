package sqltext

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/internal/fixture"
)

// TestContext runs one scenario per testdata/context/*.txt file. A fixture
// is in txtar form: a comment saying what it is about, an "input.sql" file
// with the cursor written as $0, and a "want" file holding the readable
// result, which go test ./sqltext -update rewrites.
func TestContext(t *testing.T) { fixture.Run(t, "testdata/context", check) }

// check is the only code that calls the cursor API (At, Definition,
// CurrentNamespace): it renders their results for the fixture at path and
// compares them with its want section.
func check(t *testing.T, path string) {
	t.Helper()
	ar, src, off := fixture.Input(t, path)
	if off < 0 {
		t.Fatalf("%s: no $0 cursor in input.sql", path)
	}

	ctx := At(src, off)
	def, defOK := Definition(src, off)
	cat, ns, nsOK := CurrentNamespace(src, off)

	var b strings.Builder
	sp := func(s Span) string {
		if s.Start < 0 || s.End > len(src) || s.Start > s.End {
			t.Errorf("span %v out of range", s)
			return fmt.Sprint(s)
		}
		return fmt.Sprintf("%q@%d", src[s.Start:s.End], s.Start)
	}
	fmt.Fprintf(&b, "expect: %s\n", ctx.Expect)
	if len(ctx.Keywords) > 0 {
		kws := ctx.Keywords
		more := ""
		if len(kws) > 6 {
			kws, more = kws[:6], fmt.Sprintf(", … (%d more)", len(ctx.Keywords)-6)
		}
		fmt.Fprintf(&b, "keywords: %s%s\n", strings.Join(kws, ", "), more)
	}
	quoted := ""
	if ctx.Quoted {
		quoted = " quoted"
	}
	fmt.Fprintf(&b, "word: %q in %s%s\n", ctx.Prefix, sp(ctx.Word), quoted)
	if len(ctx.Qualifier) > 0 {
		fmt.Fprintf(&b, "qualifier: %s\n", names(ctx.Qualifier))
	}
	if c := ctx.Call; c != nil {
		fmt.Fprintf(&b, "call: %s arg %d, name %s\n", names(c.Name), c.Arg, sp(c.Span))
	}
	if s := ctx.Statement; s.End-s.Start > 60 {
		fmt.Fprintf(&b, "statement: %d..%d\n", s.Start, s.End)
	} else {
		fmt.Fprintf(&b, "statement: %s\n", sp(s))
	}
	if len(ctx.Scope.Tables) > 0 {
		b.WriteString("tables:\n")
		for _, tr := range ctx.Scope.Tables {
			fmt.Fprintf(&b, "  %s\n", showRef(tr, sp))
		}
	}
	if len(ctx.Scope.CTEs) > 0 {
		b.WriteString("ctes:\n")
		for _, c := range ctx.Scope.CTEs {
			fmt.Fprintf(&b, "  %s%s%s at %s body %d..%d\n", names([]string{c.Name}), showCols(c.Columns),
				showStar(c.Star, c.Sources), sp(c.Span), c.BodySpan.Start, c.BodySpan.End)
		}
	}
	if q := ctx.Qualifier; len(q) == 1 {
		if tr, ok := ctx.Scope.Lookup(q[0]); ok {
			fmt.Fprintf(&b, "lookup %s: %s\n", q[0], showRef(tr, sp))
		} else {
			fmt.Fprintf(&b, "lookup %s: none\n", q[0])
		}
	}
	if defOK {
		fmt.Fprintf(&b, "definition: %s\n", sp(def))
	}
	if nsOK {
		fmt.Fprintf(&b, "namespace: catalog %q namespace %q\n", cat, ns)
	}
	for _, p := range ctx.Problems {
		fmt.Fprintf(&b, "problem: %s at %s\n", p.Message, sp(Span{p.Start, p.End}))
	}
	got := b.String()

	if want, _ := ar.File("want"); got != want && !fixture.Updating() {
		input, _ := ar.File("input.sql")
		t.Logf("%s: input\n%s", path, input)
	}
	ar.Want(t, got)
}

func showRef(tr TableRef, sp func(Span) string) string {
	var b strings.Builder
	if tr.Outer > 0 {
		fmt.Fprintf(&b, "outer %d: ", tr.Outer)
	}
	b.WriteString(tr.Kind.String())
	if len(tr.Name) > 0 {
		b.WriteString(" " + names(tr.Name))
	}
	if tr.Alias != "" {
		b.WriteString(" AS " + names([]string{tr.Alias}))
	}
	b.WriteString(showCols(tr.Columns))
	b.WriteString(showStar(tr.Star, tr.Sources))
	fmt.Fprintf(&b, " at %s", sp(tr.Span))
	if tr.Alias != "" {
		fmt.Fprintf(&b, " alias %s", sp(tr.AliasSpan))
	}
	return b.String()
}

func showCols(cols []string) string {
	if len(cols) == 0 {
		return ""
	}
	var parts []string
	for _, c := range cols {
		parts = append(parts, names([]string{c}))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func showStar(star bool, sources []TableRef) string {
	if !star {
		return ""
	}
	var s []string
	for _, src := range sources {
		s = append(s, names(src.Name))
	}
	return " + *[" + strings.Join(s, ", ") + "]"
}

// names renders name parts joined by dots, backquoting parts that need it.
func names(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if p == "" || identEnd(p, 0) != len(p) || !isIdentStart(p, 0) {
			p = "`" + strings.ReplaceAll(p, "`", "``") + "`"
		}
		out[i] = p
	}
	return strings.Join(out, ".")
}
