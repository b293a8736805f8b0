package sqltext

import (
	"fmt"
	"strings"
	"testing"
)

// show renders tokens as Kind(text) separated by spaces, with a trailing !
// on unterminated tokens, so that expectations read like the input.
func show(toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s(%s)", t.Kind, t.Text)
		if t.Unterminated {
			b.WriteByte('!')
		}
	}
	return b.String()
}

func TestLex(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"whitespace only", " \t\r\n\f\v", ""},
		{"idents and ops", "SELECT a, b FROM t", "Ident(SELECT) Ident(a) Op(,) Ident(b) Ident(FROM) Ident(t)"},
		{"qualified name", "cat.db.t", "Ident(cat) Op(.) Ident(db) Op(.) Ident(t)"},
		{"unicode ident", "SELECT café_1", "Ident(SELECT) Ident(café_1)"},
		{"digit-led ident", "2024_q1 1a", "Ident(2024_q1) Ident(1a)"},

		{"line comment", "a -- note\nb", "Ident(a) Comment(-- note) Ident(b)"},
		{"line comment crlf", "a -- note\r\nb", "Ident(a) Comment(-- note) Ident(b)"},
		{"line comment at eof", "a --", "Ident(a) Comment(--)"},
		{"block comment", "a /* x */ b", "Ident(a) Comment(/* x */) Ident(b)"},
		{"nested block comment", "/* a /* b */ c */ d", "Comment(/* a /* b */ c */) Ident(d)"},
		{"empty block comment", "/**/x", "Comment(/**/) Ident(x)"},
		{"dashes in block comment", "/* -- */x", "Comment(/* -- */) Ident(x)"},
		{"block end in line comment", "-- */\nx", "Comment(-- */) Ident(x)"},
		{"unclosed block comment", "a /* x", "Ident(a) Comment(/* x)!"},
		{"unclosed nested comment", "/* a /* b */ c", "Comment(/* a /* b */ c)!"},

		{"hint", "SELECT /*+ BROADCAST(t) */ *", "Ident(SELECT) Hint(/*+ BROADCAST(t) */) Op(*)"},
		{"empty hint", "/*+*/", "Hint(/*+*/)"},
		{"unclosed hint", "/*+ REPARTITION(3)", "Hint(/*+ REPARTITION(3))!"},

		{"string", `'abc'`, `String('abc')`},
		{"double-quoted string", `"abc"`, `String("abc")`},
		{"backslash escape", `'it\'s' x`, `String('it\'s') Ident(x)`},
		{"escaped backslash", `'a\\' x`, `String('a\\') Ident(x)`},
		{"doubled quote", `'it''s' x`, `String('it''s') Ident(x)`},
		{"doubled double quote", `"a""b" x`, `String("a""b") Ident(x)`},
		{"other quote inside", `'a"b' "c'd"`, `String('a"b') String("c'd")`},
		{"semicolon in string", `'a;b'`, `String('a;b')`},
		{"adjacent strings", `'a' 'b'`, `String('a') String('b')`},
		{"unclosed string", "'abc", "String('abc)!"},
		{"unclosed after escape", `'abc\`, `String('abc\)!`},
		{"unclosed double quote", `x "abc`, `Ident(x) String("abc)!`},

		{"raw string", `r'a\'`, `String(r'a\')`},
		{"raw string upper", `R"C:\dir\" x`, `String(R"C:\dir\") Ident(x)`},
		{"unclosed raw string", `r'abc`, `String(r'abc)!`},
		{"r is an ident", "r + 1", "Ident(r) Op(+) Number(1)"},
		{"ident ending in r", "bar'x'", "Ident(bar) String('x')"},

		{"quoted ident", "`a b`.c", "QuotedIdent(`a b`) Op(.) Ident(c)"},
		{"doubled backtick", "`a``b` x", "QuotedIdent(`a``b`) Ident(x)"},
		{"backslash in quoted ident", "`a\\` x", "QuotedIdent(`a\\`) Ident(x)"},
		{"unclosed quoted ident", "`abc", "QuotedIdent(`abc)!"},

		{"integer", "42", "Number(42)"},
		{"decimal", "1.5", "Number(1.5)"},
		{"trailing dot", "1.", "Number(1.)"},
		{"leading dot", ".5", "Number(.5)"},
		{"exponent", "1e10 1E-5 2.5e+3", "Number(1e10) Number(1E-5) Number(2.5e+3)"},
		{"suffixes", "10L 2S 3Y 1.5D 1F 1.5BD 7bd", "Number(10L) Number(2S) Number(3Y) Number(1.5D) Number(1F) Number(1.5BD) Number(7bd)"},
		{"exponent with suffix", "1e3D", "Number(1e3D)"},
		{"half exponent", "1e", "Ident(1e)"},
		{"decimal then letters", "1.5abc", "Number(1.5) Ident(abc)"},
		{"negative", "-1", "Op(-) Number(1)"},
		{"dot after name is qualifier", "t.5col", "Ident(t) Op(.) Ident(5col)"},
		{"dot after paren", "(a).5", "Op(() Ident(a) Op()) Op(.) Number(5)"},

		{"question param", "a = ?", "Ident(a) Op(=) Param(?)"},
		{"named param", "a = :id AND b=:x_1", "Ident(a) Op(=) Param(:id) Ident(AND) Ident(b) Op(=) Param(:x_1)"},
		{"named param in parens", "(:p)", "Op(() Param(:p) Op())"},
		{"colon after name", "struct<a:int>", "Ident(struct) Op(<) Ident(a) Op(:) Ident(int) Op(>)"},
		{"label colon", "lbl: BEGIN", "Ident(lbl) Op(:) Ident(BEGIN)"},
		{"cast", "x::int", "Ident(x) Op(::) Ident(int)"},

		{"variable", "${db}.t", "Variable(${db}) Op(.) Ident(t)"},
		{"hiveconf variable", "${hiveconf:x}", "Variable(${hiveconf:x})"},
		{"unclosed variable", "${db x", "Variable(${db)! Ident(x)"},
		{"unclosed variable at semicolon", "${db;", "Variable(${db)! Op(;)"},
		{"unclosed variable at eof", "${", "Variable(${)!"},
		{"dollar alone", "$x", "Other($) Ident(x)"},

		{"punctuation", "(),;.[]{}", "Op(() Op()) Op(,) Op(;) Op(.) Op([) Op(]) Op({) Op(})"},
		{"comparison", "= == <> != < <= > >= <=> !< !>", "Op(=) Op(==) Op(<>) Op(!=) Op(<) Op(<=) Op(>) Op(>=) Op(<=>) Op(!<) Op(!>)"},
		{"other ops", "|| |> :: -> => && << + - * / % & | ^ ~ !",
			"Op(||) Op(|>) Op(::) Op(->) Op(=>) Op(&&) Op(<<) Op(+) Op(-) Op(*) Op(/) Op(%) Op(&) Op(|) Op(^) Op(~) Op(!)"},
		{"nested type brackets", "array<array<int>>", "Ident(array) Op(<) Ident(array) Op(<) Ident(int) Op(>) Op(>)"},
		{"lambda", "x -> x+1", "Ident(x) Op(->) Ident(x) Op(+) Number(1)"},
		{"named arg", "f(a => 1)", "Ident(f) Op(() Ident(a) Op(=>) Number(1) Op())"},
		{"minus minus is a comment", "1--2", "Number(1) Comment(--2)"},
		{"unknown chars", "@ # \u2029", "Other(@) Other(#) Other(\u2029)"},
		{"unicode spaces", "SELECT\u00a01\u3000,\u20002", "Ident(SELECT) Number(1) Op(,) Number(2)"},
		{"hint opens no nested comment", "/* /*+ */ DROP t -- */ x", "Comment(/* /*+ */) Ident(DROP) Ident(t) Comment(-- */ x)"},
		{"comment nests", "/* a /* b */ c */ x", "Comment(/* a /* b */ c */) Ident(x)"},
		{"hint body is tokens", "/*+ a '*/' -- */\n b */ x", "Hint(/*+ a '*/' -- */\n b */) Ident(x)"},
		{"hint with a comment", "/*+ a /* */ */ x", "Hint(/*+ a /* */ */) Ident(x)"},
		{"invalid utf8", "a\xffb", "Ident(a) Other(\xff) Ident(b)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks := Lex(tc.in)
			if got := show(toks); got != tc.want {
				t.Errorf("Lex(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			checkTokens(t, tc.in, toks)
		})
	}
}

func TestProblems(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // Start:Message, comma-separated
	}{
		{"SELECT 'a'", ""},
		{"SELECT 'abc", "7:unclosed string"},
		{"SELECT r'abc", "7:unclosed string"},
		{"a /* x", "2:unclosed comment"},
		{"a /*+ x", "2:unclosed hint"},
		{"x `abc", "2:unclosed quoted identifier"},
		{"${v", "0:unclosed variable, want ${name}"},
		{"'a' `b", "4:unclosed quoted identifier"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var got []string
			for _, p := range Problems(Lex(tc.in)) {
				if p.End != len(tc.in) {
					t.Errorf("problem %q ends at %d, want %d", p.Message, p.End, len(tc.in))
				}
				got = append(got, fmt.Sprintf("%d:%s", p.Start, p.Message))
			}
			if s := strings.Join(got, ","); s != tc.want {
				t.Errorf("Problems(Lex(%q)) = %q, want %q", tc.in, s, tc.want)
			}
		})
	}
}

