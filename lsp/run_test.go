package lsp

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/internal/fixture"
	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/lsp/lsptest"
	"github.com/sparkls/sparkls/sqltext"
)

const runURI = "file:///work/run.sql"

// newRunFake is the Spark the run tests talk to: a sales.orders table
// (with a NULL, a '|' and a long cell), a column "nope" that never
// resolves, SELECT 1, endless range(...) results and EXPLAIN.
func newRunFake(t testing.TB) *connecttest.Server {
	fake := connecttest.New(t)
	fake.AddTable("sales.orders", connecttest.Rows("order_id bigint, status string, amount decimal(10,2), note string",
		[]any{1001, "shipped", "12.50", nil},
		[]any{1002, "a|b", "7.00", "*bold* <b>"},
		[]any{1003, "pending", "0.99", strings.Repeat("long ", 30)},
	))
	fake.HandleSQL(runFakeSQL)
	return fake
}

// runFakeSQL is how newRunFake answers statements.
func runFakeSQL(stmt string) (connecttest.Result, error) {
	if i := strings.Index(stmt, "nope"); i >= 0 {
		return connecttest.Result{}, connecttest.SparkErr("UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703",
			"A column, variable, or function parameter with name `nope` cannot be resolved. Did you mean one of the following? [`order_id`, `status`].",
			i, i+len("nope")-1)
	}
	u := strings.ToUpper(stmt)
	switch {
	case u == "SELECT 1":
		return connecttest.Rows("1 int", []any{1}), nil
	case strings.HasPrefix(u, "SELECT * FROM RANGE("):
		return connecttest.Range(), nil
	case strings.HasPrefix(u, "EXPLAIN "):
		return connecttest.Rows("plan string", []any{"== Physical Plan ==\nExecute " + stmt[len("EXPLAIN "):]}), nil
	}
	return connecttest.Result{}, connecttest.ErrNotHandled
}

// runSetup configures startRunClient.
type runSetup struct {
	settings map[string]any // over {"remote": fakeRemote}
	caps     map[string]any // the client's capabilities
	answer   func(method string, params json.RawMessage) any
	remote   string // a real server instead of the fake
}

// startRunClient starts a server connected to fake (or to setup.remote)
// and waits until it is.
func startRunClient(t testing.TB, fake *connecttest.Server, setup runSetup) *testClient {
	t.Helper()
	to := testOptions{realDial: true, answer: setup.answer}
	remote := setup.remote
	if fake != nil {
		remote = fakeRemote
		to.opts.Connect = connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 5 * time.Second}
	}
	c := startServer(t, to)
	settings := map[string]any{"remote": remote}
	maps.Copy(settings, setup.settings)
	caps := setup.caps
	if caps == nil {
		caps = map[string]any{}
	}
	c.callOK(protocol.MethodInitialize, map[string]any{
		"processId": nil, "rootUri": nil, "capabilities": caps,
		"initializationOptions": map[string]any{"sparkls": settings},
	}, nil)
	c.notify(protocol.MethodInitialized, map[string]any{})
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	return c
}

// runParams is the executeCommand params of a command with one argument.
func runParams(command string, arg any) map[string]any {
	return map[string]any{"command": command, "arguments": []any{arg}}
}

// runCall runs sparkls.run over [start, end) of doc and decodes the result.
func (c *testClient) runCall(doc *Document, start, end int) RunResult {
	c.t.Helper()
	var res RunResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: doc.URI, Range: doc.Range(start, end)}), &res)
	if res.QueryID == "" {
		c.t.Errorf("run result without a queryId: %+v", res)
	}
	return res
}

// runStarted waits for the sparkls/runStarted notification number n (from 1).
func (c *testClient) runStarted(n int) RunStarted {
	c.t.Helper()
	eventually(c.t, fmt.Sprintf("sparkls/runStarted #%d", n), func() bool { return len(c.notesOf(NotifyRunStarted)) >= n })
	var rs RunStarted
	if err := json.Unmarshal(c.notesOf(NotifyRunStarted)[n-1], &rs); err != nil {
		c.t.Fatal(err)
	}
	return rs
}

func (c *testClient) lenses(uri protocol.DocumentURI) []protocol.CodeLens {
	c.t.Helper()
	var lenses []protocol.CodeLens
	c.callOK(protocol.MethodTextDocumentCodeLens, map[string]any{"textDocument": map[string]any{"uri": uri}}, &lenses)
	return lenses
}

func (c *testClient) hover(uri protocol.DocumentURI, pos protocol.Position) *protocol.Hover {
	c.t.Helper()
	var h *protocol.Hover
	c.callOK(protocol.MethodTextDocumentHover, map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos}, &h)
	return h
}

// runOps counts the ExecutePlan calls that sparkls.run made (tagged
// sparkls-run-<queryId>), as opposed to analysis and catalog calls.
func runOps(fake *connecttest.Server) int {
	n := 0
	for _, call := range fake.Requests("ExecutePlan") {
		m := call.Request.ProtoReflect()
		tags := m.Get(m.Descriptor().Fields().ByName("tags")).List()
		for i := range tags.Len() {
			if strings.HasPrefix(tags.Get(i).String(), "sparkls-run-") {
				n++
				break
			}
		}
	}
	return n
}

// eventually polls cond until it holds or the test times out.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %v", what, testTimeout)
		}
		<-time.After(5 * time.Millisecond)
	}
}

// ---------------------------------------------------------------------------
// Fixtures.

// TestRunFixtures runs one scenario per testdata/run/*.txt file, end to end
// over the pipe against the fake Spark. A fixture is in txtar form: a
// comment, then sections:
//
//	settings   the editor's sparkls settings as JSON (optional)
//	input.sql  the document; $0 is the cursor, or $0 and $1 a selection
//	want       the transcript, which go test -update rewrites: the
//	           sparkls.run result, the code lenses and hovers after it,
//	           the run diagnostics, and what Spark executed
func TestRunFixtures(t *testing.T) {
	fixture.Run(t, "testdata/run", checkRun)
}

// elapsedRE matches the durations of run summaries, which vary.
var elapsedRE = regexp.MustCompile(`(?:\d+ min )?\d+(?:\.\d+)? s([^A-Za-z]|$)`)

