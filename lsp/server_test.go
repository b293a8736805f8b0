package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/lsp/lsptest"
)

const docURI = "file:///tmp/q.sql"

// testRoutes adds test-only methods: a request that blocks until cancelled
// (it reports its tag on started), one that panics, one that fails, and
// two that show the snapshot a request sees.
func testRoutes(started chan<- string) func(*Server) {
	return func(s *Server) {
		s.handle("test/slow", request(func(ctx context.Context, _ *Snapshot, p *struct{ Tag string }) (any, error) {
			if started != nil {
				started <- p.Tag
			}
			<-ctx.Done()
			return nil, ctx.Err()
		}))
		s.handle("test/panic", request(func(context.Context, *Snapshot, *struct{}) (any, error) {
			panic("boom in a handler")
		}))
		s.handle("test/panicNote", notification(func(context.Context, *struct{}) error {
			panic("boom in a notification")
		}))
		s.handle("test/fail", request(func(context.Context, *Snapshot, *struct{}) (any, error) {
			return nil, errors.New("it failed")
		}))
		s.handle("test/text", request(func(_ context.Context, snap *Snapshot, p *protocol.TextDocumentIdentifier) (any, error) {
			doc, ok := snap.Document(p.URI)
			if !ok {
				return nil, fmt.Errorf("%s is not open", p.URI)
			}
			return map[string]any{"text": doc.Text, "version": doc.Version}, nil
		}))
		s.handle("test/settings", request(func(_ context.Context, snap *Snapshot, _ *struct{}) (Settings, error) {
			return snap.Settings, nil
		}))
	}
}

func TestCompletionEndToEnd(t *testing.T) {
	c := startServer(t, testOptions{})
	res := c.initialize(nil, false)
	sync, _ := json.Marshal(res.Capabilities.TextDocumentSync)
	if string(sync) != `{"change":2,"openClose":true,"save":{}}` {
		t.Errorf("textDocumentSync = %s, want incremental with open/close/save", sync)
	}
	if res.Capabilities.CompletionProvider == nil || res.ServerInfo == nil || res.ServerInfo.Name != "sparkls" {
		t.Errorf("capabilities = %+v, serverInfo %+v", res.Capabilities, res.ServerInfo)
	}
	c.open(docURI, "SELECT 1;\nsel")
	list := c.complete(docURI, 1, 3)
	if got := labels(list); !slices.Equal(got, []string{"SELECT"}) {
		t.Fatalf("completion of sel = %v, want [SELECT]", got)
	}
	if list.Items[0].InsertText != "select" || list.Items[0].Kind != protocol.CompletionItemKindKeyword {
		t.Errorf("item = %+v, want a keyword inserted in the user's lower case", list.Items[0])
	}
	list = c.complete(docURI, 0, 2) // "SE|LECT": the statement keywords first, then the others
	if got := labels(list); len(got) < 3 || !slices.Equal(got[:2], []string{"SELECT", "SET"}) || !slices.Contains(got, "SEMI") || list.Items[0].InsertText != "" {
		t.Errorf("completion of SE = %v (%+v), want SELECT, SET first, as written", got, list.Items)
	}
	// Not open: an empty list, not an error.
	if got := c.complete("file:///nope.sql", 0, 0); len(got.Items) != 0 {
		t.Errorf("completion in a closed document = %v", labels(got))
	}
	if err := c.exit(true); err != nil {
		t.Errorf("Serve after shutdown and exit = %v, want nil", err)
	}
}

func TestSlowRequestDoesNotDelayOthers(t *testing.T) {
	started := make(chan string, 1)
	c := startServer(t, testOptions{setup: testRoutes(started)})
	c.initialize(nil, false)
	c.open(docURI, "SEL")

	slowID, slow := c.startN("test/slow", map[string]any{"tag": "slow"})
	<-started
	begin := time.Now()
	if got := labels(c.complete(docURI, 0, 3)); !slices.Contains(got, "SELECT") {
		t.Errorf("completion while a slow request runs = %v", got)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("completion took %v behind a slow request", d)
	}
	select {
	case m := <-slow:
		t.Fatalf("the slow request answered before it was cancelled: %+v", m)
	default:
	}

	// A numeric id, as VS Code and Neovim send.
	c.notify(protocol.MethodCancelRequest, map[string]any{"id": json.RawMessage(slowID)})
	m := c.wait(slow, "the cancelled request")
	if errCode(m) != int(protocol.CodeRequestCancelled) {
		t.Errorf("cancelled request answered %+v, want code -32800", m.Error)
	}
	// Cancelling what is done is ignored.
	c.notify(protocol.MethodCancelRequest, map[string]any{"id": json.RawMessage(slowID)})
	if got := labels(c.complete(docURI, 0, 3)); len(got) == 0 {
		t.Errorf("no completion after cancelling")
	}
}

