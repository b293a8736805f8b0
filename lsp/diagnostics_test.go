package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/internal/fixture"
	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/lsp/lsptest"
	"github.com/sparkls/sparkls/sqltext"
)

const fakeRemote = "sc://127.0.0.1:15002"

// TestDiagnostics runs one scenario per testdata/diagnostics/*.txt file, end
// to end: an editor talks to the server over a pipe, the server talks to the
// fake Spark Connect server. A fixture is in txtar form: a comment saying
// what it is about, then sections.
//
//	spark    how the fake answers, one rule a line (without it: no Spark):
//	           error FRAGMENT CLASS MESSAGE        a query holding FRAGMENT fails there
//	           error-nopos FRAGMENT CLASS MESSAGE  ... without a position
//	           down                                every call fails UNAVAILABLE
//	         other queries succeed. FRAGMENT is a word or a Go-quoted string.
//	open     the editor opens the document with this text (version 1)
//	change   the editor replaces the text (next version), right away
//	wait     wait for the diagnostics of the current version
//	close    the editor closes the document
//	connect  the connection to Spark comes up only now (else before open)
//	want     the transcript: diagnostics published, then what Spark was
//	         asked to analyse and to execute; go test -update rewrites it
func TestDiagnostics(t *testing.T) {
	fixture.Run(t, "testdata/diagnostics", checkDiagnostics)
}

// checkDiagnostics is the only code that drives the diagnostics of a
// fixture: it plays its steps and compares the transcript with want.
func checkDiagnostics(t *testing.T, path string) {
	ar := fixture.Read(t, path)
	rules, online := ar.File("spark")
	var fake *connecttest.Server
	release := make(chan struct{})
	to := testOptions{}
	if online {
		fake = connecttest.New(t)
		down := fakeRules(t, fake, rules)
		to.opts.Dial = func(ctx context.Context, r connect.Remote, _ func(string)) (*connect.Client, error) {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			c, err := connect.Dial(ctx, r, connect.Options{Dialer: fake.Dialer(), CallTimeout: 5 * time.Second})
			if err == nil && down {
				fake.FailNext(1<<20, status.Error(codes.Unavailable, "connection refused"))
			}
			return c, err
		}
	}
	c := startServer(t, to)
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": fakeRemote}}, false)
	connected := func() {
		close(release)
		c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	}
	if _, later := ar.File("connect"); online && !later {
		connected()
	}

	uri := "file:///work/q.sql"
	for _, sec := range ar.Sections {
		if ext, ok := strings.CutPrefix(sec.Name, "open"); ok && ext != "" {
			uri = "file:///work/q" + ext // open.py: the document is Python
		}
	}
	var b strings.Builder
	texts := map[int32]string{}
	version, closed, seen := int32(0), false, 0
	for _, sec := range ar.Sections {
		switch sec.Name {
		case "spark", "want":
		case "open", "open.py", "open.scala":
			version, closed = 1, false
			texts[version] = sec.Data
			c.open(uri, sec.Data)
		case "change":
			version++
			texts[version] = sec.Data
			c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
				"textDocument":   map[string]any{"uri": uri, "version": version},
				"contentChanges": []map[string]any{{"text": sec.Data}},
			})
		case "close":
			closed = true
			c.notify(protocol.MethodTextDocumentDidClose, map[string]any{"textDocument": map[string]any{"uri": uri}})
		case "connect":
			connected()
		case "wait":
			want := uint32(version)
			if closed {
				want = 0
			}
			var got []protocol.PublishDiagnosticsParams
			seen, got = c.waitPublished(seen, protocol.DocumentURI(uri), want)
			for _, p := range got {
				renderPublished(&b, p, texts[int32(p.Version)])
			}
		default:
			t.Fatalf("%s: unknown section %q", path, sec.Name)
		}
	}
	if online {
		b.WriteString("analyzed:")
		writeList(&b, fake.Analyzed())
		b.WriteString("executed:")
		var executed []string
		for _, s := range fake.Executed() {
			if s != "SHOW CURRENT NAMESPACE" { // the cache key, read before analysing
				executed = append(executed, s)
			}
		}
		writeList(&b, executed)
	}
	if strings.Contains(c.log.String(), "panic") {
		t.Errorf("the server panicked:\n%s", c.log.String())
	}
	got := b.String()
	ar.Want(t, got)
}