// checkRun is the only code that drives a run fixture.
func checkRun(t *testing.T, path string) {
	ar := fixture.Read(t, path)
	uri := protocol.DocumentURI(runURI)
	input, ok := ar.File("input.sql")
	if py, isPy := ar.File("input.py"); isPy {
		input, ok, uri = py, true, "file:///work/run.py" // a Databricks notebook in Python
	}
	if !ok {
		t.Fatalf("%s: no input.sql", path)
	}
	before, after, ok := strings.Cut(input, "$0")
	if !ok {
		t.Fatalf("%s: no $0 in input.sql", path)
	}
	text, start, end := before+after, len(before), len(before)
	if sel, rest, ok := strings.Cut(after, "$1"); ok {
		text, end = before+sel+rest, len(before)+len(sel)
	}
	setup := runSetup{}
	if s, ok := ar.File("settings"); ok {
		if err := json.Unmarshal([]byte(s), &setup.settings); err != nil {
			t.Fatalf("%s: settings: %v", path, err)
		}
	}
	fake := newRunFake(t)
	c := startRunClient(t, fake, setup)
	c.open(string(uri), text)
	doc := newDocument(uri, languageOf(string(uri)), 1, text)

	var b strings.Builder
	pos := func(p protocol.Position) string { return fmt.Sprintf("%d:%d", p.Line, p.Character) }
	span := func(r protocol.Range) string { return pos(r.Start) + "-" + pos(r.End) }
	indent := func(s string) string {
		return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
	}

	m := c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: uri, Range: doc.Range(start, end)}))
	if m.Error != nil {
		fmt.Fprintf(&b, "error %d: %s\n", m.Error.Code, m.Error.Message)
	} else {
		var res RunResult
		if err := json.Unmarshal(m.Result, &res); err != nil {
			t.Fatal(err)
		}
		if res.QueryID == "" {
			t.Errorf("no queryId")
		}
		fmt.Fprintf(&b, "statement %s: %q\n", span(res.Range), res.Statement)
		var cols []string
		for _, c := range res.Columns {
			cols = append(cols, c.Name+" "+c.Type)
		}
		fmt.Fprintf(&b, "columns: %s\n", strings.Join(cols, ", "))
		fmt.Fprintf(&b, "rowCount: %d, truncated: %t\n", res.RowCount, res.Truncated)
		for _, row := range res.Rows {
			var j strings.Builder
			enc := json.NewEncoder(&j)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(row)
			fmt.Fprintf(&b, "  %s", j.String())
		}
		if e := res.Error; e != nil {
			at := "nowhere"
			if e.Range != nil {
				at = span(*e.Range)
			}
			fmt.Fprintf(&b, "error: %s (%s) at %s\n%s", e.ErrorClass, e.SQLState, at, indent(e.Message))
		}
		b.WriteString("markdown:\n" + indent(res.Markdown))
	}

	b.WriteString("lenses:\n")
	for _, l := range c.lenses(uri) {
		arg := ""
		if len(l.Command.Arguments) > 0 {
			j, _ := json.Marshal(l.Command.Arguments[0])
			arg = " " + string(j)
		}
		fmt.Fprintf(&b, "  %s %s %s%s\n", span(l.Range), l.Command.Title, l.Command.Command, arg)
	}
	for _, st := range runStatements(text) {
		p := doc.Position(st.End - len(statementKey(st.Text)))
		if h := c.hover(uri, p); h != nil {
			fmt.Fprintf(&b, "hover %s (%s):\n%s", pos(p), span(*h.Range), indent(h.Contents.Value))
		}
	}
	if cur, ok := c.srv.docs.load()[uri]; ok {
		for _, d := range c.srv.runDiagnostics(cur) {
			fmt.Fprintf(&b, "diagnostic %s %s %v: %s\n", span(d.Range), d.Source, d.Code, d.Message)
		}
	}
	var executed []string
	for _, s := range fake.Executed() {
		if s != "SHOW CURRENT NAMESPACE" { // diagnostics.go's cache key
			executed = append(executed, s)
		}
	}
	fmt.Fprintf(&b, "executed: %q\nrun operations: %d\n", executed, runOps(fake))
	got := elapsedRE.ReplaceAllString(b.String(), "‹t›$1")

	if strings.Contains(c.log.String(), "panic") {
		t.Errorf("the server panicked:\n%s", c.log.String())
	}
	ar.Want(t, got)
}

// ---------------------------------------------------------------------------
// Pure units.

func TestRefusedReadOnly(t *testing.T) {
	for stmt, want := range map[string]bool{
		"SELECT 1":                              false,
		"WITH a AS (SELECT 1) SELECT * FROM a":  false,
		"SELEC 1":                               false, // Unknown: Spark's parser decides
		"/* ${x} */ SELECT 1":                   false,
		"SHOW TABLES":                           true,
		"DESCRIBE sales.orders":                 true,
		"USE sales":                             true,
		"SET x = 1":                             true,
		"ADD JAR /tmp/x.jar":                    true,
		"CREATE TEMP VIEW v AS SELECT 1":        true,
		"DROP TABLE sales.orders":               true,
		"/* /*+ */ DROP TABLE t -- */ SELECT 1": true,
		"WITH a AS (SELECT 1) INSERT INTO t ..": true,
		"EXECUTE IMMEDIATE 'DROP TABLE t'":      true,
		"CALL sys.proc()":                       true,
	} {
		if got := refusedReadOnly(stmt); got != want {
			t.Errorf("refusedReadOnly(%q) = %t, want %t", stmt, got, want)
		}
	}
}

// ---------------------------------------------------------------------------
// End to end against the fake.