func TestCancelRequestStringID(t *testing.T) {
	started := make(chan string, 1)
	c := startServer(t, testOptions{setup: testRoutes(started)})
	c.initialize(nil, false)
	slow := c.start(json.RawMessage(`"req-α"`), "test/slow", nil)
	<-started
	c.notify(protocol.MethodCancelRequest, map[string]any{"id": "req-α"})
	m := c.wait(slow, "the cancelled request")
	if errCode(m) != int(protocol.CodeRequestCancelled) || string(m.ID) != `"req-α"` {
		t.Errorf("answer = id %s error %+v, want id \"req-α\" code -32800", m.ID, m.Error)
	}
}

func TestPanicAnswersInternalError(t *testing.T) {
	c := startServer(t, testOptions{setup: testRoutes(nil)})
	c.initialize(nil, false)
	c.open(docURI, "SEL")
	m := c.call("test/panic", nil)
	if errCode(m) != int(jsonrpc2.InternalError) {
		t.Errorf("panicking handler answered %+v, want InternalError", m.Error)
	}
	c.notify("test/panicNote", nil)
	if got := labels(c.complete(docURI, 0, 3)); !slices.Contains(got, "SELECT") {
		t.Errorf("no completion after a panic: %v", got)
	}
	log := c.log.String()
	if !strings.Contains(log, "boom in a handler") || !strings.Contains(log, "boom in a notification") || !strings.Contains(log, "goroutine") {
		t.Errorf("the log lacks the panic and its stack:\n%s", log)
	}
}

func TestHandlerErrorIsAResponse(t *testing.T) {
	c := startServer(t, testOptions{setup: testRoutes(nil)})
	c.initialize(nil, false)
	m := c.call("test/fail", nil)
	if errCode(m) != int(codeRequestFailed) || m.Error.Message != "it failed" {
		t.Errorf("failing handler answered %+v", m.Error)
	}
	m = c.call(protocol.MethodTextDocumentCompletion, `not an object`)
	if errCode(m) != int(jsonrpc2.InvalidParams) {
		t.Errorf("bad params answered %+v, want InvalidParams", m.Error)
	}
	c.callOK("test/settings", nil, nil) // still serving
}

