// Command gen-builtins writes the lists of Spark's built-in functions and
// SQL keywords that package ide uses without a Spark connection (signature
// help, hover, completion): ide/functions_builtin.go and
// ide/keywords_builtin.go. It reads them from a running Spark Connect
// server, so that they are Spark's own words, not a copy of its docs:
//
//	go run ./cmd/gen-builtins --remote sc://127.0.0.1:15002
//
// make generate runs it against the local server of make server-start.
//
// It asks SHOW SYSTEM FUNCTIONS (system only: a user's temporary functions
// have no place in a committed list), then DESCRIBE FUNCTION EXTENDED for
// each function, a few at a time, and reads the Class, Usage, Arguments and
// Examples out of the answer. Keywords come from SELECT * FROM
// sql_keywords() with spark.sql.ansi.enforceReservedKeywords on, the only
// setting under which Spark reports which keywords the SQL standard
// reserves. To keep the generated file small, Examples keep only the first
// example and long texts are cut (see the limits below). The server's Spark
// version goes into the generated files' header.
//
// With -check it writes nothing and exits 1 when a file would change.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/sqltext"
)

// Limits of the generated texts, in bytes. A longer text is cut at a line
// or word boundary and ends with "…".
const (
	maxUsage     = 600
	maxArguments = 1000
	maxExamples  = 400
)

// function is one built-in function as lsp's builtinFunction holds it.
type function struct{ Name, Usage, Arguments, Examples, Class string }

// keyword is one row of sql_keywords().
type keyword struct {
	Word     string
	Reserved bool
}

// builtins is everything the generator reads from the server.
type builtins struct {
	Version   string
	Functions []function // sorted by name
	Keywords  []keyword  // sorted by word
}

func main() {
	remote := flag.String("remote", "sc://127.0.0.1:15002", "the Spark Connect server to read the lists from")
	out := flag.String("out", "", "the directory to write to (default: ide/ of the module)")
	parallel := flag.Int("parallel", 4, "DESCRIBE FUNCTION statements in flight at once")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	check := flag.Bool("check", false, "write nothing; exit 1 if a generated file is out of date")
	flag.Parse()

	dir := *out
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			fatal(err)
		}
		dir = filepath.Join(root, "ide")
	}
	r, err := connect.ParseRemote(*remote)
	if err != nil {
		fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	c, err := connect.Dial(ctx, r, connect.Options{Version: "gen-builtins"})
	if err != nil {
		fatal(err)
	}
	defer c.Close()
	b, err := fetch(ctx, c, *parallel)
	if err != nil {
		fatal(err)
	}
	reserved := 0
	for _, k := range b.Keywords {
		if k.Reserved {
			reserved++
		}
	}
	fmt.Printf("gen-builtins: Spark %s: %d functions, %d keywords (%d reserved) in %v\n",
		b.Version, len(b.Functions), len(b.Keywords), reserved, time.Since(start).Round(time.Millisecond))

	files, err := render(b)
	if err != nil {
		fatal(err)
	}
	stale := 0
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		old, _ := os.ReadFile(path)
		if bytes.Equal(old, f.data) {
			continue
		}
		if *check {
			fmt.Fprintf(os.Stderr, "gen-builtins: %s is out of date; run go run ./cmd/gen-builtins\n", path)
			stale++
			continue
		}
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			fatal(err)
		}
		fmt.Printf("gen-builtins: wrote %s (%d bytes)\n", path, len(f.data))
	}
	if stale > 0 {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen-builtins:", err)
	os.Exit(1)
}

// moduleRoot is the nearest directory above the working directory that
// holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// ---------------------------------------------------------------------------
// Reading from Spark.

// runOptions read whole answers: a function's description is one cell of
// a few kilobytes, which the preview's default cell limit would cut.
var runOptions = connect.RunOptions{Limits: connect.Limits{Rows: 100000, Bytes: 1 << 30, CellBytes: 1 << 20}}

// fetch reads the version, the functions and the keywords. Any failure is
// an error: a partial list must not be committed as if it were whole.
func fetch(ctx context.Context, c *connect.Client, parallel int) (*builtins, error) {
	version, err := c.SparkVersion(ctx)
	if err != nil {
		return nil, err
	}
	names, err := column(ctx, c, "SHOW SYSTEM FUNCTIONS", 0)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) == 0 {
		return nil, errors.New("SHOW SYSTEM FUNCTIONS returned no function")
	}
	fns, err := describeAll(ctx, c, names, max(1, parallel))
	if err != nil {
		return nil, err
	}
	kws, err := keywords(ctx, c)
	if err != nil {
		return nil, err
	}
	return &builtins{Version: version, Functions: fns, Keywords: kws}, nil
}