// Progress on the client's token: begin with the queryId, a report per
// statement and Spark's task counts, end with the outcome.
func TestRunProgressOnClientToken(t *testing.T) {
	fake := newRunFake(t)
	fake.Progress = true
	c := startRunClient(t, fake, runSetup{})
	c.open(runURI, "SELECT 1;\nSELECT * FROM sales.orders")
	params := runParams(CommandRun, map[string]any{"uri": runURI, "range": protocol.Range{End: protocol.Position{Line: 1, Character: 26}}})
	params["workDoneToken"] = "tok-1"
	var res RunResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, params, &res)

	var kinds, messages []string
	for _, n := range c.Notes() {
		if n.Method != protocol.MethodProgress {
			continue
		}
		var p struct {
			Token any `json:"token"`
			Value struct {
				Kind, Title, Message string
				Percentage           uint32
			} `json:"value"`
		}
		_ = json.Unmarshal(n.Params, &p)
		if p.Token != "tok-1" {
			t.Errorf("progress on token %v", p.Token)
		}
		kinds = append(kinds, p.Value.Kind)
		messages = append(messages, p.Value.Message)
		if p.Value.Kind == "begin" && p.Value.Title != "Spark: running" {
			t.Errorf("begin title %q", p.Value.Title)
		}
	}
	if len(kinds) < 3 || kinds[0] != "begin" || kinds[len(kinds)-1] != "end" || slices.Index(kinds[1:], "begin") >= 0 {
		t.Fatalf("progress kinds %q", kinds)
	}
	all := strings.Join(messages, "\n")
	for _, want := range []string{"queryId=" + res.QueryID, "statement 1 of 2", "statement 2 of 2", "1/1 tasks", "✓ 3 rows"} {
		if !strings.Contains(all, want) {
			t.Errorf("progress messages lack %q:\n%s", want, all)
		}
	}
	if res.Statement != "SELECT * FROM sales.orders" || res.RowCount != 3 {
		t.Errorf("result %+v", res)
	}
}

// Without a client token, the server creates one where the client supports
// it, and the client's cancel button on it cancels the run.
func TestRunProgressOnServerToken(t *testing.T) {
	fake := newRunFake(t)
	fake.BatchRows = 1
	fake.SetLatency(100 * time.Millisecond)
	created := make(chan string, 1)
	c := startRunClient(t, fake, runSetup{
		caps: map[string]any{"window": map[string]any{"workDoneProgress": true}},
		answer: func(method string, params json.RawMessage) any {
			if method == protocol.MethodWorkDoneProgressCreate {
				var p struct{ Token string }
				_ = json.Unmarshal(params, &p)
				created <- p.Token
			}
			return nil
		},
	})
	c.open(runURI, "SELECT * FROM range(1000000000) r")
	_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
	started := c.runStarted(1)
	var token string
	select {
	case token = <-created:
	case <-time.After(testTimeout):
		t.Fatal("no window/workDoneProgress/create")
	}
	if token != "sparkls-run-"+started.QueryID {
		t.Errorf("token %q for query %s", token, started.QueryID)
	}
	c.waitNote(protocol.MethodProgress, func(p json.RawMessage) bool {
		return strings.Contains(string(p), token) && strings.Contains(string(p), `"begin"`) && strings.Contains(string(p), "queryId="+started.QueryID)
	})
	eventually(t, "the run reaching Spark", func() bool { return runOps(fake) > 0 })
	c.notify(protocol.MethodWorkDoneProgressCancel, map[string]any{"token": token})
	m := c.wait(ch, "the cancelled run")
	var res RunResult
	if err := json.Unmarshal(m.Result, &res); err != nil || res.Error == nil || res.Error.ErrorClass != ClassCancelled {
		t.Fatalf("run answered %s %v", m.Result, m.Error)
	}
	c.waitNote(protocol.MethodProgress, func(p json.RawMessage) bool {
		return strings.Contains(string(p), token) && strings.Contains(string(p), `"end"`) && strings.Contains(string(p), "cancelled")
	})
	if len(fake.Interrupted()) == 0 {
		t.Errorf("nothing was interrupted on Spark")
	}
}

// slowFake makes every range(...) query take minutes: one row per batch,
// each batch late.
func slowFake(t testing.TB) *connecttest.Server {
	fake := newRunFake(t)
	fake.BatchRows = 1
	fake.SetLatency(200 * time.Millisecond)
	return fake
}

// $/cancelRequest on a running sparkls.run interrupts the operation on
// Spark and answers RequestCancelled within seconds; the lens says so.
func TestRunCancelRequest(t *testing.T) {
	fake := slowFake(t)
	c := startRunClient(t, fake, runSetup{})
	c.open(runURI, "SELECT * FROM range(1000000000) r")
	id, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
	c.runStarted(1)
	eventually(t, "the run reaching Spark", func() bool { return runOps(fake) > 0 })
	begin := time.Now()
	c.notify(protocol.MethodCancelRequest, map[string]any{"id": id})
	m := c.wait(ch, "the cancelled run")
	if errCode(m) != int(protocol.CodeRequestCancelled) {
		t.Errorf("answer %s %+v, want RequestCancelled", m.Result, m.Error)
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("cancel took %v", took)
	}
	if len(fake.Interrupted()) == 0 {
		t.Errorf("nothing was interrupted on Spark")
	}
	lenses := c.lenses(runURI)
	if len(lenses) != 2 || lenses[1].Command.Title != "✗ cancelled" {
		t.Errorf("lenses after cancel: %+v", lenses)
	}
}

// sparkls.cancel with the queryId of sparkls/runStarted.
func TestRunCancelCommand(t *testing.T) {
	fake := slowFake(t)
	c := startRunClient(t, fake, runSetup{})
	c.open(runURI, "SELECT * FROM range(1000000000) r")
	_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
	started := c.runStarted(1)
	if started.URI != runURI || started.Range.End.Character != 33 {
		t.Errorf("runStarted %+v", started)
	}
	eventually(t, "the run reaching Spark", func() bool { return runOps(fake) > 0 })
	begin := time.Now()
	var cr CancelResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandCancel, CancelArgs{QueryID: started.QueryID}), &cr)
	if !slices.Equal(cr.QueryIDs, []string{started.QueryID}) {
		t.Errorf("cancel answered %+v", cr)
	}
	m := c.wait(ch, "the cancelled run")
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("cancel took %v", took)
	}
	var res RunResult
	if err := json.Unmarshal(m.Result, &res); err != nil || res.Error == nil || res.Error.ErrorClass != ClassCancelled || res.QueryID != started.QueryID {
		t.Fatalf("run answered %s %+v", m.Result, m.Error)
	}
	if len(fake.Interrupted()) == 0 {
		t.Errorf("nothing was interrupted on Spark")
	}
	// Cancelling what is over is not an error.
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandCancel, CancelArgs{QueryID: started.QueryID}), &cr)
	if len(cr.QueryIDs) != 0 {
		t.Errorf("second cancel answered %+v", cr)
	}
}