// fakeRules makes the fake answer as the spark section says; it reports
// whether Spark is to be down.
func fakeRules(t *testing.T, fake *connecttest.Server, rules string) (down bool) {
	type rule struct {
		fragment, class, msg string
		nopos                bool
	}
	var rs []rule
	for _, line := range strings.Split(rules, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		verb, rest, _ := strings.Cut(line, " ")
		switch verb {
		case "down":
			down = true
			continue
		case "error", "error-nopos":
		default:
			t.Fatalf("spark rule %q: want error, error-nopos or down", line)
		}
		var r rule
		r.nopos = verb == "error-nopos"
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				t.Fatalf("spark rule %q: %v", line, err)
			}
			r.fragment, _ = strconv.Unquote(q)
			rest = strings.TrimSpace(rest[len(q):])
		} else {
			r.fragment, rest, _ = strings.Cut(rest, " ")
		}
		r.class, r.msg, _ = strings.Cut(rest, " ")
		rs = append(rs, r)
	}
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		for _, r := range rs {
			i := strings.Index(stmt, r.fragment)
			switch {
			case i < 0:
			case r.nopos:
				return connecttest.Result{}, connecttest.SparkErr(r.class, "42000", r.msg, -1, -1)
			default:
				return connecttest.Result{}, connecttest.SparkErr(r.class, "42000", r.msg, i, i+len(r.fragment)-1)
			}
		}
		if sqltext.Classify(stmt).IsQuery() {
			return connecttest.Rows("x int", []any{1}), nil
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	return down
}

// waitPublished waits for a publishDiagnostics of uri at version among the
// notifications after the first seen ones, and returns all those for uri up
// to it.
func (c *testClient) waitPublished(seen int, uri protocol.DocumentURI, version uint32) (int, []protocol.PublishDiagnosticsParams) {
	c.t.Helper()
	var got []protocol.PublishDiagnosticsParams
	next := 0
	c.await(fmt.Sprintf("no diagnostics for %s version %d within %v", uri, version, testTimeout), func(notes []*lsptest.Message) bool {
		got = got[:0]
		for i := seen; i < len(notes); i++ {
			n := notes[i]
			if n.Method != protocol.MethodTextDocumentPublishDiagnostics {
				continue
			}
			var p protocol.PublishDiagnosticsParams
			if err := json.Unmarshal(n.Params, &p); err != nil {
				c.t.Errorf("publishDiagnostics: %v: %s", err, n.Params)
			}
			if p.URI != uri {
				continue
			}
			got = append(got, p)
			if p.Version == version {
				next = i + 1
				return true
			}
		}
		return false
	})
	return next, got
}

// renderPublished writes one publishDiagnostics readably: each range as
// LSP numbers it (0-based line:UTF-16 column) and the text it covers.
func renderPublished(b *strings.Builder, p protocol.PublishDiagnosticsParams, text string) {
	if p.Version == 0 {
		fmt.Fprintf(b, "published without version:")
	} else {
		fmt.Fprintf(b, "published v%d:", p.Version)
	}
	if len(p.Diagnostics) == 0 {
		b.WriteString(" nothing\n")
		return
	}
	b.WriteString("\n")
	doc := newDocument("", "sql", 0, text)
	for _, d := range p.Diagnostics {
		r := d.Range
		start, end := doc.Span(r)
		sev := "error"
		if d.Severity != protocol.DiagnosticSeverityError {
			sev = fmt.Sprintf("severity %v", d.Severity)
		}
		code := ""
		if d.Code != nil {
			code = fmt.Sprintf(" %v", d.Code)
		}
		fmt.Fprintf(b, "  %d:%d-%d:%d %q %s %s%s: %s\n", r.Start.Line, r.Start.Character, r.End.Line, r.End.Character,
			text[start:end], sev, d.Source, code, d.Message)
	}
}

