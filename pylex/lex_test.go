package pylex

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestLex(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`spark.sql("SELECT 1")`, `Name(spark) Op(.) Name(sql) Op(() String("SELECT 1") Op())`},
		{`x = rb'a\'b' + Rf"{x}" + u'''a"''b'''`, `Name(x) Op(=) String(rb'a\'b') Op(+) String(Rf"{x}") Op(+) String(u'''a"''b''')`},
		{"a = 'x\\\ny'  # c", `Name(a) Op(=) String('x\` + "\n" + `y') Comment(# c)`},
		{"s = \"\"\"a\n\"b\"\n\"\"\"", "Name(s) Op(=) String(\"\"\"a\n\"b\"\n\"\"\")"},
		{"x = 'open\ny", `Name(x) Op(=) Error(') Name(open) Newline Name(y)`},
		{"x = 1_000.5e-3j + 0x_ff + .5", `Name(x) Op(=) Number(1_000.5e-3j) Op(+) Number(0x_ff) Op(+) Number(.5)`},
		{"a **= b // c ... -> d := e", `Name(a) Op(**=) Name(b) Op(//) Name(c) Op(...) Op(->) Name(d) Op(:=) Name(e)`},
		{"foo(a, \\\n  b)", `Name(foo) Op(() Name(a) Op(,) Name(b) Op())`},
		{`r"\"" bf f'{a}'`, `String(r"\"") Name(bf) String(f'{a}')`},
		{"é = 'ü'", `Name(é) Op(=) String('ü')`},
	} {
		t.Run(tc.src, func(t *testing.T) {
			if got := render(tc.src, Lex(tc.src)); got != tc.want {
				t.Errorf("Lex(%q)\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}

func render(src string, toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		name := [...]string{"Name", "Number", "String", "Op", "Comment", "Newline", "Error"}[t.Kind]
		if t.Kind == Newline {
			b.WriteString(name)
			continue
		}
		fmt.Fprintf(&b, "%s(%s)", name, src[t.Start:t.End])
	}
	return b.String()
}

func TestHolesAndOverlay(t *testing.T) {
	for _, tc := range []struct{ src, holes, value string }{
		{`f"SELECT * FROM {db}.{t['x']} WHERE a = '{{b}}'"`, `{db} {t['x']}`, `SELECT * FROM     .         WHERE a = ' {b }'`},
		{`"a\nb\'c\x41\u00e9\101\q"`, ``, "a \nb 'c   A    é   A\\q"},
		{`r"a\nb"`, ``, `a\nb`},
		{`f"{x:{w}}!{y!r}"`, `{x:{w}} {y!r}`, `       !     `},
		{`b"\u00e9"`, ``, `\u00e9`},
		{"'a\\\nb'", ``, "a \nb"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			toks := Lex(tc.src)
			if len(toks) != 1 || toks[0].Kind != String {
				t.Fatalf("tokens: %s", render(tc.src, toks))
			}
			var hs []string
			for _, h := range Holes(tc.src, toks[0]) {
				hs = append(hs, tc.src[h.Start:h.End])
			}
			if got := strings.Join(hs, " "); got != tc.holes {
				t.Errorf("holes %q, want %q", got, tc.holes)
			}
			dst := []byte(tc.src)
			Overlay(dst, tc.src, toks[0])
			if got := string(dst[toks[0].BodyStart:toks[0].BodyEnd]); got != tc.value {
				t.Errorf("value %q, want %q", got, tc.value)
			}
		})
	}
}

// TestTokenizeCorpus compares Lex with CPython's tokenize module on the
// standard library of the python3 on PATH: every NAME, NUMBER, STRING, OP
// and COMMENT token, by kind and byte span.
func TestTokenizeCorpus(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	out, err := exec.Command(py, "-c", "import os,tokenize;print(os.path.dirname(tokenize.__file__))").Output()
	if err != nil {
		t.Skip("python3 without its library")
	}
	lib := strings.TrimSpace(string(out))
	var files []string
	for _, pat := range []string{"*.py", "test/test_unicode_identifiers.py", "test/test_fstring.py", "test/test_tokenize.py"} {
		m, _ := filepath.Glob(filepath.Join(lib, pat))
		files = append(files, m...)
	}
	sort.Strings(files)
	if testing.Short() && len(files) > 100 {
		files = files[:100]
	}
	// lib2to3 and test data hold deliberately broken files; tokenize skips them.
	cmd := exec.Command(py, "testdata/tokens.py")
	cmd.Args = append(cmd.Args, files...)
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("tokens.py: %v", err)
	}
	checked, tokens := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<28)
	for sc.Scan() {
		var f struct {
			File   string
			Tokens [][3]any
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(f.File)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range Lex(string(src)) {
			if tk.Kind <= Comment {
				got = append(got, fmt.Sprintf("%s %d %d", [...]string{"Name", "Number", "String", "Op", "Comment"}[tk.Kind], tk.Start, tk.End))
			}
		}
		var want []string
		for _, tk := range f.Tokens {
			want = append(want, fmt.Sprintf("%s %d %d", tk[0], int(tk[1].(float64)), int(tk[2].(float64))))
		}
		for i := range max(len(got), len(want)) {
			g, w := "", ""
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				var off int
				fmt.Sscanf(w[strings.IndexByte(w, ' ')+1:], "%d", &off)
				t.Errorf("%s: token %d: got %q, tokenize %q near %q", f.File, i, g, w, string(src[max(0, off-20):min(len(src), off+20)]))
				break
			}
		}
		checked++
		tokens += len(want)
	}
	if checked < 50 {
		t.Fatalf("only %d files checked", checked)
	}
	t.Logf("%d files, %d tokens agree with tokenize", checked, tokens)
}