// Two runs of two cells are in flight at once; lenses offer to cancel
// each; completion and hover answer at once meanwhile; sparkls.cancelAll
// ends both and interrupts the whole session.
func TestRunConcurrentThenCancelAll(t *testing.T) {
	fake := slowFake(t)
	c := startRunClient(t, fake, runSetup{})
	text := "SELECT * FROM range(1000000000) a;\nSELECT * FROM range(1000000000) b;\nSELECT 1"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	_, ch1 := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI, Range: doc.Range(0, 0)}))
	_, ch2 := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI, Range: doc.Range(40, 40)}))
	a, b := c.runStarted(1), c.runStarted(2)
	eventually(t, "both runs reaching Spark", func() bool { return runOps(fake) >= 2 })

	begin := time.Now()
	list := c.complete(runURI, 2, 3)
	c.hover(runURI, protocol.Position{Line: 2})
	if took := time.Since(begin); took > time.Second {
		t.Errorf("completion and hover took %v while runs were in flight", took)
	}
	if !slices.Contains(labels(list), "SELECT") {
		t.Errorf("completion %v", labels(list))
	}
	var cancels []string
	for _, l := range c.lenses(runURI) {
		if l.Command.Title == lensCancel {
			j, _ := json.Marshal(l.Command.Arguments[0])
			cancels = append(cancels, string(j))
		}
	}
	if len(cancels) != 2 || !strings.Contains(strings.Join(cancels, " "), a.QueryID) || !strings.Contains(strings.Join(cancels, " "), b.QueryID) {
		t.Errorf("cancel lenses %q for %s and %s", cancels, a.QueryID, b.QueryID)
	}

	var cr CancelResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandCancelAll}, &cr)
	slices.Sort(cr.QueryIDs)
	want := []string{a.QueryID, b.QueryID}
	slices.Sort(want)
	if !slices.Equal(cr.QueryIDs, want) {
		t.Errorf("cancelAll answered %+v, want %v", cr, want)
	}
	for _, ch := range []<-chan *lsptest.Message{ch1, ch2} {
		m := c.wait(ch, "a cancelled run")
		if !strings.Contains(string(m.Result), ClassCancelled) {
			t.Errorf("run answered %s %+v", m.Result, m.Error)
		}
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("cancelAll took %v", took)
	}
	// Each operation, then the whole session (in the background).
	eventually(t, "three Interrupt calls", func() bool { return fake.Calls("Interrupt") >= 3 })
}

// Two runs of one document in flight at once: runStarted echoes each
// one's runId and workDoneToken, so that the client cancels the run it
// means, whatever order the notifications come in.
func TestRunStartedEchoesRunID(t *testing.T) {
	fake := slowFake(t)
	c := startRunClient(t, fake, runSetup{})
	text := "SELECT * FROM range(1000000000) a;\nSELECT * FROM range(1000000000) b"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	start := func(runID string, off int, token any) <-chan *lsptest.Message {
		p := runParams(CommandRun, RunArgs{URI: runURI, Range: doc.Range(off, off), RunID: runID})
		p["workDoneToken"] = token
		_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, p)
		return ch
	}
	chA := start("run-a", 0, "tok-a")
	chB := start("run-b", 40, 7)
	queryID := map[string]string{}
	for _, n := range []int{1, 2} {
		rs := c.runStarted(n)
		want := map[string]string{"run-a": `"tok-a"`, "run-b": "7"}[rs.RunID]
		if want == "" || string(rs.WorkDoneToken) != want {
			t.Fatalf("runStarted %+v (token %s)", rs, rs.WorkDoneToken)
		}
		queryID[rs.RunID] = rs.QueryID
	}
	eventually(t, "both runs reaching Spark", func() bool { return runOps(fake) >= 2 })
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandCancel, CancelArgs{QueryID: queryID["run-b"]}), nil)
	var res RunResult
	if err := json.Unmarshal(c.wait(chB, "run b").Result, &res); err != nil || res.QueryID != queryID["run-b"] || res.Error == nil || res.Error.ErrorClass != ClassCancelled {
		t.Fatalf("run b answered %+v (%v), want it cancelled", res, err)
	}
	if r := c.srv.runs().running(runURI); len(r) != 1 || r[0].id != queryID["run-a"] {
		t.Errorf("runs in flight after cancelling b: %+v", r)
	}
	c.callOK(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandCancelAll}, nil)
	c.wait(chA, "run a")

	// Without a runId nor a token, runStarted has neither.
	_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI, Range: doc.Range(0, 0)}))
	c.runStarted(3)
	if raw := c.notesOf(NotifyRunStarted)[2]; strings.Contains(string(raw), "runId") || strings.Contains(string(raw), "workDoneToken") {
		t.Errorf("runStarted %s", raw)
	}
	c.callOK(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandCancelAll}, nil)
	c.wait(ch, "run c")
}

// The server dies in the middle of a result: the run answers with a clear
// error (not a hang, not a crash) and the language server goes on.
func TestRunServerDiesMidStream(t *testing.T) {
	fake := newRunFake(t)
	fake.BatchRows = 10
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		r := connecttest.Rows("id bigint")
		r.Infinite, r.Gen = true, func(i int64) []any {
			if i == 10 { // the second batch: from now on nothing answers
				fake.FailNext(1<<20, nil)
			}
			return []any{i}
		}
		return r, nil
	})
	fake.CutStreams(2, nil)
	c := startRunClient(t, fake, runSetup{})
	c.open(runURI, "SELECT * FROM big")
	doc := newDocument(runURI, "sql", 1, "SELECT * FROM big")
	begin := time.Now()
	res := c.runCall(doc, 0, 0)
	if res.Error == nil || res.Error.ErrorClass != "" || !strings.Contains(res.Error.Message, "Spark is unreachable or the connection broke") ||
		!strings.Contains(res.Error.Message, "is the Spark Connect server running") {
		t.Fatalf("result %+v %+v", res, res.Error)
	}
	if took := time.Since(begin); took > 8*time.Second {
		t.Errorf("took %v", took)
	}
	if res.RowCount != 0 || !strings.Contains(res.Markdown, "✗ failed") {
		t.Errorf("result %+v", res)
	}
	if got := c.srv.runDiagnostics(doc); len(got) != 0 {
		t.Errorf("a broken connection marked the text: %+v", got)
	}
	c.complete(runURI, 0, 3) // still serving
}