// checkTokens asserts the lexer's promises: tokens are non-empty, ordered,
// in range, carry their own text, and cover every non-whitespace byte.
func checkTokens(t *testing.T, src string, toks []Token) {
	t.Helper()
	pos := 0
	for _, tok := range toks {
		if tok.Start < pos || tok.End <= tok.Start || tok.End > len(src) {
			t.Fatalf("token %v out of order or range (previous end %d, len %d)", tok, pos, len(src))
		}
		if tok.Text != src[tok.Start:tok.End] {
			t.Fatalf("token %v: Text != src[%d:%d] = %q", tok, tok.Start, tok.End, src[tok.Start:tok.End])
		}
		onlySpace(t, src, pos, tok.Start)
		pos = tok.End
	}
	onlySpace(t, src, pos, len(src))
}

// onlySpace fails unless src[from:to] is whitespace to Spark.
func onlySpace(t *testing.T, src string, from, to int) {
	t.Helper()
	for i := from; i < to; {
		n := spaceLen(src, i)
		if n == 0 {
			t.Fatalf("byte %d (%q) is in no token", i, src[i])
		}
		i += n
	}
}

func FuzzLex(f *testing.F) {
	for _, s := range []string{
		"SELECT a, 'b''c', `d``e`, 1.5BD, 1e10, .5 FROM t -- x\n/* /* */ */ /*+ HINT */",
		`r'\' R"x" "a\"b" ${v} :p ? <=> :: -> =>`,
		"'unclosed", "/* unclosed", "`unclosed", "${unclosed", "r'", "1.e", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks := Lex(src)
		checkTokens(t, src, toks)
		for _, p := range Problems(toks) {
			if p.Start < 0 || p.Start >= p.End || p.End > len(src) {
				t.Fatalf("problem %+v out of range", p)
			}
		}
	})
}