func TestMalformedFrames(t *testing.T) {
	c := startServer(t, testOptions{setup: testRoutes(nil)})
	c.initialize(nil, false)
	c.open(docURI, "SEL")

	// Register the ids of the broken requests first: their answers are ParseErrors.
	parseErrs := map[string]<-chan *lsptest.Message{"902": c.expect("902"), "903": c.expect("903")}

	// A garbage header block, then a header with a bad length.
	c.sendRaw([]byte("hello there\r\n\r\n"))
	c.sendRaw([]byte("Content-Length: lots\r\n\r\n"))
	// Bad JSON whose id can be recovered: ParseError for that id.
	c.sendRaw(appendFrame(nil, []byte(`{"jsonrpc":"2.0","id":902,"method":"textDocument/completion","params":{`)))
	// Bad JSON with no id: a log line only.
	c.sendRaw(appendFrame(nil, []byte(`{"jsonrpc":"2.0",,}`)))
	// Invalid UTF-8 inside a JSON string, with an id.
	c.sendRaw(appendFrame(nil, []byte("{\"jsonrpc\":\"2.0\",\"id\":903,\"method\":\"test/text\",\"params\":{\"uri\":\"file:///\xff\xfe.sql\"}}")))
	// A body shorter than its Content-Length swallows the start of the next
	// frame (a notification, lost); the frame after that is found again.
	c.sendRaw([]byte("Content-Length: 30\r\n\r\n{\"jsonrpc\":\"2.0\"}"))
	c.notify("$/lostNotification", map[string]any{"x": 1})

	for id, ch := range parseErrs {
		if m := c.wait(ch, "id "+id); errCode(m) != int(jsonrpc2.ParseError) {
			t.Errorf("%s: %+v, want ParseError", id, m.Error)
		}
	}
	// Still serving, in sync.
	for range 3 {
		if got := labels(c.complete(docURI, 0, 3)); !slices.Contains(got, "SELECT") {
			t.Fatalf("no completion after malformed frames: %v", got)
		}
	}
	log := c.log.String()
	for _, want := range []string{"no Content-Length", `Content-Length \"lots\"`, "not valid JSON-RPC", "not valid UTF-8"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestUnknownMethod(t *testing.T) {
	c := startServer(t, testOptions{})
	c.initialize(nil, false)
	if m := c.call("textDocument/noSuchThing", nil); errCode(m) != int(jsonrpc2.MethodNotFound) {
		t.Errorf("unknown request answered %+v, want -32601", m.Error)
	}
	c.notify("custom/unknown", nil)
	c.notify("$/setTrace", map[string]any{"value": "off"})
	c.callOK(protocol.MethodTextDocumentCompletion, map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": map[string]any{}}, nil)
	if log := c.log.String(); !strings.Contains(log, "custom/unknown") || strings.Contains(log, "$/setTrace") {
		t.Errorf("unknown notifications: want custom/unknown logged and $/setTrace silent:\n%s", log)
	}
}

func TestLifecycle(t *testing.T) {
	c := startServer(t, testOptions{setup: testRoutes(nil)})
	if m := c.call(protocol.MethodTextDocumentCompletion, nil); errCode(m) != int(jsonrpc2.ServerNotInitialized) {
		t.Errorf("request before initialize answered %+v, want -32002", m.Error)
	}
	c.open(docURI, "dropped before initialize")
	c.initialize(nil, false)
	if m := c.call(protocol.MethodInitialize, map[string]any{}); errCode(m) != int(jsonrpc2.InvalidRequest) {
		t.Errorf("second initialize answered %+v, want InvalidRequest", m.Error)
	}
	if m := c.call("test/text", map[string]any{"uri": docURI}); m.Error == nil {
		t.Errorf("a didOpen before initialize was applied: %s", m.Result)
	}
	c.callOK(protocol.MethodShutdown, nil, nil)
	if m := c.call(protocol.MethodTextDocumentCompletion, nil); errCode(m) != int(jsonrpc2.InvalidRequest) {
		t.Errorf("request after shutdown answered %+v, want InvalidRequest", m.Error)
	}
	if err := c.exit(false); err != nil {
		t.Errorf("exit after shutdown: Serve = %v, want nil", err)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	c := startServer(t, testOptions{})
	c.initialize(nil, false)
	if err := c.exit(false); !errors.Is(err, ErrExitWithoutShutdown) {
		t.Errorf("exit without shutdown: Serve = %v, want ErrExitWithoutShutdown", err)
	}
}

func TestThousandRequestsInFlight(t *testing.T) {
	started := make(chan string, 10)
	c := startServer(t, testOptions{setup: testRoutes(started)})
	c.initialize(nil, false)
	c.open(docURI, "SEL")
	// Some slow ones in flight the whole time, cancelled at the end.
	var slow []json.RawMessage
	var slowCh []<-chan *lsptest.Message
	for i := range 10 {
		id, ch := c.startN("test/slow", map[string]any{"tag": fmt.Sprint(i)})
		slow, slowCh = append(slow, id), append(slowCh, ch)
	}
	const n = 1000
	chans := make([]<-chan *lsptest.Message, n)
	for i := range n {
		_, chans[i] = c.startN(protocol.MethodTextDocumentCompletion, map[string]any{
			"textDocument": map[string]any{"uri": docURI}, "position": map[string]any{"line": 0, "character": 3},
		})
	}
	for i, ch := range chans {
		m := c.wait(ch, fmt.Sprintf("request %d", i))
		if m.Error != nil || !strings.Contains(string(m.Result), "SELECT") {
			t.Fatalf("request %d: %s %+v", i, m.Result, m.Error)
		}
	}
	for _, id := range slow {
		c.notify(protocol.MethodCancelRequest, map[string]any{"id": id})
	}
	for i, ch := range slowCh {
		if m := c.wait(ch, "slow"); errCode(m) != int(protocol.CodeRequestCancelled) {
			t.Errorf("slow %d: %+v", i, m.Error)
		}
	}
}

func TestIncrementalEditsEndToEnd(t *testing.T) {
	c := startServer(t, testOptions{setup: testRoutes(nil)})
	c.initialize(nil, false)
	c.open(docURI, "SELECT '😀' AS e\r\nFROM t\rWHERE x")
	change := func(version int, changes ...map[string]any) {
		c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
			"textDocument":   map[string]any{"uri": docURI, "version": version},
			"contentChanges": changes,
		})
	}
	rng := func(l1, c1, l2, c2 int) map[string]any {
		return map[string]any{"start": map[string]any{"line": l1, "character": c1}, "end": map[string]any{"line": l2, "character": c2}}
	}
	// After the emoji (2 UTF-16 units at character 8): insert; then, in the
	// same notification, replace "t" on line 1 and append past the end of line 2.
	change(2,
		map[string]any{"range": rng(0, 10, 0, 10), "text": "🎉"},
		map[string]any{"range": rng(1, 5, 1, 6), "text": "tbl"},
		map[string]any{"range": rng(2, 99, 2, 99), "text": " = 1"},
	)
	// Delete across the CRLF, and insert at the end of the file (past the last line).
	change(3,
		map[string]any{"range": rng(0, 18, 1, 0), "text": " "},
		map[string]any{"range": rng(9, 0, 9, 0), "text": ";"},
	)
	// The next request, sent without waiting, sees both changes.
	var got struct {
		Text    string
		Version int
	}
	c.callOK("test/text", map[string]any{"uri": docURI}, &got)
	want := "SELECT '😀🎉' AS e FROM tbl\rWHERE x = 1;"
	if got.Text != want || got.Version != 3 {
		t.Errorf("after edits: %q (version %d), want %q (version 3)", got.Text, got.Version, want)
	}
	// A full replacement, then close.
	change(4, map[string]any{"text": "sel"})
	c.callOK("test/text", map[string]any{"uri": docURI}, &got)
	if got.Text != "sel" {
		t.Errorf("after a full change: %q", got.Text)
	}
	c.notify(protocol.MethodTextDocumentDidClose, map[string]any{"textDocument": map[string]any{"uri": docURI}})
	if m := c.call("test/text", map[string]any{"uri": docURI}); m.Error == nil {
		t.Errorf("document still open after didClose")
	}
	change(5, map[string]any{"text": "x"}) // not open: logged, not fatal
	c.callOK("test/settings", nil, nil)
	if !strings.Contains(c.log.String(), "not open") {
		t.Errorf("didChange of a closed document was not logged")
	}
}

// A 10 MB document over the pipe: open, an incremental edit at its end,
// and a completion there.
func TestLargeDocumentEndToEnd(t *testing.T) {
	c := startServer(t, testOptions{setup: testRoutes(nil)})
	c.slow = true // a correctness test: under -race on a loaded machine it takes seconds
	c.initialize(nil, false)
	line := "SELECT id, '😀' FROM t\r\n"
	text := strings.Repeat(line, 10<<20/len(line)+1)
	last := strings.Count(text, "\n")
	c.open(docURI, text)
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument": map[string]any{"uri": docURI, "version": 2},
		"contentChanges": []any{map[string]any{
			"range": map[string]any{"start": map[string]any{"line": last, "character": 0}, "end": map[string]any{"line": last, "character": 0}},
			"text":  "sel",
		}},
	})
	if got := labels(c.complete(docURI, last, 3)); !slices.Equal(got, []string{"SELECT"}) {
		t.Errorf("completion at the end of a 10 MB document = %v", got)
	}
}

