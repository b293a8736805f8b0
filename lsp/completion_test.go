package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/internal/fixture"
	"github.com/sparkls/sparkls/schema"
)

// TestCompletion runs one scenario per testdata/completion/*.txt file: a
// comment saying what it is about, then sections (txtar):
//
//	input.sql  the document, the cursor written as $0
//	options    one per line: offline (no catalog at all), cold (names
//	           only; columns load on demand), disk (what a previous session
//	           saved, no Spark), snippets (the client takes snippets),
//	           resolve LABEL (also show that item resolved), param
//	           NAME=VALUE (a named parameter of the document's last run)
//	want       the answer, readable; go test ./lsp -run TestCompletion
//	           -update rewrites it
//
// The catalog is demoSource's, in an in-memory schema cache: no Spark.
func TestCompletion(t *testing.T) {
	fixture.Run(t, "testdata/completion", checkCompletion)
}

// catalogFixture is a parsed completion or hover fixture.
type catalogFixture struct {
	ar      *fixture.Archive
	text    string
	off     int
	ext     string              // of the input section's name: ".sql", ".py", ".scala"
	options map[string][]string // option → its arguments (resolve may repeat)
}

func readCatalogFixture(t *testing.T, path string) catalogFixture {
	t.Helper()
	fx := catalogFixture{ar: fixture.Read(t, path), options: map[string][]string{}}
	input, ok := "", false
	for _, ext := range []string{".sql", ".py", ".scala"} {
		if input, ok = fx.ar.File("input" + ext); ok {
			fx.ext = ext
			break
		}
	}
	if !ok {
		t.Fatalf("%s: no input.sql (or .py, .scala) section", path)
	}
	if fx.text, fx.off = fixture.Cursor(input); fx.off < 0 {
		t.Fatalf("%s: no $0 cursor in input.sql", path)
	}
	opts, _ := fx.ar.File("options")
	for _, line := range strings.Split(opts, "\n") {
		name, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name != "" {
			fx.options[name] = append(fx.options[name], arg)
		}
	}
	return fx
}

func (fx catalogFixture) has(opt string) bool { _, ok := fx.options[opt]; return ok }

