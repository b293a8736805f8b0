package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/lsp/lsptest"
)

// The end-to-end harness: a real Server on one side of an in-memory pipe and
// package lsptest's fake editor on the other.

const testTimeout = 10 * time.Second

// syncBuffer is a bytes.Buffer safe for concurrent writes (the log).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testClient is the fake editor of package lsptest in a test's hands: it
// fails the test where the editor returns an error, and reaches into the
// server it started for what only this package may see.
type testClient struct {
	*lsptest.Editor
	t      testing.TB
	slow   bool // responses may take longer (huge inputs under the race detector)
	srv    *Server
	log    *syncBuffer   // the server's log
	served chan struct{} // closed when Serve returned
	result error         // Serve's result, once served is closed
}

type testOptions struct {
	opts     Options
	realDial bool                                            // keep Options.Dial nil: EnsureLocal and connect.Dial
	setup    func(s *Server)                                 // before Serve: test-only routes
	catalog  bool                                            // the schema cache loads the catalog from Spark (else disk only)
	answer   func(method string, params json.RawMessage) any // server → client requests
}

// startServer starts a server; t.Cleanup ends the session.
func startServer(t testing.TB, to testOptions) *testClient {
	t.Helper()
	log := &syncBuffer{}
	if to.opts.Logger == nil {
		to.opts.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if to.opts.Getenv == nil {
		to.opts.Getenv = func(string) string { return "" }
	}
	if to.opts.Dial == nil && !to.realDial {
		// Never start or reach a real Spark from unit tests.
		to.opts.Dial = func(context.Context, connect.Remote, func(string)) (*connect.Client, error) {
			return nil, errors.New("no Spark in this test")
		}
	}
	srv := NewServer(to.opts)
	// Schema caches in a directory of the test's own; without catalog, no
	// catalog calls reach Spark beyond those the test itself causes.
	srv.schema.dir, srv.schema.offline = t.TempDir(), !to.catalog
	if to.setup != nil {
		to.setup(srv)
	}
	ed, served := lsptest.Pipe(context.Background(), srv.Serve, lsptest.Options{
		Answer: to.answer,
		Report: func(err error) { t.Error(err) },
	})
	c := &testClient{Editor: ed, t: t, srv: srv, log: log, served: make(chan struct{})}
	go func() {
		c.result = <-served
		close(c.served)
	}()
	t.Cleanup(func() {
		ed.Close() // EOF: Serve ends
		select {
		case <-c.served:
		case <-time.After(testTimeout):
			t.Errorf("Serve did not return after the client closed the stream")
		}
	})
	return c
}

// timeout is how long the client waits for an answer or a notification.
func (c *testClient) timeout() time.Duration {
	if c.slow {
		return 6 * testTimeout
	}
	return testTimeout
}

// sendRaw writes bytes as they are: for malformed frames.
func (c *testClient) sendRaw(b []byte) {
	if err := c.SendRaw(b); err != nil {
		c.t.Errorf("write to server: %v", err)
	}
}

func (c *testClient) sendJSON(v any) {
	if err := c.Send(v); err != nil {
		c.t.Errorf("write to server: %v", err)
	}
}

// start sends a request with id (a number or a quoted string, raw JSON) and
// returns the channel its response arrives on.
func (c *testClient) start(id json.RawMessage, method string, params any) <-chan *lsptest.Message {
	ch, err := c.Start(id, method, params)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	return ch
}

// expect registers a numeric id for a request sent raw.
func (c *testClient) expect(id string) <-chan *lsptest.Message { return c.Expect(id) }

// startN sends a request with the next numeric id.
func (c *testClient) startN(method string, params any) (json.RawMessage, <-chan *lsptest.Message) {
	id, ch, err := c.Request(method, params)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	return id, ch
}

func (c *testClient) wait(ch <-chan *lsptest.Message, what string) *lsptest.Message {
	c.t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(c.timeout()):
		c.t.Fatalf("no response to %s within %v", what, c.timeout())
		return nil
	}
}

// call sends a request and waits for its response.
func (c *testClient) call(method string, params any) *lsptest.Message {
	c.t.Helper()
	_, ch := c.startN(method, params)
	return c.wait(ch, method)
}

// callOK calls and decodes a successful result into result (may be nil).
func (c *testClient) callOK(method string, params, result any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout())
	defer cancel()
	if err := c.CallResult(ctx, method, params, result); err != nil {
		c.t.Fatal(err)
	}
}

func (c *testClient) notify(method string, params any) {
	if err := c.Notify(method, params); err != nil {
		c.t.Errorf("%s: %v", method, err)
	}
}

// waitNote waits for a notification of method whose params satisfy ok.
func (c *testClient) waitNote(method string, ok func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	p, err := c.WaitNote(ctx, method, ok)
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

// await waits until done holds for the notifications so far.
func (c *testClient) await(what string, done func(notes []*lsptest.Message) bool) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := c.Await(ctx, done); err != nil {
		c.t.Fatalf("%s: %v; got %s", what, err, c.NoteSummary())
	}
}

// statuses returns the sparkls/status notifications so far.
func (c *testClient) statuses() []Status {
	var out []Status
	for _, n := range c.Notes() {
		if n.Method == NotifyStatus {
			var st Status
			_ = json.Unmarshal(n.Params, &st)
			out = append(out, st)
		}
	}
	return out
}

func (c *testClient) receivedText() string { return c.Received() }

// initialize runs initialize and initialized with these options.
func (c *testClient) initialize(initOptions any, pullConfig bool) protocol.InitializeResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout())
	defer cancel()
	res, err := c.Initialize(ctx, map[string]any{"workspace": map[string]any{"configuration": pullConfig}}, initOptions)
	if err != nil {
		c.t.Fatal(err)
	}
	return res
}

func (c *testClient) open(uri, text string) {
	if err := c.Open(uri, text); err != nil {
		c.t.Errorf("didOpen: %v", err)
	}
}

// languageOf is the language id VS Code gives a file of uri's extension.
func languageOf(uri string) string { return lsptest.LanguageOf(uri) }

func (c *testClient) complete(uri string, line, char int) protocol.CompletionList {
	c.t.Helper()
	var list protocol.CompletionList
	c.callOK(protocol.MethodTextDocumentCompletion, map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"position":     map[string]any{"line": line, "character": char},
	}, &list)
	return list
}

// exit ends the session politely and returns Serve's result.
func (c *testClient) exit(shutdown bool) error {
	c.t.Helper()
	if shutdown {
		c.callOK(protocol.MethodShutdown, nil, nil)
	}
	c.notify(protocol.MethodExit, nil)
	select {
	case <-c.served:
		return c.result
	case <-time.After(testTimeout):
		c.t.Fatalf("Serve did not return after exit")
		return nil
	}
}

func labels(list protocol.CompletionList) []string {
	var out []string
	for _, it := range list.Items {
		out = append(out, it.Label)
	}
	return out
}

func errCode(m *lsptest.Message) int {
	if m.Error == nil {
		return 0
	}
	return int(m.Error.Code)
}