func TestSettingsEndToEnd(t *testing.T) {
	var mu sync.Mutex
	pulled := map[string]any{"remote": "sc://pulled:1", "preview": map[string]any{"rows": 7}}
	answer := func(method string, params json.RawMessage) any {
		mu.Lock()
		defer mu.Unlock()
		if method != protocol.MethodWorkspaceConfiguration {
			return nil
		}
		if !strings.Contains(string(params), `"section":"sparkls"`) {
			t.Errorf("workspace/configuration params %s", params)
		}
		return []any{pulled}
	}
	settings := func(c *testClient) Settings {
		var s Settings
		c.callOK("test/settings", nil, &s)
		return s
	}
	eventually := func(c *testClient, ok func(Settings) bool) Settings {
		deadline := time.Now().Add(testTimeout)
		for {
			s := settings(c)
			if ok(s) || time.Now().After(deadline) {
				return s
			}
			<-time.After(5 * time.Millisecond)
		}
	}

	t.Run("push", func(t *testing.T) {
		c := startServer(t, testOptions{setup: testRoutes(nil)})
		c.initialize(map[string]any{"sparkls": map[string]any{"remote": "sc://init:1", "preview": map[string]any{"rows": 5, "bytes": 2048}, "readOnly": true}}, false)
		if got, want := settings(c), (Settings{Remote: "sc://init:1", Preview: PreviewSettings{Rows: 5, Bytes: 2048, KeepRows: connect.DefaultKeepRows}, ReadOnly: true, ConnectTimeout: 30}); got != want {
			t.Errorf("from initializationOptions: %+v, want %+v", got, want)
		}
		// The bare section; what is missing returns to initializationOptions' value.
		c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"preview": map[string]any{"rows": 9}, "bogus": 1, "readOnly": false}})
		if got, want := settings(c), (Settings{Remote: "sc://init:1", Preview: PreviewSettings{Rows: 9, Bytes: 2048, KeepRows: connect.DefaultKeepRows}, ConnectTimeout: 30}); got != want {
			t.Errorf("after a bare push: %+v, want %+v", got, want)
		}
		c.waitNote(protocol.MethodWindowLogMessage, func(p json.RawMessage) bool { return strings.Contains(string(p), "unknown setting sparkls.bogus") })
		// Wrapped, with other editors' sections beside it.
		c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"sparkls": map[string]any{"remote": "sc://pushed:1"}, "python": map[string]any{"x": 1}}})
		if got, want := settings(c), (Settings{Remote: "sc://pushed:1", Preview: PreviewSettings{Rows: 5, Bytes: 2048, KeepRows: connect.DefaultKeepRows}, ReadOnly: true, ConnectTimeout: 30}); got != want {
			t.Errorf("after a wrapped push: %+v, want %+v", got, want)
		}
	})
	t.Run("pull", func(t *testing.T) {
		c := startServer(t, testOptions{setup: testRoutes(nil), answer: answer})
		c.initialize(map[string]any{"remote": "sc://init:1"}, true)
		got := eventually(c, func(s Settings) bool { return s.Remote == "sc://pulled:1" })
		if got.Remote != "sc://pulled:1" || got.Preview.Rows != 7 {
			t.Errorf("after initialized's pull: %+v", got)
		}
		mu.Lock()
		pulled = map[string]any{"remote": "sc://pulled:2"}
		mu.Unlock()
		c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": nil})
		if got := eventually(c, func(s Settings) bool { return s.Remote == "sc://pulled:2" }); got.Remote != "sc://pulled:2" {
			t.Errorf("after didChangeConfiguration's pull: %+v", got)
		}
	})
}