func writeList(b *strings.Builder, list []string) {
	if len(list) == 0 {
		b.WriteString(" nothing\n")
		return
	}
	b.WriteString("\n")
	for _, s := range list {
		fmt.Fprintf(b, "  %q\n", s)
	}
}

// ---------------------------------------------------------------------------

// An edit while Spark is still analysing the older version cancels that
// analysis: the older version is never published, and the newer one does
// not wait for it.
func TestDiagnosticsEditCancelsInFlightCheck(t *testing.T) {
	fake := connecttest.New(t)
	started, unblock := make(chan struct{}), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { close(unblock) })
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if strings.Contains(stmt, "slow") {
			once.Do(func() { close(started) })
			<-unblock
		}
		if sqltext.Classify(stmt).IsQuery() {
			return connecttest.Rows("x int"), nil
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	c := startServer(t, testOptions{realDial: true, opts: Options{Connect: connect.Options{Dialer: fake.Dialer()}}})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": fakeRemote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })

	const uri = "file:///work/slow.sql"
	c.open(uri, "SELECT slow FROM t")
	select {
	case <-started:
	case <-time.After(testTimeout):
		t.Fatal("the first version was never analysed")
	}
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": []map[string]any{{"text": "SELECT fast FROM t"}},
	})
	_, got := c.waitPublished(0, uri, 2)
	if len(got) != 1 {
		t.Errorf("published %+v; want only version 2", got)
	}
	if a := fake.Analyzed(); len(a) != 2 || a[1] != "SELECT * FROM (\nSELECT fast FROM t\n\n)" {
		t.Errorf("analyzed %q", a)
	}
}