// column runs one statement and returns column col of every row.
func column(ctx context.Context, c *connect.Client, sql string, col int) ([]string, error) {
	res, err := c.Run(ctx, sql, runOptions)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sql, err)
	}
	if res.Truncated {
		return nil, fmt.Errorf("%s: the answer was cut", sql)
	}
	var out []string
	for _, row := range res.Rows {
		if col < len(row) && !row[col].Null {
			out = append(out, row[col].Text)
		}
	}
	return out, nil
}

// describeAll describes each function, at most parallel at a time, and
// returns them in the order of names. The first failure cancels the rest.
func describeAll(ctx context.Context, c *connect.Client, names []string, parallel int) ([]function, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([]function, len(names))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, name := range names {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			rows, err := column(ctx, c, "DESCRIBE FUNCTION EXTENDED "+sqltext.QuoteAlways(name), 0)
			if err != nil {
				cancel(err)
				return
			}
			out[i] = parseDescribe(name, rows)
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// keywords reads sql_keywords() with the standard's reserved words
// enforced; without that setting Spark reports none as reserved.
func keywords(ctx context.Context, c *connect.Client) ([]keyword, error) {
	const sql = "SET spark.sql.ansi.enforceReservedKeywords=true;\nSELECT keyword, reserved FROM sql_keywords()"
	res, err := c.Run(ctx, sql, runOptions)
	if err != nil {
		return nil, fmt.Errorf("sql_keywords(): %w", err)
	}
	var out []keyword
	for _, row := range res.Rows {
		if len(row) < 2 || row[0].Null {
			continue
		}
		out = append(out, keyword{Word: strings.ToUpper(row[0].Text), Reserved: row[1].Text == "true"})
	}
	if len(out) == 0 {
		return nil, errors.New("sql_keywords() returned no keyword")
	}
	slices.SortFunc(out, func(a, b keyword) int { return strings.Compare(a.Word, b.Word) })
	out = slices.CompactFunc(out, func(a, b keyword) bool { return a.Word == b.Word })
	return out, nil
}

// ---------------------------------------------------------------------------
// Reading DESCRIBE FUNCTION EXTENDED.

// parseDescribe reads the rows of DESCRIBE FUNCTION EXTENDED name:
//
//	Function: date_add
//	Class: org.apache.spark.sql.catalyst.expressions.DateAdd
//	Usage: date_add(start_date, num_days) - Returns the date ...
//	Extended Usage:
//	    Arguments:
//	      * start_date - ...
//	    Examples:
//	      > SELECT date_add('2016-07-30', 1);
//	       2016-07-31
//	    Since: 1.5.0
//
// A row may span lines (Usage and Extended Usage do).
func parseDescribe(name string, rows []string) function {
	f := function{Name: name}
	for _, r := range rows {
		switch {
		case strings.HasPrefix(r, "Class:"):
			f.Class = strings.TrimSpace(r[len("Class:"):])
		case strings.HasPrefix(r, "Usage:"):
			f.Usage = clip(clean(r[len("Usage:"):]), maxUsage)
		case strings.HasPrefix(r, "Extended Usage:"):
			sec := sections(r[len("Extended Usage:"):])
			f.Arguments = clip(clean(sec["Arguments"]), maxArguments)
			f.Examples = clip(firstExample(clean(sec["Examples"])), maxExamples)
		}
	}
	return f
}

// sectionRE matches the heading of a section of Extended Usage, which
// Spark indents by four spaces; Since has its value on the same line.
var sectionRE = regexp.MustCompile(`^    (Arguments|Examples|Note|Since|Deprecated|Group):`)

// sections splits Extended Usage into its sections by heading.
func sections(ext string) map[string]string {
	out := map[string]string{}
	cur := ""
	var b strings.Builder
	flush := func() {
		if cur != "" {
			out[cur] = b.String()
		}
		b.Reset()
	}
	for _, line := range strings.Split(ext, "\n") {
		if m := sectionRE.FindStringSubmatch(line); m != nil {
			flush()
			cur = m[1]
			b.WriteString(line[len(m[0]):] + "\n")
			continue
		}
		b.WriteString(line + "\n")
	}
	flush()
	return out
}

// firstExample keeps the first "> statement" of an Examples section and
// the result lines after it.
func firstExample(ex string) string {
	lines := strings.Split(ex, "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, ">") })
	if start < 0 {
		return ex
	}
	end := start + 1
	for end < len(lines) && !strings.HasPrefix(lines[end], ">") && strings.TrimSpace(lines[end]) != "" {
		end++
	}
	return strings.Join(lines[start:end], "\n")
}

var (
	brRE     = regexp.MustCompile(`(?i)\s*<br\s*/?>\s*`)
	anchorRE = regexp.MustCompile(`(?i)<a\s+href="([^"]*)"\s*>(.*?)</a>`)
	blanksRE = regexp.MustCompile(`\n{3,}`)
)

// clean dedents a text, trims blank lines and trailing blanks, and turns
// the HTML that Spark's docs embed (they are Markdown with HTML, for the
// website) into Markdown that an editor renders: <br> into line breaks,
// links into [text](url).
func clean(s string) string {
	s = anchorRE.ReplaceAllString(s, "[$2]($1)")
	lines := strings.Split(s, "\n")
	indent := -1
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		lines[i] = l
		if l == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	s = strings.Join(lines, "\n")
	s = brRE.ReplaceAllString(s, "\n")
	s = blanksRE.ReplaceAllString(s, "\n\n")
	return strings.Trim(s, "\n ")
}

// clip cuts s to at most limit bytes, at a line break or else a space.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := s[:limit]
	if i := strings.LastIndexByte(cut, '\n'); i > limit/2 {
		cut = cut[:i]
	} else if i := strings.LastIndexByte(cut, ' '); i > limit/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n") + " …"
}

// ---------------------------------------------------------------------------
// Writing Go.

type file struct {
	name string
	data []byte
}

func render(b *builtins) ([]file, error) {
	header := fmt.Sprintf("// Code generated by cmd/gen-builtins from Spark %s; DO NOT EDIT.\n\npackage ide\n\n", b.Version)

	var fn bytes.Buffer
	fn.WriteString(header)
	fmt.Fprintf(&fn, "// builtinFunctions are the %d functions of SHOW SYSTEM FUNCTIONS, sorted by\n", len(b.Functions))
	fn.WriteString("// name, as DESCRIBE FUNCTION EXTENDED describes them (first example only;\n")
	fn.WriteString("// long texts cut with \"…\").\n")
	fn.WriteString("var builtinFunctions = []builtinFunction{\n")
	for _, f := range b.Functions {
		fn.WriteString("\t{\n")
		field := func(name, v string) {
			if v != "" {
				fmt.Fprintf(&fn, "\t\t%s: %q,\n", name, v)
			}
		}
		field("Name", f.Name)
		field("Usage", f.Usage)
		field("Arguments", f.Arguments)
		field("Examples", f.Examples)
		field("Class", f.Class)
		fn.WriteString("\t},\n")
	}
	fn.WriteString("}\n")

	var kw bytes.Buffer
	kw.WriteString(header)
	fmt.Fprintf(&kw, "// sparkKeywords are the %d keywords of sql_keywords(), upper case, sorted.\n", len(b.Keywords))
	kw.WriteString("var sparkKeywords = []string{\n")
	var reserved []string
	for _, k := range b.Keywords {
		fmt.Fprintf(&kw, "\t%q,\n", k.Word)
		if k.Reserved {
			reserved = append(reserved, k.Word)
		}
	}
	kw.WriteString("}\n\n")
	kw.WriteString("// reservedKeywords are the keywords that sql_keywords() reports reserved\n")
	kw.WriteString("// with spark.sql.ansi.enforceReservedKeywords=true, sorted.\n")
	kw.WriteString("var reservedKeywords = []string{\n")
	for _, w := range reserved {
		fmt.Fprintf(&kw, "\t%q,\n", w)
	}
	kw.WriteString("}\n")

	var out []file
	for _, f := range []struct {
		name string
		src  []byte
	}{{"functions_builtin.go", fn.Bytes()}, {"keywords_builtin.go", kw.Bytes()}} {
		src, err := format.Source(f.src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		out = append(out, file{f.name, src})
	}
	return out, nil
}