// Helix (with the README's config = { remote = ... }) and eglot answer
// workspace/configuration with null, and push null, {} or only other tools'
// sections: none of that may undo initializationOptions.
func TestSettingsWithoutSectionKeepInitializationOptions(t *testing.T) {
	pulls := make(chan struct{}, 20)
	dials := make(chan string, 20)
	c := startServer(t, testOptions{setup: testRoutes(nil),
		answer: func(method string, _ json.RawMessage) any {
			if method != protocol.MethodWorkspaceConfiguration {
				return nil
			}
			pulls <- struct{}{}
			return []any{nil}
		},
		opts: Options{Dial: func(_ context.Context, r connect.Remote, _ func(string)) (*connect.Client, error) {
			dials <- r.String()
			return nil, errors.New("no Spark in this test")
		}},
	})
	want := Settings{Remote: "sc://init:1", Preview: PreviewSettings{Rows: 5, Bytes: 2048, KeepRows: connect.DefaultKeepRows}, ReadOnly: true, ConnectTimeout: 30}
	c.initialize(map[string]any{"remote": "sc://init:1", "preview": map[string]any{"rows": 5, "bytes": 2048}, "readOnly": true}, true)
	kept := "workspace/configuration has no sparkls section"
	waitLog := func(n int) {
		t.Helper()
		deadline := time.Now().Add(testTimeout)
		for strings.Count(c.log.String(), kept) < n {
			if time.Now().After(deadline) {
				t.Fatalf("the server did not log %q %d times:\n%s", kept, n, c.log.String())
			}
			<-time.After(5 * time.Millisecond)
		}
	}
	waitLog(1)
	select {
	case got := <-dials: // the connection follows initializationOptions, after the pull
		if got != "sc://init:1" {
			t.Errorf("dialled %s after a null pull, want sc://init:1", got)
		}
	case <-time.After(testTimeout):
		t.Fatal("no connection attempt after initialized")
	}
	var got Settings
	if c.callOK("test/settings", nil, &got); got != want {
		t.Errorf("after a null pull: %+v, want %+v", got, want)
	}
	for i, push := range []any{nil, map[string]any{}, map[string]any{"sparkls": nil}, map[string]any{"python": map[string]any{"x": 1}}} {
		c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": push})
		waitLog(i + 2) // each push is followed by a pull, answered null
		if c.callOK("test/settings", nil, &got); got != want {
			t.Errorf("after pushing %v: %+v, want %+v", push, got, want)
		}
	}
	for len(dials) > 0 {
		if r := <-dials; r != "sc://init:1" {
			t.Errorf("dialled %s; the remote of initializationOptions is sc://init:1", r)
		}
	}
}