// The diagnostics of a document are cleared when it closes, even while its
// check is waiting.
func TestDiagnosticsClearedOnCloseWhilePending(t *testing.T) {
	c := startServer(t, testOptions{})
	c.initialize(nil, false)
	const uri = "file:///work/a.sql"
	c.open(uri, "SELECT 'unclosed")
	c.notify(protocol.MethodTextDocumentDidClose, map[string]any{"textDocument": map[string]any{"uri": uri}})
	_, got := c.waitPublished(0, uri, 0)
	if len(got) != 1 || len(got[0].Diagnostics) != 0 {
		t.Errorf("published %+v; want one empty set", got)
	}
	// Nothing is published for the closed document afterwards.
	<-time.After(2 * diagnosticsDelay)
	n := 0
	for _, m := range c.Notes() {
		if m.Method == protocol.MethodTextDocumentPublishDiagnostics {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d publishDiagnostics; want 1:\n%s", n, c.NoteSummary())
	}
}

// fakeClient dials the fake server.
func fakeClient(t *testing.T, fake *connecttest.Server) *connect.Client {
	t.Helper()
	r, err := connect.ParseRemote(fakeRemote)
	if err != nil {
		t.Fatal(err)
	}
	c, err := connect.Dial(t.Context(), r, connect.Options{Dialer: fake.Dialer()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// A check sends at most limit statements; the next check (of a later
// version) reuses the verdicts and analyses the rest. Repeated statements
// are analysed once.
func TestCheckLimitAndCache(t *testing.T) {
	fake := connecttest.New(t)
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if i := strings.Index(stmt, "bad"); i >= 0 {
			return connecttest.Result{}, connecttest.SparkErr("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "42703", "no bad", i, i+2)
		}
		return connecttest.Rows("x int"), nil
	})
	client := fakeClient(t, fake)
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "SELECT %d;\nSELECT bad;\n", i)
	}
	text := b.String()
	nsCalls := 0
	ns := &namespaceAs{Spark: sparkOf(client), ns: "spark_catalog.default", calls: &nsCalls}
	ck := ide.Checker{Spark: ns, Limit: 4}
	res := ck.Check(t.Context(), text, text)
	if res.Analyzed != 4 || res.Skipped != 7 || len(fake.Analyzed()) != 4 || res.Err != nil {
		t.Fatalf("first check: analyzed %d skipped %d err %v; server saw %q", res.Analyzed, res.Skipped, res.Err, fake.Analyzed())
	}
	if len(res.Problems) != 10 { // every "SELECT bad" is the same statement
		t.Errorf("first check: %d problems, want 10", len(res.Problems))
	}
	ck.Cache = res.Verdicts
	res = ck.Check(t.Context(), text, text)
	if res.Analyzed != 4 || res.Skipped != 3 || len(res.Problems) != 10 {
		t.Errorf("second check: analyzed %d skipped %d problems %d", res.Analyzed, res.Skipped, len(res.Problems))
	}
	ck.Cache = res.Verdicts
	if res = ck.Check(t.Context(), text, text); res.Analyzed != 3 || res.Skipped != 0 {
		t.Errorf("third check: analyzed %d skipped %d", res.Analyzed, res.Skipped)
	}
	ck.Cache = res.Verdicts
	res = ck.Check(t.Context(), text, text)
	if res.Analyzed != 0 || res.Skipped != 0 || len(fake.Analyzed()) != 11 {
		t.Errorf("last check: analyzed %d skipped %d; server saw %d", res.Analyzed, res.Skipped, len(fake.Analyzed()))
	}
	if nsCalls != 4 {
		t.Errorf("namespace read %d times, want once per check", nsCalls)
	}
	// Another namespace is another key.
	ns.ns = "spark_catalog.sales"
	if res = ck.Check(t.Context(), text, text); res.Analyzed != 4 {
		t.Errorf("other namespace: analyzed %d, want 4", res.Analyzed)
	}
}

// namespaceAs is a Spark whose session namespace is ns, counting the reads.
type namespaceAs struct {
	ide.Spark
	ns    string
	calls *int
}

func (n *namespaceAs) Namespace(context.Context) (string, error) { *n.calls++; return n.ns, nil }

// With the server unreachable, Check keeps the local problems, reports the
// transport error once, and stops asking.
func TestCheckServerDown(t *testing.T) {
	fake := connecttest.New(t)
	client := fakeClient(t, fake)
	calls := func() int { return fake.Calls("AnalyzePlan") + fake.Calls("ExecutePlan") }
	before := calls()
	fake.FailNext(1<<20, status.Error(codes.Unauthenticated, "no"))
	problems, err := Check(t.Context(), client, "SELECT 1;\nSELECT 2;\nSELECT (3;")
	if !connect.IsTransport(err) {
		t.Errorf("err = %v, want a transport error", err)
	}
	if len(problems) != 1 || problems[0].Source != SourceLocal {
		t.Errorf("problems = %+v", problems)
	}
	if n := calls() - before; n != 1 { // the session's namespace, asked first
		t.Errorf("%d calls, want 1", n)
	}
}

// Check's positions: byte spans, 1-based line and column in characters.
func TestCheckLocalPositions(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string // "line:col start-end message"
	}{
		{"SELECT 1", nil},
		{"SELECT (1", []string{"1:8 7-8 unclosed '('"}},
		{"SELECT 1)", []string{"1:9 8-9 unmatched ')'"}},
		{"SELECT (1));\nSELECT ((2)", []string{"1:11 10-11 unmatched ')'", "2:8 20-21 unclosed '('"}},
		{"SELECT 'é😀', (1", []string{"1:14 17-18 unclosed '('"}},
		{"SELECT 1;\r\n  SELECT 'x", []string{"2:10 20-22 unclosed string"}},
		{"SELECT `x", []string{"1:8 7-9 unclosed quoted identifier"}},
		{"SELECT 1 /* c", []string{"1:10 9-13 unclosed comment"}},
		{"SELECT ')' AS `(`, \"(\" -- (\n", nil},
		{"SELECT (1; SELECT 2)", []string{"1:8 7-8 unclosed '('", "1:20 19-20 unmatched ')'"}},
	} {
		problems, err := Check(t.Context(), nil, tc.text)
		if err != nil {
			t.Errorf("Check(%q): %v", tc.text, err)
		}
		var got []string
		for _, p := range problems {
			if p.Source != SourceLocal || p.Code != "" {
				t.Errorf("Check(%q): %+v is not local", tc.text, p)
			}
			got = append(got, fmt.Sprintf("%d:%d %d-%d %s", p.Line, p.Col, p.Start, p.End, p.Message))
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Check(%q) =\n  %q\nwant\n  %q", tc.text, got, tc.want)
		}
	}
}