// A billion-row result costs what a preview costs: the preview stops at
// preview.bytes, and the heap stays small.
func TestRunBillionRowsHeapBounded(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{settings: map[string]any{"preview": map[string]any{"rows": 1000000000, "bytes": 1 << 20}}})
	c.open(runURI, "SELECT * FROM range(1000000000) r")
	doc := newDocument(runURI, "sql", 1, "SELECT * FROM range(1000000000) r")
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := c.runCall(doc, 0, 0)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if !res.Truncated || res.RowCount == 0 || res.RowCount > 1<<20 {
		t.Errorf("rowCount %d truncated %t", res.RowCount, res.Truncated)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<20 {
		t.Errorf("the heap grew by %d MiB", grew>>20)
	}
	if len(res.Markdown) > mdMaxBytes+4096 {
		t.Errorf("markdown of %d bytes", len(res.Markdown))
	}
	t.Logf("%d rows, heap %d → %d MiB", res.RowCount, before.HeapAlloc>>20, after.HeapAlloc>>20)
}

// A failed statement is published as a diagnostic where Spark points; it
// goes when the statement runs again, and when the text changes.
func TestRunErrorDiagnostics(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{})
	text := "SELECT 1;\nSELECT nope FROM sales.orders"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 12, 12)
	want := protocol.Range{Start: protocol.Position{Line: 1, Character: 7}, End: protocol.Position{Line: 1, Character: 11}}
	if res.Error == nil || res.Error.Range == nil || *res.Error.Range != want || !strings.HasPrefix(res.Error.ErrorClass, "UNRESOLVED_COLUMN") {
		t.Fatalf("result %+v", res)
	}
	hasRunError := func(p json.RawMessage) bool {
		var pd protocol.PublishDiagnosticsParams
		_ = json.Unmarshal(p, &pd)
		for _, d := range pd.Diagnostics {
			if d.Range == want && d.Code == res.Error.ErrorClass && pd.Version == 1 {
				return true
			}
		}
		return false
	}
	c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, hasRunError)

	// Running it again (now it works) takes the error away.
	fake.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Rows("nope int", []any{1}), nil })
	before := len(c.notesOf(protocol.MethodTextDocumentPublishDiagnostics))
	if res := c.runCall(doc, 12, 12); res.Error != nil {
		t.Fatalf("second run %+v", res.Error)
	}
	if got := c.srv.runDiagnostics(doc); len(got) != 0 {
		t.Errorf("run diagnostics after a good run: %+v", got)
	}
	pubs := c.notesOf(protocol.MethodTextDocumentPublishDiagnostics)
	if len(pubs) == before || hasRunError(pubs[len(pubs)-1]) {
		t.Errorf("the error was not taken away: %s", pubs[len(pubs)-1])
	}

	// It fails again; an edit ends the error.
	fake.HandleSQL(runFakeSQL)
	if res := c.runCall(doc, 12, 12); res.Error == nil || len(c.srv.runDiagnostics(doc)) != 1 {
		t.Fatalf("third run %+v, run diagnostics %+v", res, c.srv.runDiagnostics(doc))
	}
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": runURI, "version": 2},
		"contentChanges": []map[string]any{{"text": text + " "}},
	})
	c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(p json.RawMessage) bool {
		var pd protocol.PublishDiagnosticsParams
		_ = json.Unmarshal(p, &pd)
		return pd.Version == 2 // diagnostics.go, after the edit
	})
	if got := c.srv.runDiagnostics(c.srv.docs.load()[runURI]); len(got) != 0 {
		t.Errorf("run diagnostics after an edit: %+v", got)
	}
}

// A statement whose run fails as its analysis did is listed once, whether
// the run or the analysis publishes last.
func TestRunErrorNotDuplicated(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{})
	text := "SELECT nope FROM sales.orders;"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	errorsIn := func(p json.RawMessage) []protocol.Diagnostic {
		var pd protocol.PublishDiagnosticsParams
		_ = json.Unmarshal(p, &pd)
		return slices.DeleteFunc(pd.Diagnostics, func(d protocol.Diagnostic) bool {
			code, _ := d.Code.(string)
			return !strings.HasPrefix(code, "UNRESOLVED_COLUMN")
		})
	}
	c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(p json.RawMessage) bool { return len(errorsIn(p)) > 0 })
	if res := c.runCall(doc, 0, 0); res.Error == nil {
		t.Fatalf("the run did not fail: %+v", res)
	}
	if got := c.srv.runDiagnostics(doc); len(got) != 1 {
		t.Fatalf("run diagnostics %+v", got)
	}
	pubs := c.notesOf(protocol.MethodTextDocumentPublishDiagnostics)
	if got := errorsIn(pubs[len(pubs)-1]); len(got) != 1 {
		t.Errorf("after the run: %d diagnostics for one error: %+v", len(got), got)
	}
	// The analysis publishes again (a new connection, a catalog change).
	n := len(pubs)
	c.srv.diags.recheckAll()
	eventually(t, "a new analysis", func() bool { return len(c.notesOf(protocol.MethodTextDocumentPublishDiagnostics)) > n })
	pubs = c.notesOf(protocol.MethodTextDocumentPublishDiagnostics)
	if got := errorsIn(pubs[len(pubs)-1]); len(got) != 1 {
		t.Errorf("after a new analysis: %d diagnostics for one error: %+v", len(got), got)
	}
}

func (c *testClient) notesOf(method string) []json.RawMessage {
	var out []json.RawMessage
	for _, n := range c.Notes() {
		if n.Method == method {
			out = append(out, n.Params)
		}
	}
	return out
}

