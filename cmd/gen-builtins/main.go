// Command gen-builtins writes the lists of Spark's built-in functions and
// SQL keywords that package ide uses without a Spark connection (signature
// help, hover, completion): ide/functions_builtin.go and
// ide/keywords_builtin.go. It reads them from running Spark Connect
// servers, so that they are Spark's own words, not a copy of its docs:
//
//	go run ./cmd/gen-builtins --remote sc://127.0.0.1:15002
//
// The lists differ between Spark versions. Each run against a server saves
// that version's lists under .spark/builtins/, then writes the files from
// the saved lists of every version in versions: each name carries the
// versions that have it, and the newest of them describes it. make
// generate-builtins runs it against a local server of each version, one
// after another.
//
// It asks SHOW SYSTEM FUNCTIONS (system only: a user's temporary functions
// have no place in a committed list), then DESCRIBE FUNCTION EXTENDED for
// each function, a few at a time, and reads the Class, Usage, Arguments and
// Examples out of the answer. Keywords come from SELECT * FROM
// sql_keywords() with ANSI mode and spark.sql.ansi.enforceReservedKeywords
// on, the only settings under which Spark reports which keywords the SQL
// standard reserves. To keep the generated file small, Examples keep only
// the first example and long texts are cut (see the limits below).
//
// With -check it writes nothing and exits 1 when a file would change.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sparkls/sparkls/internal/gomod"

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

// versions are the Spark releases the committed lists come from, oldest
// first: one of each minor line that has Spark Connect.
var versions = []string{"3.5.7", "4.0.1", "4.1.4", "4.2.1", "4.3.0"}