func TestHasSection(t *testing.T) {
	for raw, want := range map[string]bool{
		``: false, `null`: false, `{}`: false, `[1]`: false, `{"sparkls": null}`: false,
		`{"python": {"x": 1}}`: false, `{"sparklsx": {}}`: false,
		`{"sparkls": {}}`: true, `{"remote": "x"}`: true, `{"preview": {"rows": 1}}`: true,
		`{"preview.rows": 1}`: true, `{"sparkls.readOnly": true}`: true, `{"trace": {"server": "off"}}`: true,
	} {
		if got := HasSection(json.RawMessage(raw)); got != want {
			t.Errorf("HasSection(%s) = %v, want %v", raw, got, want)
		}
	}
}

func TestStatusRedactsToken(t *testing.T) {
	const remote = "sc://127.0.0.1:1/;token=zzsecret;use_ssl=false"
	log := &syncBuffer{}
	c := startServer(t, testOptions{realDial: true, opts: Options{
		Logger:  slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Connect: connect.Options{ConnectTimeout: 3 * time.Second}, // the real dial, to a closed port
	}})
	c.log = log
	c.initialize(map[string]any{"remote": remote}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"state":"error"`) })
	sts := c.statuses()
	if len(sts) < 2 || sts[0].State != StateConnecting || sts[len(sts)-1].State != StateError {
		t.Fatalf("statuses = %+v, want connecting then error", sts)
	}
	wantRemote := "sc://127.0.0.1:1/;token=***;use_ssl=false"
	for _, st := range sts {
		if st.Remote != wantRemote {
			t.Errorf("status remote = %q, want %q", st.Remote, wantRemote)
		}
	}
	if last := sts[len(sts)-1]; last.Message == "" {
		t.Errorf("error status without a message: %+v", last)
	}
	if _, ok := c.srv.client(); ok {
		t.Errorf("client() reports a connection to a closed port")
	}
	// The server keeps working without Spark.
	c.open(docURI, "SEL")
	if got := labels(c.complete(docURI, 0, 3)); !slices.Contains(got, "SELECT") {
		t.Errorf("no completion without Spark: %v", got)
	}
	c.exit(true)
	for what, text := range map[string]string{"to the client": c.receivedText(), "in the log": log.String()} {
		if strings.Contains(text, "zzsecret") {
			t.Errorf("the token appears %s:\n%s", what, text)
		}
		if !strings.Contains(text, "token=***") {
			t.Errorf("the redacted remote is not %s:\n%s", what, text)
		}
	}
}

// A mistyped remote is redacted by pattern before it is shown anywhere:
// sparkls/status, window/logMessage, run errors and the server's log.
func TestMalformedRemoteHidesToken(t *testing.T) {
	for _, remote := range []string{
		"sc://host:15002;token=zzsecret",
		"sc://host:15002/token=zzsecret",
		"sc://h:1/?token=zzsecret",
		"sc://h:1/;x=1&x-api-key=zzsecret", // parses: a header x whose value holds the key
		"sc://me:zzsecret@h:1",
		"sc://h:1/;cookie=zzsecret;use_ssl=maybe",
	} {
		t.Run(connect.Redact(remote), func(t *testing.T) {
			c := startServer(t, testOptions{})
			c.initialize(map[string]any{"remote": remote, "connectTimeout": 1}, false)
			c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"state":"error"`) })
			c.open(runURI, "SELECT 1")
			m := c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
			if m.Error == nil {
				t.Fatalf("a run without Spark answered %s", m.Result)
			}
			c.exit(true)
			for what, text := range map[string]string{"to the client": c.receivedText(), "in the log": c.log.String()} {
				if strings.Contains(text, "zzsecret") {
					t.Errorf("the secret appears %s:\n%s", what, text)
				}
			}
			if st := c.statuses(); !strings.Contains(st[len(st)-1].Remote, "***") {
				t.Errorf("status remote %q, want it redacted", st[len(st)-1].Remote)
			}
		})
	}
}