// Lenses and hovers follow the statement after an edit elsewhere, and the
// client is asked to refresh its lenses.
func TestRunLensRefreshAndEdits(t *testing.T) {
	fake := newRunFake(t)
	refreshed := make(chan struct{}, 8)
	c := startRunClient(t, fake, runSetup{
		caps: map[string]any{"workspace": map[string]any{"codeLens": map[string]any{"refreshSupport": true}}},
		answer: func(method string, _ json.RawMessage) any {
			if method == protocol.MethodCodeLensRefresh {
				refreshed <- struct{}{}
			}
			return nil
		},
	})
	text := "SELECT * FROM sales.orders;\nSELECT 1"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	c.runCall(doc, 0, 0)
	select {
	case <-refreshed:
	case <-time.After(testTimeout):
		t.Fatal("no workspace/codeLens/refresh")
	}
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": runURI, "version": 2},
		"contentChanges": []map[string]any{{"range": protocol.Range{}, "text": "-- orders\n\n"}},
	})
	eventually(t, "the edit", func() bool { d, ok := c.srv.docs.load()[runURI]; return ok && d.Version == 2 })
	var titles []string
	for _, l := range c.lenses(runURI) {
		titles = append(titles, fmt.Sprintf("%d %s", l.Range.Start.Line, elapsedRE.ReplaceAllString(l.Command.Title, "‹t›$1")))
	}
	if want := []string{"0 ▶ Run", "0 ✓ 3 rows · ‹t›", "3 ▶ Run"}; !slices.Equal(titles, want) {
		t.Errorf("lenses %q, want %q", titles, want)
	}
	if h := c.hover(runURI, protocol.Position{Line: 2, Character: 3}); h == nil || !strings.Contains(h.Contents.Value, "| 1001 |") {
		t.Errorf("hover after the edit: %+v", h)
	}
	if h := c.hover(runURI, protocol.Position{Line: 0}); h != nil {
		t.Errorf("hover on the comment above: %+v", h)
	}
}

// A run that changes the catalog calls the schema hook; sparkls.run
// without Spark, without an open document or with a bad argument fails
// clearly.
func TestRunHooksAndErrors(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{})
	text := "CREATE OR REPLACE TEMP VIEW v AS SELECT 1;\nUSE sales"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	if res := c.runCall(doc, 0, len(text)); res.Error != nil || res.Statement != "USE sales" || lensTitle(&res) == "" {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(c.log.String(), "a run changed the catalog") {
		t.Errorf("onCatalogChanged was not called:\n%s", c.log.String())
	}
	for _, tc := range []struct {
		params map[string]any
		code   int
		msg    string
	}{
		{runParams(CommandRun, RunArgs{URI: "file:///closed.sql"}), -32602, "is not open"},
		{map[string]any{"command": CommandRun}, -32602, "missing argument"},
		{runParams(CommandRun, map[string]any{"range": protocol.Range{}}), -32602, "needs a uri"},
		{runParams(CommandRun, RunArgs{URI: runURI, Range: doc.Range(len(text), len(text))}), 0, ""},
		{map[string]any{"command": "sparkls.frobnicate"}, -32602, "unknown command"},
		{runParams(CommandCancel, map[string]any{}), -32602, "needs a queryId"},
	} {
		m := c.call(protocol.MethodWorkspaceExecuteCommand, tc.params)
		if errCode(m) != tc.code || (m.Error != nil && !strings.Contains(m.Error.Message, tc.msg)) {
			t.Errorf("%v: %s %+v", tc.params, m.Result, m.Error)
		}
	}
	c.callOK(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandRefreshSchema}, nil)

	// No Spark at all: the run waits connectTimeout, then says why.
	c2 := startServer(t, testOptions{})
	c2.initialize(map[string]any{"connectTimeout": 1}, false)
	c2.open(runURI, "SELECT 1")
	m := c2.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
	if errCode(m) != int(codeRequestFailed) || !strings.Contains(m.Error.Message, "not connected to Spark") {
		t.Errorf("without Spark: %s %+v", m.Result, m.Error)
	}
}

// The commands are advertised.
func TestRunCapabilities(t *testing.T) {
	c := startServer(t, testOptions{})
	res := c.initialize(nil, false)
	if res.Capabilities.ExecuteCommandProvider == nil || !slices.Equal(res.Capabilities.ExecuteCommandProvider.Commands, Commands) ||
		res.Capabilities.CodeLensProvider == nil || res.Capabilities.HoverProvider != true {
		t.Errorf("capabilities %+v", res.Capabilities)
	}
}

// ---------------------------------------------------------------------------
// Against the real server (SPARKLS_IT_REMOTE).

func itRemote(t testing.TB) string {
	r := ittest.Remote(t)
	return r
}

func TestITRunCellAndSelection(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t)})
	text := "-- %% orders\nSELECT order_id, status FROM sales.orders ORDER BY order_id LIMIT 3;\n-- %% two\nSELECT 1 AS a;\nSELECT 2 AS b, NULL AS n\n"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 20, 20)
	if res.Error != nil || res.RowCount != 3 || *res.Rows[0][0] != "1001" || res.Columns[0].Type != "bigint" || res.Truncated {
		t.Fatalf("cell: %+v %+v", res, res.Error)
	}
	sel := strings.Index(text, "SELECT 1")
	res = c.runCall(doc, sel, len(text))
	if res.Error != nil || res.Statement != "SELECT 2 AS b, NULL AS n" || *res.Rows[0][0] != "2" || res.Rows[0][1] != nil {
		t.Fatalf("selection: %+v %+v", res, res.Error)
	}
	if h := c.hover(runURI, doc.Position(sel)); h == nil || !strings.Contains(h.Contents.Value, "| 1 |") {
		t.Errorf("hover on the first statement of the selection: %+v", h)
	}
}

func TestITRunSessionPersists(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t)})
	text := "CREATE OR REPLACE TEMPORARY VIEW sparkls_it_v AS SELECT 42 AS answer;\nSELECT answer FROM sparkls_it_v;\nUSE sales;\nSELECT count(*) AS n FROM orders"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	var offs []int
	for _, st := range sqltext.SplitStatements(text) {
		offs = append(offs, st.Start)
	}
	if res := c.runCall(doc, offs[0], offs[0]); res.Error != nil {
		t.Fatalf("DDL: %+v", res.Error)
	}
	if res := c.runCall(doc, offs[1], offs[1]); res.Error != nil || *res.Rows[0][0] != "42" {
		t.Fatalf("temp view in a later run: %+v %+v", res, res.Error)
	}
	if res := c.runCall(doc, offs[2], offs[2]); res.Error != nil {
		t.Fatalf("USE: %+v", res.Error)
	}
	if res := c.runCall(doc, offs[3], offs[3]); res.Error != nil || res.RowCount != 1 {
		t.Fatalf("after USE: %+v %+v", res, res.Error)
	}
	if !strings.Contains(c.log.String(), "a run changed the catalog") {
		t.Errorf("onCatalogChanged was not called")
	}
}