// ---------------------------------------------------------------------------
// Against the real Spark Connect server (SPARKLS_IT_REMOTE).

// Spark's analysis through the whole server: a misspelled column after
// multi-byte characters is underlined exactly, in UTF-16 columns.
func TestITDiagnostics(t *testing.T) {
	remote := ittest.Remote(t)
	c := startServer(t, testOptions{realDial: true})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })

	const uri = "file:///work/it.sql"
	text := "CREATE TEMPORARY VIEW never_created AS SELECT 1;\nSELECT '😀é', order_idd\nFROM sales.orders;\nSELECT order_id FROM sales.orders;\n"
	c.open(uri, text)
	_, got := c.waitPublished(0, uri, 1)
	var b strings.Builder
	renderPublished(&b, got[len(got)-1], text)
	want := "published v1:\n  1:14-1:23 \"order_idd\" error spark UNRESOLVED_COLUMN.WITH_SUGGESTION: "
	if !strings.HasPrefix(b.String(), want) || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("got\n%s\nwant one diagnostic starting\n%s", b.String(), want)
	}
	// The CREATE was never sent: the view does not exist.
	cl, ok := c.srv.client()
	if !ok {
		t.Fatal("not connected")
	}
	if _, err := cl.Schema(t.Context(), "SELECT * FROM never_created"); err == nil {
		t.Errorf("the CREATE TEMPORARY VIEW statement was run")
	}
	c.exit(true)
}

// A run that creates the table a query names clears that query's
// diagnostic: verdicts kept for unchanged statements are forgotten.
func TestDiagnosticsRecheckedAfterCatalogChange(t *testing.T) {
	fake := connecttest.New(t)
	var mu sync.Mutex
	created := false
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.HasPrefix(stmt, "CREATE TABLE"):
			created = true
			return connecttest.Result{}, nil
		case strings.Contains(stmt, "newt") && !created:
			i := strings.Index(stmt, "newt")
			return connecttest.Result{}, connecttest.SparkErr("TABLE_OR_VIEW_NOT_FOUND", "42P01", "The table or view `newt` cannot be found.", i, i+3)
		case strings.Contains(stmt, "newt"):
			return connecttest.Rows("x int"), nil
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	c := startRunClient(t, fake, runSetup{})
	const query, ddl = "file:///work/query.sql", "file:///work/ddl.sql"
	seen := 0 // every publication so far (none for this document yet)
	c.open(query, "SELECT * FROM newt")
	var got []protocol.PublishDiagnosticsParams
	for len(got) == 0 || len(got[len(got)-1].Diagnostics) == 0 {
		seen, got = c.waitPublished(seen, query, 1)
	}
	c.open(ddl, "CREATE TABLE newt (x INT)")
	if res := c.runCall(newDocument(ddl, "sql", 1, "CREATE TABLE newt (x INT)"), 0, 0); res.Error != nil {
		t.Fatalf("run: %+v", res.Error)
	}
	for {
		seen, got = c.waitPublished(seen, query, 1)
		if len(got[len(got)-1].Diagnostics) == 0 {
			break
		}
	}
}