// BenchmarkLex lexes about 1 MB of generated, varied Spark SQL.
func BenchmarkLex(b *testing.B) {
	src := benchSQL(1 << 20)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Lex(src)
	}
}

func benchSQL(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `-- report %d
/* daily totals, see /* nested */ note */
WITH recent AS (
  SELECT /*+ BROADCAST(d) */ o.id, o.amount * 1.5BD AS amt, d.name
  FROM cat.sales.orders o JOIN `+"`dim ``%d```"+` d ON o.dim_id = d.id
  WHERE o.ts >= '2024-01-%02d' AND o.note <> 'it''s \'fine\'' AND o.qty > %dL
)
SELECT name, sum(amt) AS total, count(*) FILTER (WHERE amt > 1e3) AS big
FROM recent WHERE name LIKE r'%%\d' AND id = :id AND ${env}_flag = ?
GROUP BY name HAVING total >= .5 ORDER BY total DESC LIMIT 100;

`, i, i, i%28+1, i)
	}
	return b.String()
}

func TestQuoteAndSplitName(t *testing.T) {
	for _, tc := range []struct{ in, quoted, always string }{
		{"orders", "orders", "`orders`"},
		{"page views", "`page views`", "`page views`"},
		{"1st", "`1st`", "`1st`"},
		{"a`b", "`a``b`", "`a``b`"},
		{"é", "`é`", "`é`"},
		{"", "``", "``"},
	} {
		if got := Quote(tc.in); got != tc.quoted {
			t.Errorf("Quote(%q) = %q, want %q", tc.in, got, tc.quoted)
		}
		if got := QuoteAlways(tc.in); got != tc.always {
			t.Errorf("QuoteAlways(%q) = %q, want %q", tc.in, got, tc.always)
		}
		// What Quote spells, SplitName reads back.
		if got := SplitName(QuoteParts(Quote, "cat", tc.in)); tc.in != "" && (len(got) != 2 || got[1] != tc.in) {
			t.Errorf("SplitName(QuoteParts(cat, %q)) = %q", tc.in, got)
		}
	}
	if got := SplitName("a . `b.c` .`d``e`"); len(got) != 3 || got[1] != "b.c" || got[2] != "d`e" {
		t.Errorf("SplitName = %q", got)
	}
	if got := QuoteParts(Quote, "", "sales", "", "t x"); got != "sales.`t x`" {
		t.Errorf("QuoteParts = %q", got)
	}
}