func TestITRunCancelLongQuery(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t), caps: map[string]any{"window": map[string]any{"workDoneProgress": true}}})
	text := "SELECT count(*) FROM range(100000000) a CROSS JOIN range(100000) b WHERE a.id + b.id < 0"
	c.open(runURI, text)
	for _, how := range []string{"sparkls.cancel", "$/cancelRequest"} {
		t.Run(how, func(t *testing.T) {
			n := len(c.notesOf(NotifyRunStarted)) + 1
			id, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
			started := c.runStarted(n)
			// Cancel once Spark streams progress with tasks: the job runs on
			// the executors (a fixed wait raced with Spark's 2 s progress interval).
			// 3.5 streams no progress: cancel a while after the statement began.
			tasks := " tasks"
			if !ittest.AtLeast(t, "4.0") {
				tasks = "statement 1 of 1"
			}
			c.waitNote(protocol.MethodProgress, func(p json.RawMessage) bool {
				return strings.Contains(string(p), "sparkls-run-"+started.QueryID) && strings.Contains(string(p), tasks)
			})
			if !ittest.AtLeast(t, "4.0") {
				<-time.After(3 * time.Second)
			}
			begin := time.Now()
			if how == "sparkls.cancel" {
				c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandCancel, CancelArgs{QueryID: started.QueryID}), nil)
			} else {
				c.notify(protocol.MethodCancelRequest, map[string]any{"id": id})
			}
			m := c.wait(ch, "the cancelled run")
			if took := time.Since(begin); took > 10*time.Second {
				t.Errorf("cancel took %v", took)
			}
			if how == "sparkls.cancel" && !strings.Contains(string(m.Result), ClassCancelled) {
				t.Errorf("answer %s %+v", m.Result, m.Error)
			}
			if how != "sparkls.cancel" && errCode(m) != int(protocol.CodeRequestCancelled) {
				t.Errorf("answer %s %+v", m.Result, m.Error)
			}
		})
	}
	// The session still works.
	c.open("file:///work/after.sql", "SELECT 1")
	doc := newDocument("file:///work/after.sql", "sql", 1, "SELECT 1")
	if res := c.runCall(doc, 0, 0); res.Error != nil {
		t.Errorf("after cancel: %+v", res.Error)
	}
}

func TestITRunErrorDiagnostic(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t)})
	text := "SELECT 1;\nSELECT nope FROM sales.orders"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 15, 15)
	want := protocol.Range{Start: protocol.Position{Line: 1, Character: 7}, End: protocol.Position{Line: 1, Character: 11}}
	state := "42703"
	if !ittest.AtLeast(t, "4.0") {
		state = "" // 3.5 sends no SQLSTATE
	}
	if res.Error == nil || !strings.HasPrefix(res.Error.ErrorClass, "UNRESOLVED_COLUMN") || res.Error.Range == nil || *res.Error.Range != want || res.Error.SQLState != state {
		t.Fatalf("result %+v %+v", res, res.Error)
	}
	c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(p json.RawMessage) bool {
		var pd protocol.PublishDiagnosticsParams
		_ = json.Unmarshal(p, &pd)
		return slices.ContainsFunc(pd.Diagnostics, func(d protocol.Diagnostic) bool { return d.Range == want && d.Code == res.Error.ErrorClass })
	})
	// The plan Spark appends is apart, and so is the envelope's position.
	// (Spark 3.5's plan is dropped by connect: no plan to fold there.)
	wantPlan := ittest.AtLeast(t, "4.0")
	if m := res.Error.Message; strings.Contains(m, "\n") || strings.Contains(m, "line 2") || strings.Contains(res.Error.Plan, "Project") != wantPlan {
		t.Errorf("message %q, plan %q", m, res.Error.Plan)
	}
	if got := c.lenses(runURI); len(got) != 3 || got[2].Command.Title != "✗ "+res.Error.ErrorClass {
		t.Errorf("lenses %+v", got)
	}

	// Spark counts code points; the editor UTF-16 units.
	const emoji = "file:///work/emoji.sql"
	text = "SELECT '😀é' AS x,\n  nope FROM sales.orders"
	c.open(emoji, text)
	doc = newDocument(emoji, "sql", 1, text)
	res = c.runCall(doc, 0, 0)
	i := strings.Index(text, "nope")
	if want := doc.Range(i, i+4); res.Error == nil || res.Error.Range == nil || *res.Error.Range != want {
		t.Errorf("error range %+v, want %+v", res.Error, want)
	}
}

func TestITRunReadOnly(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t), settings: map[string]any{"readOnly": true}})
	text := "DROP TABLE sales.orders;\nSELECT count(*) FROM sales.orders"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 0, len(text))
	if res.Error == nil || res.Error.ErrorClass != ClassReadOnly || res.Statement != "DROP TABLE sales.orders" {
		t.Fatalf("result %+v %+v", res, res.Error)
	}
	sel := strings.Index(text, "SELECT")
	if res := c.runCall(doc, sel, sel); res.Error != nil || res.RowCount != 1 || *res.Rows[0][0] == "0" {
		t.Errorf("the table is gone or the query was refused: %+v %+v", res, res.Error)
	}
	// What the guess lets through, Spark's parser and the plan check stop.
	for _, tc := range []struct{ text, class string }{
		{"SELECT TRANSFORM(order_id) USING 'cat' AS (x) FROM sales.orders", ClassReadOnly},
		{"SELECT java_method('java.lang.System', 'exit', 0)", ClassReadOnly},
		{"SELECT reflect('java.lang.Thread', 'sleep', 1L)", ClassReadOnly},
		{"SELECT 1 FROM sales.orders WHERE ${system:line.separator} DROP TABLE sales.orders", "PARSE_SYNTAX_ERROR"},
	} {
		uri := protocol.DocumentURI(fmt.Sprintf("file:///tmp/readonly%d.sql", len(tc.text)))
		c.open(string(uri), tc.text)
		doc := newDocument(uri, "sql", 1, tc.text)
		res := c.runCall(doc, 0, len(tc.text))
		if res.Error == nil || res.Error.ErrorClass != tc.class {
			t.Errorf("%q: result %+v %+v, want %s", tc.text, res, res.Error, tc.class)
		}
	}
}