// TestITDiagnosticsEmbedded: the real Spark's errors land in a notebook's
// %sql cell past "# MAGIC " and in a spark.sql string of Python; the
// Python, the f-string with a hole and the correct SQL get none.
func TestITDiagnosticsEmbedded(t *testing.T) {
	remote := ittest.Remote(t)
	c := startServer(t, testOptions{realDial: true})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })

	for _, tc := range []struct{ uri, text, want string }{
		{"file:///work/it_nb.py",
			"# Databricks notebook source\nx = spark.range(3)\n\n# COMMAND ----------\n\n# MAGIC %sql\n# MAGIC SELECT order_idd\n# MAGIC FROM sales.orders\n",
			`  6:15-6:24 "order_idd" error spark UNRESOLVED_COLUMN.WITH_SUGGESTION`},
		{"file:///work/it_job.py",
			"a = spark.sql(\"SELECT order_id FROM sales.orders\")\nb = spark.sql(f\"SELECT * FROM {t}\")\nc = spark.sql(\"\"\"\n  SELECT amount FROM sales.ordrs\"\"\")\nd = spark.table(\"sales.orders\")\n",
			`  3:21-3:32 "sales.ordrs" error spark TABLE_OR_VIEW_NOT_FOUND`},
	} {
		c.open(tc.uri, tc.text)
		_, got := c.waitPublished(0, protocol.DocumentURI(tc.uri), 1)
		var b strings.Builder
		renderPublished(&b, got[len(got)-1], tc.text)
		if !strings.Contains(b.String(), tc.want) || strings.Count(b.String(), "\n") != 2 {
			t.Errorf("%s: got\n%s\nwant one diagnostic\n%s", tc.uri, b.String(), tc.want)
		}
	}
	c.exit(true)
}

// Diagnostics analyse on a copy of the user's session where the server has
// CloneSession (4.1+): the user's session sees only the runs; a run that
// sent anything but a query makes the copy stale and the next analysis
// copies the session again. A 4.0 server answers UNIMPLEMENTED once, and
// analysis shares the session.
func TestAnalysisOnSessionCopy(t *testing.T) {
	for _, tc := range []struct {
		version string
		clones  int // CloneSession calls: at connect, and after the DDL run
		copied  bool
	}{{"4.1.4", 2, true}, {"4.0.1", 1, false}} {
		t.Run(tc.version, func(t *testing.T) {
			fake := connecttest.New(t)
			fake.Version = tc.version
			fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
				switch {
				case strings.HasPrefix(stmt, "CREATE TABLE"):
					return connecttest.Result{}, nil
				case strings.Contains(stmt, "SELECT"):
					return connecttest.Rows("x int"), nil
				}
				return connecttest.Result{}, connecttest.ErrNotHandled
			})
			c := startRunClient(t, fake, runSetup{})
			const query, ddl = "file:///work/query.sql", "file:///work/ddl.sql"
			seen := 0
			c.open(query, "SELECT x FROM t")
			seen, _ = c.waitPublished(seen, query, 1)
			c.open(ddl, "CREATE TABLE newt (x INT)")
			if res := c.runCall(newDocument(ddl, "sql", 1, "CREATE TABLE newt (x INT)"), 0, 0); res.Error != nil {
				t.Fatalf("run: %+v", res.Error)
			}
			c.waitPublished(seen, query, 1) // rechecked after the catalog change
			var user string                 // the session of the run
			for _, call := range fake.Requests("ExecutePlan") {
				m := call.Request.ProtoReflect()
				if tags := m.Get(m.Descriptor().Fields().ByName("tags")).List(); tags.Len() > 1 && strings.HasPrefix(tags.Get(1).String(), "sparkls-run-") {
					user = field(call, "session_id")
				}
			}
			var analysed []string
			for _, call := range fake.Requests("AnalyzePlan") {
				if m := call.Request.ProtoReflect(); m.Has(m.Descriptor().Fields().ByName("schema")) {
					analysed = append(analysed, field(call, "session_id"))
				}
			}
			if len(analysed) < 2 {
				t.Fatalf("%d analyses", len(analysed))
			}
			for _, sid := range analysed {
				if (sid != user) != tc.copied {
					t.Errorf("analysis on session %s, the user's is %s; want a copy: %t", sid, user, tc.copied)
				}
			}
			if n := fake.Calls("CloneSession"); n != tc.clones {
				t.Errorf("CloneSession called %d times, want %d", n, tc.clones)
			}
		})
	}
}

// field is a string field of a recorded request.
func field(call connecttest.Call, name protoreflect.Name) string {
	m := call.Request.ProtoReflect()
	return m.Get(m.Descriptor().Fields().ByName(name)).String()
}