func TestReconnectOnRemoteChange(t *testing.T) {
	type attempt struct {
		remote string
		ctx    context.Context
	}
	attempts := make(chan attempt, 10)
	c := startServer(t, testOptions{setup: testRoutes(nil), opts: Options{
		Dial: func(ctx context.Context, r connect.Remote, progress func(string)) (*connect.Client, error) {
			attempts <- attempt{r.String(), ctx}
			if r.Port == 3 {
				<-ctx.Done() // a dial that never finishes
				return nil, ctx.Err()
			}
			// A client that has not contacted anything (gRPC connects lazily).
			return connect.NewClient(r, connect.Options{})
		},
	}})
	c.initialize(map[string]any{"remote": "sc://127.0.0.1:3"}, false)
	first := <-attempts
	if first.remote != "sc://127.0.0.1:3" {
		t.Fatalf("first dial to %s", first.remote)
	}
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), "connecting") })
	begin := time.Now()
	if _, ok := c.srv.client(); ok || time.Since(begin) > 100*time.Millisecond {
		t.Errorf("client() while connecting: ok=%v after %v; want false at once", ok, time.Since(begin))
	}
	c.open(docURI, "SEL") // requests are served while the dial hangs
	if got := labels(c.complete(docURI, 0, 3)); len(got) == 0 {
		t.Errorf("no completion while connecting")
	}

	// The same remote, rewritten: no reconnect. A different one: the hanging
	// attempt is cancelled and a new one made, without a restart.
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"remote": " sc://127.0.0.1:3 "}})
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"sparkls": map[string]any{"remote": "sc://127.0.0.1:2"}}})
	second := <-attempts
	if second.remote != "sc://127.0.0.1:2" {
		t.Fatalf("second dial to %s, want sc://127.0.0.1:2", second.remote)
	}
	select {
	case <-first.ctx.Done():
	case <-time.After(testTimeout):
		t.Fatalf("the superseded dial was not cancelled")
	}
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"state":"connected"`) })
	if cl, ok := c.srv.client(); !ok || cl.Remote().String() != "sc://127.0.0.1:2" {
		t.Errorf("client() = %v, %v; want the client of sc://127.0.0.1:2", cl, ok)
	}
	if st := c.srv.sparkStatus(); st.State != StateConnected || st.Remote != "sc://127.0.0.1:2" {
		t.Errorf("status = %+v", st)
	}
	select {
	case a := <-attempts:
		t.Errorf("an extra dial to %s", a.remote)
	default:
	}
	c.exit(true)
	if _, ok := c.srv.client(); ok {
		t.Errorf("client() still connected after shutdown")
	}
	if sts := c.statuses(); sts[len(sts)-1].State != StateDisconnected {
		t.Errorf("last status %+v, want disconnected at shutdown", sts[len(sts)-1])
	}
}