// start serves the fixture's document with its catalog and client.
func (fx catalogFixture) start(t *testing.T) (*testClient, *Document) {
	t.Helper()
	var cache *schema.Cache
	switch {
	case fx.has("offline"):
	case fx.has("cold"):
		cache = demoCache(t, demoSource(), "cold")
	case fx.has("disk"):
		cache = demoCache(t, demoSource(), "disk")
	default:
		cache = demoCache(t, demoSource(), "warm")
	}
	uri := "file:///work/fixture" + fx.ext
	c := startServer(t, testOptions{setup: func(s *Server) {
		s.schema.pinned = cache
		for _, p := range fx.options["param"] {
			// The named parameters of the document's last run.
			k, v, _ := strings.Cut(p, "=")
			known, _ := s.params.LoadOrStore(protocol.DocumentURI(uri), map[string]string{})
			known.(map[string]string)[k] = v
		}
	}})
	caps := map[string]any{}
	if fx.has("snippets") {
		caps["textDocument"] = map[string]any{"completion": map[string]any{"completionItem": map[string]any{"snippetSupport": true}}}
	}
	c.callOK(protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": nil, "capabilities": caps}, nil)
	c.notify(protocol.MethodInitialized, map[string]any{})
	c.open(uri, fx.text)
	return c, newDocument(protocol.DocumentURI(uri), languageOf(uri), 1, fx.text)
}

// maxShown bounds the items a fixture's want lists.
const maxShown = 40

// checkCompletion is the only code that asks for completions and resolves
// items: it renders the answer at the fixture's cursor.
func checkCompletion(t *testing.T, path string) {
	fx := readCatalogFixture(t, path)
	c, doc := fx.start(t)
	pos := doc.Position(fx.off)
	var list protocol.CompletionList
	c.callOK(protocol.MethodTextDocumentCompletion, map[string]any{
		"textDocument": map[string]any{"uri": doc.URI}, "position": pos,
	}, &list)

	var b strings.Builder
	fmt.Fprintf(&b, "isIncomplete: %v, %d items\n", list.IsIncomplete, len(list.Items))
	rangeText := func(r protocol.Range) string {
		s, e := doc.Span(r)
		return fmt.Sprintf("%d:%d-%d:%d %q", r.Start.Line, r.Start.Character, r.End.Line, r.End.Character, doc.Text[s:e])
	}
	var edit *protocol.Range
	for i, it := range list.Items {
		if it.TextEdit == nil {
			t.Errorf("%s: no textEdit", it.Label)
			continue
		}
		if edit == nil {
			edit = &it.TextEdit.Range
			fmt.Fprintf(&b, "replaces %s\n", rangeText(*edit))
		} else if it.TextEdit.Range != *edit {
			t.Errorf("%s: textEdit range %v, not %v", it.Label, it.TextEdit.Range, *edit)
		}
		if it.SortText != fmt.Sprintf("%04d", i) {
			t.Errorf("%s: sortText %q at %d", it.Label, it.SortText, i)
		}
		if i == maxShown {
			fmt.Fprintf(&b, "  … %d more\n", len(list.Items)-maxShown)
			break
		}
		line := fmt.Sprintf("  %-22s %-9s %s", it.Label, it.Kind, it.Detail)
		if nt := it.TextEdit.NewText; nt != it.Label {
			line += " → " + nt
		}
		if it.InsertTextFormat == protocol.InsertTextFormatSnippet {
			line += " (snippet)"
		}
		if it.FilterText != "" {
			line += fmt.Sprintf(" [filter %s]", it.FilterText)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	for _, label := range fx.options["resolve"] {
		var item *protocol.CompletionItem
		for i := range list.Items {
			if list.Items[i].Label == label {
				item = &list.Items[i]
			}
		}
		if item == nil {
			fmt.Fprintf(&b, "resolve %s: not in the list\n", label)
			continue
		}
		var raw struct {
			Documentation *protocol.MarkupContent `json:"documentation"`
		}
		m := c.call(protocol.MethodCompletionItemResolve, item)
		if m.Error != nil {
			t.Fatalf("resolve %s: %v", label, m.Error.Message)
		}
		if err := json.Unmarshal(m.Result, &raw); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "resolve %s:\n", label)
		if raw.Documentation == nil {
			b.WriteString("  (no documentation)\n")
		} else {
			b.WriteString(indentMarkdown(raw.Documentation.Value))
		}
	}
	fx.ar.Want(t, b.String())
}

// indentMarkdown indents every line by four spaces.
func indentMarkdown(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(strings.TrimRight(s, "\n")+"\n", "\n") {
		if line != "" {
			b.WriteString(strings.TrimRight("    "+line, " \n") + "\n")
		}
	}
	return b.String()
}

// BenchmarkCompletionCatalog measures completion round trips over the pipe
// with a warm catalog of n tables (10 columns each) in the current
// namespace, at table positions (a prefix after FROM, nothing typed, a
// prefix after the namespace) and a column position (the SELECT list of
// one of them). It reports the latency
// percentiles, the size of the answer and the server's heap and RSS.
func BenchmarkCompletionCatalog(b *testing.B) {
	for _, n := range []int{2_000, 10_000, 100_000} {
		cache := syntheticCache(b, n)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap := float64(ms.HeapAlloc) / (1 << 20)
		for _, pos := range []struct{ name, text string }{
			{"table", "SELECT * FROM ord"},
			{"table-empty", "SELECT * FROM "},
			{"table-qualified", "SELECT * FROM big.ord"},
			{"column", "SELECT  FROM big.orders_eu_00042 t"},
		} {
			b.Run(fmt.Sprintf("tables=%d/%s", n, pos.name), func(b *testing.B) {
				c := startServer(b, testOptions{setup: func(s *Server) { s.schema.pinned = cache }})
				c.initialize(nil, false)
				c.open(docURI, pos.text)
				char := len(pos.text)
				if pos.name == "column" {
					char = len("SELECT ")
				}
				params := map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": map[string]any{"line": 0, "character": char}}
				lat := make([]time.Duration, 0, b.N)
				size := 0
				b.ResetTimer()
				for range b.N {
					c.ResetReceived() // the harness keeps every byte: not the server's cost
					begin := time.Now()
					m := c.call(protocol.MethodTextDocumentCompletion, params)
					lat = append(lat, time.Since(begin))
					if m.Error != nil {
						b.Fatal(m.Error)
					}
					size = len(m.Result)
				}
				b.StopTimer()
				reportLatency(b, lat)
				b.ReportMetric(float64(size), "resp-bytes")
				b.ReportMetric(heap, "heap-MB")
				debug.FreeOSMemory()
				b.ReportMetric(rssMB(), "rss-MB")
			})
		}
	}
}

// syntheticCache is a warm cache of n tables of 10 columns in namespace
// big of spark_catalog (the current one), read from a cache file as the
// server reads it at start.
func syntheticCache(b testing.TB, n int) *schema.Cache {
	b.Helper()
	words := []string{"orders", "customers", "events", "sessions", "payments", "invoices", "clicks", "users", "items", "stock"}
	regions := []string{"eu", "us", "apac", "latam"}
	types := []string{"bigint", "string", "decimal(12,2)", "timestamp", "int", "date", "double", "boolean", "array<string>", "map<string,string>"}
	tables := make([]*schema.Table, n)
	for i := range tables {
		t := &schema.Table{Catalog: "spark_catalog", Namespace: "big", Kind: schema.KindManaged,
			Name: fmt.Sprintf("%s_%s_%05d", words[i%len(words)], regions[i/len(words)%len(regions)], i), ColumnsAt: time.Now()}
		for j := range 10 {
			t.Columns = append(t.Columns, schema.Column{Name: fmt.Sprintf("%s_col_%d", words[(i+j)%len(words)], j), Type: types[j], Nullable: true})
		}
		tables[i] = t
	}
	tables[0].Name = "orders_eu_00042" // the column position's table
	now := time.Now()
	cat := schema.NewCatalog("spark_catalog", "", []*schema.Namespace{
		schema.NewNamespace("spark_catalog", "big", "", tables, now),
		schema.NewNamespace("spark_catalog", "default", "", nil, now),
	}, now)
	snap := schema.NewSnapshot([]*schema.Catalog{cat}, nil, ide.BuiltinFunctions(""))
	snap.CurrentCatalog, snap.CurrentNamespace = "spark_catalog", "big"
	snap.RefreshedAt = now
	dir := b.TempDir()
	path, err := schema.CacheFile(dir, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := schema.WriteFile(path, "bench", snap, now); err != nil {
		b.Fatal(err)
	}
	c := schema.New(nil, schema.Options{Key: "bench", Dir: dir})
	b.Cleanup(func() { c.Close() })
	if st := c.Stats(); st.Tables != n {
		b.Fatalf("the cache holds %d tables", st.Tables)
	}
	return c
}

// rssMB is the process's resident set size (Linux; 0 elsewhere).
func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}

// Completion and hover answer at every offset of every fixture's text,
// with and without a catalog, without failing and with spans inside the
// text.
func TestCompletionHoverEveryOffset(t *testing.T) {
	files, _ := filepath.Glob("testdata/completion/*.txt")
	more, _ := filepath.Glob("testdata/hover/*.txt")
	cache := demoCache(t, demoSource(), "warm")
	ctx := t.Context()
	for _, f := range append(files, more...) {
		text := strings.Replace(readCatalogFixture(t, f).text, "$0", "", 1)
		for off := 0; off <= len(text); off++ {
			for _, c := range []*schema.Cache{nil, cache} {
				res := ide.Complete(ctx, c, text, off, ide.CompleteOptions{Snippets: true, Online: c != nil})
				if res.Word.Start > off || res.Word.End > len(text) || res.Word.Start > res.Word.End {
					t.Fatalf("%s at %d: word %v", f, off, res.Word)
				}
				if _, sp, ok := ide.HoverAt(ctx, c, text, off, ide.HoverOptions{}); ok && (sp.Start > off || off > sp.End) {
					t.Fatalf("%s at %d: hover span %v", f, off, sp)
				}
			}
		}
	}
}

// A long list is cut at ide.MaxCompletionItems and says isIncomplete; a
// narrower prefix gets the complete answer, prefix matches before fuzzy
// ones.
func TestCompletionCapped(t *testing.T) {
	cache := syntheticCache(t, 3000)
	c := startServer(t, testOptions{setup: func(s *Server) { s.schema.pinned = cache }})
	c.initialize(nil, false)
	c.open(docURI, "SELECT * FROM \n;\nSELECT * FROM orders_eu_000")
	if list := c.complete(docURI, 0, len("SELECT * FROM ")); len(list.Items) != ide.MaxCompletionItems || !list.IsIncomplete {
		t.Errorf("empty prefix: %d items, isIncomplete %v", len(list.Items), list.IsIncomplete)
	}
	list := c.complete(docURI, 2, len("SELECT * FROM orders_eu_000"))
	if got := labels(list); list.IsIncomplete || len(got) < 3 || !slices.Equal(got[:3], []string{"orders_eu_00040", "orders_eu_00042", "orders_eu_00080"}) {
		t.Errorf("narrow prefix: %v, isIncomplete %v", got, list.IsIncomplete)
	}
}