// BenchmarkRunSelect1 is one sparkls.run of SELECT 1 over the pipe against
// the real server: the editor's round trip.
func BenchmarkRunSelect1(b *testing.B) {
	c := startRunClient(b, nil, runSetup{remote: itRemote(b)})
	c.open(runURI, "SELECT 1")
	doc := newDocument(runURI, "sql", 1, "SELECT 1")
	for range 5 {
		c.runCall(doc, 0, 0)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		begin := time.Now()
		if res := c.runCall(doc, 0, 0); res.Error != nil {
			b.Fatal(res.Error.Message)
		}
		lat = append(lat, time.Since(begin))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
}

// A document closed and opened again (editors restart at version 1) shows
// none of the run errors or analysis diagnostics of its earlier life: they
// were about another text.
func TestRunDiagnosticsForgottenOnClose(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{})
	text := "SELECT 1;\nSELECT nope FROM sales.orders"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	if res := c.runCall(doc, 12, 12); res.Error == nil {
		t.Fatalf("result %+v", res)
	}
	if len(c.srv.runDiagnostics(doc)) != 1 {
		t.Fatalf("run diagnostics %+v", c.srv.runDiagnostics(doc))
	}
	c.notify(protocol.MethodTextDocumentDidClose, map[string]any{"textDocument": map[string]any{"uri": runURI}})
	c.open(runURI, "SELECT 1")
	c.lenses(runURI) // the notifications before it are handled
	reopened := c.srv.docs.load()[runURI]
	if got := c.srv.runDiagnostics(reopened); len(got) != 0 {
		t.Errorf("run diagnostics of the closed document came back: %+v", got)
	}
	c.srv.runState.mu.Lock()
	d := c.srv.runState.docs[runURI]
	stale := d != nil && (len(d.diags) > 0 || len(d.analysis) > 0)
	c.srv.runState.mu.Unlock()
	if stale {
		t.Errorf("run state of the closed document kept: %+v", d)
	}
}

func TestBindParams(t *testing.T) {
	p, err := bindParams(map[string]json.RawMessage{"who": json.RawMessage(`"x'y"`), ":n": json.RawMessage(`3`),
		"2": json.RawMessage(`true`), "1": json.RawMessage(`1.50`)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Named["who"] != "'x'y'" || p.Named["n"] != "3" || !slices.Equal(p.Positional, []string{"1.50", "true"}) {
		t.Errorf("got %+v", p)
	}
	if _, err := bindParams(map[string]json.RawMessage{"2": json.RawMessage(`1`)}); err == nil {
		t.Error("a gap in the positions is not an error")
	}
	if _, err := bindParams(map[string]json.RawMessage{"a": json.RawMessage(`[1]`)}); err == nil {
		t.Error("an array is not an error")
	}
}

// Parameters of a run go to Spark as arguments, named for :name and by
// position for ?, across the statements of a selection.
func TestITRunParams(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t)})
	text := "SELECT ? AS a;\nSELECT ? AS b, typeof(?) AS t, :who AS who\n"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	var res RunResult
	args := RunArgs{URI: doc.URI, Range: doc.Range(0, strings.Index(text, "\nSELECT ? AS b")), Params: map[string]json.RawMessage{
		"who": json.RawMessage(`"x' OR 1=1 --"`), "1": json.RawMessage(`5`), "2": json.RawMessage(`1.5`), "3": json.RawMessage(`"z"`)}}
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, args), &res)
	if res.Error != nil || *res.Rows[0][0] != "5" {
		t.Fatalf("one statement: %+v %+v", res, res.Error)
	}
	// Spark takes named or positional arguments, not both: the mixed second
	// statement fails, as it would in PySpark. Spark 4.1 names the mistake;
	// before, the markers of the kind not bound were reported unbound.
	args.Range = doc.Range(strings.Index(text, "SELECT ? AS b"), len(text))
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, args), &res)
	mixed := "UNBOUND_SQL_PARAMETER"
	if ittest.AtLeast(t, "4.1") {
		mixed = "INVALID_QUERY_MIXED_QUERY_PARAMETERS"
	}
	if res.Error == nil || res.Error.ErrorClass != mixed {
		t.Errorf("mixed markers: %+v %+v", res, res.Error)
	}
	text2 := "SELECT :who AS who;\nSELECT ? AS b, typeof(?) AS t\n"
	const uri2 = "file:///work/params2.sql"
	c.open(uri2, text2)
	doc = newDocument(uri2, "sql", 1, text2)
	args.URI, args.Range = doc.URI, doc.Range(0, len(text2))
	c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, args), &res)
	if res.Error != nil || *res.Rows[0][0] != "5" || *res.Rows[0][1] != "decimal(2,1)" {
		t.Fatalf("selection: %+v %+v", res, res.Error)
	}
}

// A statement with parameter markers is no error for diagnostics: its
// values come with the run.
func TestITDiagnosticsParams(t *testing.T) {
	remote := ittest.Remote(t)
	c := startServer(t, testOptions{realDial: true})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	const uri = "file:///work/params.sql"
	text := "SELECT order_id FROM sales.orders WHERE amount > :min LIMIT 3;\nSELECT order_id FROM sales.orders WHERE status = ?;\nSELECT order_idd FROM sales.orders;\n"
	c.open(uri, text)
	_, got := c.waitPublished(0, uri, 1)
	var b strings.Builder
	renderPublished(&b, got[len(got)-1], text)
	if want := "published v1:\n  2:7-2:16 \"order_idd\" error spark UNRESOLVED_COLUMN"; !strings.HasPrefix(b.String(), want) || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("got\n%s\nwant only the misspelled column", b.String())
	}
	c.exit(true)
}