func main() {
	remote := flag.String("remote", "", "the Spark Connect server to read the lists from (none: render from the saved lists)")
	out := flag.String("out", "", "the directory to write to (default: ide/ of the module)")
	saved := flag.String("saved", "", "the directory of each version's lists (default: .spark/builtins/ of the module)")
	parallel := flag.Int("parallel", 4, "DESCRIBE FUNCTION statements in flight at once")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	check := flag.Bool("check", false, "write nothing; exit 1 if a generated file is out of date")
	flag.Parse()

	root, err := gomod.Root()
	if err != nil {
		fatal(err)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(root, "ide")
	}
	if *saved == "" {
		*saved = filepath.Join(root, ".spark", "builtins")
	}
	if *remote != "" {
		b, err := read(*remote, *parallel, *timeout)
		if err != nil {
			fatal(err)
		}
		if !slices.Contains(versions, b.Version) {
			fatal(fmt.Errorf("Spark %s is not one of the versions the lists come from (%s); add it to versions in cmd/gen-builtins", b.Version, strings.Join(versions, ", ")))
		}
		if err := save(*saved, b); err != nil {
			fatal(err)
		}
	}
	var all []*builtins
	var missing []string
	for _, v := range versions {
		b, err := load(*saved, v)
		if errors.Is(err, os.ErrNotExist) {
			missing = append(missing, v)
			continue
		}
		if err != nil {
			fatal(err)
		}
		all = append(all, b)
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("no saved lists of Spark %s; run go run ./cmd/gen-builtins --remote sc://HOST:PORT against a server of each (make generate-builtins)", strings.Join(missing, ", "))
		if *remote == "" {
			fatal(errors.New(msg))
		}
		fmt.Println("gen-builtins: not writing ide/ yet:", msg)
		return
	}
	m, err := merge(all)
	if err != nil {
		fatal(err)
	}
	files, err := render(m)
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

// read reads one server's lists.
func read(remote string, parallel int, timeout time.Duration) (*builtins, error) {
	r, err := connect.ParseRemote(remote)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	c, err := connect.Dial(ctx, r, connect.Options{Version: "gen-builtins"})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	b, err := fetch(ctx, c, parallel)
	if err != nil {
		return nil, err
	}
	reserved := 0
	for _, k := range b.Keywords {
		if k.Reserved {
			reserved++
		}
	}
	fmt.Printf("gen-builtins: Spark %s: %d functions, %d keywords (%d reserved) in %v\n",
		b.Version, len(b.Functions), len(b.Keywords), reserved, time.Since(start).Round(time.Millisecond))
	return b, nil
}

// save keeps one version's lists as JSON for later runs against other
// versions (the servers run one at a time).
func save(dir string, b *builtins) error {
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, b.Version+".json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("gen-builtins: saved %s\n", path)
	return nil
}

// load reads the lists save kept for version v.
func load(dir, v string) (*builtins, error) {
	data, err := os.ReadFile(filepath.Join(dir, v+".json"))
	if err != nil {
		return nil, err
	}
	var b builtins
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%s.json: %w", v, err)
	}
	if b.Version != v {
		return nil, fmt.Errorf("%s.json holds the lists of Spark %s", v, b.Version)
	}
	return &b, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen-builtins:", err)
	os.Exit(1)
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
// enforced under ANSI mode; without those settings Spark reports none as
// reserved (3.5 has ANSI mode off by default).
func keywords(ctx context.Context, c *connect.Client) ([]keyword, error) {
	const sql = "SET spark.sql.ansi.enabled=true;\nSET spark.sql.ansi.enforceReservedKeywords=true;\nSELECT keyword, reserved FROM sql_keywords()"
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
// Merging the versions.

// span is the Spark versions that have a name: from Since on (""
// the oldest of versions), up to but not including Removed ("": still in
// the newest). Both are minor versions, "4.2".
type span struct{ Since, Removed string }

// mergedFunction is a function with its span and the description of the
// newest version that has it.
type mergedFunction struct {
	function
	span
}

// mergedKeyword is a keyword with its span, and whether the versions that
// have it reserve it (they agree, or merge fails).
type mergedKeyword struct {
	keyword
	span
}

// merged is the lists of every version, as the generated files hold them.
type merged struct {
	Versions  []string // oldest first
	Functions []mergedFunction
	Keywords  []mergedKeyword
}

// minor is "4.2" of "4.2.1".
func minor(v string) string {
	if i := strings.LastIndexByte(v, '.'); i > strings.IndexByte(v, '.') {
		return v[:i]
	}
	return v
}

// spanOf finds the span of the versions (indexes into all, ascending) that
// have a name; a name that left and came back cannot be told as one span.
func spanOf(name string, has []int, all []*builtins) (span, error) {
	for i := 1; i < len(has); i++ {
		if has[i] != has[i-1]+1 {
			return span{}, fmt.Errorf("%s is in Spark %s and %s but not in between", name, all[has[i-1]].Version, all[has[i]].Version)
		}
	}
	var sp span
	if first := has[0]; first > 0 {
		sp.Since = minor(all[first].Version)
	}
	if last := has[len(has)-1]; last < len(all)-1 {
		sp.Removed = minor(all[last+1].Version)
	}
	return sp, nil
}

// merge joins the lists of each version (oldest first): every name any of
// them has, described as the newest one that has it describes it.
func merge(all []*builtins) (*merged, error) {
	m := &merged{}
	fns := map[string][]int{}
	kws := map[string][]int{}
	newestFn := map[string]function{}
	newestKw := map[string]keyword{}
	for i, b := range all {
		m.Versions = append(m.Versions, b.Version)
		for _, f := range b.Functions {
			fns[f.Name] = append(fns[f.Name], i)
			newestFn[f.Name] = f
		}
		for _, k := range b.Keywords {
			if prev, ok := newestKw[k.Word]; ok && prev.Reserved != k.Reserved {
				return nil, fmt.Errorf("keyword %s is reserved in one of Spark %s and %s, not the other", k.Word, all[kws[k.Word][len(kws[k.Word])-1]].Version, b.Version)
			}
			kws[k.Word] = append(kws[k.Word], i)
			newestKw[k.Word] = k
		}
	}
	for _, name := range slices.Sorted(maps.Keys(fns)) {
		sp, err := spanOf(name, fns[name], all)
		if err != nil {
			return nil, err
		}
		m.Functions = append(m.Functions, mergedFunction{newestFn[name], sp})
	}
	for _, word := range slices.Sorted(maps.Keys(kws)) {
		sp, err := spanOf(word, kws[word], all)
		if err != nil {
			return nil, err
		}
		m.Keywords = append(m.Keywords, mergedKeyword{newestKw[word], sp})
	}
	return m, nil
}

// ---------------------------------------------------------------------------
// Writing Go.

type file struct {
	name string
	data []byte
}

func render(m *merged) ([]file, error) {
	header := fmt.Sprintf("// Code generated by cmd/gen-builtins from Spark %s; DO NOT EDIT.\n\npackage ide\n\n", strings.Join(m.Versions, ", "))
	spanFields := func(buf *bytes.Buffer, sp span) {
		if sp.Since != "" {
			fmt.Fprintf(buf, "Since: %q,", sp.Since)
		}
		if sp.Removed != "" {
			fmt.Fprintf(buf, "Removed: %q,", sp.Removed)
		}
	}

	var fn bytes.Buffer
	fn.WriteString(header)
	fn.WriteString("// builtinVersions are the Spark versions the lists come from, oldest first.\n")
	fn.WriteString("var builtinVersions = []string{")
	for _, v := range m.Versions {
		fmt.Fprintf(&fn, "%q,", v)
	}
	fn.WriteString("}\n\n")
	fmt.Fprintf(&fn, "// builtinFunctions are the %d functions of SHOW SYSTEM FUNCTIONS, sorted by\n", len(m.Functions))
	fn.WriteString("// name, as DESCRIBE FUNCTION EXTENDED of the newest version that has them\n")
	fn.WriteString("// describes them (first example only; long texts cut with \"…\").\n")
	fn.WriteString("var builtinFunctions = []builtinFunction{\n")
	for _, f := range m.Functions {
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
		field("Since", f.Since)
		field("Removed", f.Removed)
		fn.WriteString("\t},\n")
	}
	fn.WriteString("}\n")

	var kw bytes.Buffer
	kw.WriteString(header)
	fmt.Fprintf(&kw, "// sparkKeywords are the %d keywords of sql_keywords(), upper case, sorted;\n", len(m.Keywords))
	kw.WriteString("// Reserved: reserved with spark.sql.ansi.enforceReservedKeywords=true.\n")
	kw.WriteString("var sparkKeywords = []builtinKeyword{\n")
	for _, k := range m.Keywords {
		fmt.Fprintf(&kw, "\t{Word: %q,", k.Word)
		if k.Reserved {
			kw.WriteString("Reserved: true,")
		}
		spanFields(&kw, k.span)
		kw.WriteString("},\n")
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
