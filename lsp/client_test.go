package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
)

// The end-to-end harness: a real Server on one side of two io.Pipes and a
// small client framing messages on the other, as an editor would.

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

type testClient struct {
	t      testing.TB
	slow   bool // responses may take longer (huge inputs under the race detector)
	srv    *Server
	w      *io.PipeWriter // client → server
	log    *syncBuffer    // the server's log
	served chan error     // Serve's result

	wmu    sync.Mutex
	nextID atomic.Int64

	mu       sync.Mutex
	pending  map[string]chan *message
	notes    []*message    // notifications from the server, in order
	changed  chan struct{} // closed and replaced when notes grows
	received bytes.Buffer  // every byte the server wrote

	// answer replies to the server's requests (workspace/configuration).
	answer func(method string, params json.RawMessage) any
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
	cr, cw := io.Pipe() // client → server
	sr, sw := io.Pipe() // server → client
	c := &testClient{
		t: t, srv: srv, w: cw, log: log, served: make(chan error, 1),
		pending: map[string]chan *message{}, changed: make(chan struct{}), answer: to.answer,
	}
	go func() {
		err := srv.Serve(context.Background(), cr, sw)
		sw.Close()
		c.served <- err
	}()
	go c.readLoop(sr)
	t.Cleanup(func() {
		cw.Close() // EOF: Serve ends
		select {
		case <-c.served:
		case <-time.After(testTimeout):
			t.Errorf("Serve did not return after the client closed the stream")
		}
	})
	return c
}

func (c *testClient) readLoop(r io.Reader) {
	fr := newFramer(io.TeeReader(r, writerFunc(func(p []byte) (int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.received.Write(p)
	})))
	for {
		body, _, err := fr.read()
		if err != nil {
			return
		}
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			c.t.Errorf("server wrote invalid JSON: %v: %s", err, body)
			return
		}
		switch {
		case m.isCall():
			var result any
			if c.answer != nil {
				result = c.answer(m.Method, m.Params)
			}
			c.sendJSON(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
		case m.Method != "":
			c.mu.Lock()
			c.notes = append(c.notes, &m)
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
		default:
			key, _ := idKey(m.ID)
			c.mu.Lock()
			ch := c.pending[key]
			delete(c.pending, key)
			c.mu.Unlock()
			if ch == nil {
				c.t.Errorf("response to no pending request: %s", body)
				continue
			}
			ch <- &m
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// sendRaw writes bytes as they are: for malformed frames.
func (c *testClient) sendRaw(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.w.Write(b); err != nil {
		c.t.Errorf("write to server: %v", err)
	}
}

func (c *testClient) sendJSON(v any) {
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatalf("marshal: %v", err)
	}
	c.sendRaw(appendFrame(nil, body))
}

// start sends a request with id (a number or a quoted string, raw JSON) and
// returns the channel its response arrives on.
func (c *testClient) start(id json.RawMessage, method string, params any) <-chan *message {
	key, ok := idKey(id)
	if !ok {
		c.t.Fatalf("bad test id %s", id)
	}
	ch := make(chan *message, 1)
	c.mu.Lock()
	c.pending[key] = ch
	c.mu.Unlock()
	msg := map[string]any{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	c.sendJSON(msg)
	return ch
}

// expect registers a numeric id for a request sent raw.
func (c *testClient) expect(id string) <-chan *message {
	ch := make(chan *message, 1)
	c.mu.Lock()
	c.pending["n:"+id] = ch
	c.mu.Unlock()
	return ch
}

// startN sends a request with the next numeric id.
func (c *testClient) startN(method string, params any) (json.RawMessage, <-chan *message) {
	id := json.RawMessage(strconv.FormatInt(c.nextID.Add(1), 10))
	return id, c.start(id, method, params)
}

func (c *testClient) wait(ch <-chan *message, what string) *message {
	c.t.Helper()
	timeout := testTimeout
	if c.slow {
		timeout = 6 * testTimeout
	}
	select {
	case m := <-ch:
		return m
	case <-time.After(timeout):
		c.t.Fatalf("no response to %s within %v", what, timeout)
		return nil
	}
}

// call sends a request and waits for its response.
func (c *testClient) call(method string, params any) *message {
	c.t.Helper()
	_, ch := c.startN(method, params)
	return c.wait(ch, method)
}

// callOK calls and decodes a successful result into result (may be nil).
func (c *testClient) callOK(method string, params, result any) {
	c.t.Helper()
	m := c.call(method, params)
	if m.Error != nil {
		c.t.Fatalf("%s: error %d %s", method, m.Error.Code, m.Error.Message)
	}
	if result != nil {
		if err := json.Unmarshal(m.Result, result); err != nil {
			c.t.Fatalf("%s: decode result %s: %v", method, m.Result, err)
		}
	}
}

func (c *testClient) notify(method string, params any) {
	msg := map[string]any{"jsonrpc": "2.0", "method": method}
	if params != nil {
		msg["params"] = params
	}
	c.sendJSON(msg)
}

// waitNote waits for a notification of method whose params satisfy ok.
func (c *testClient) waitNote(method string, ok func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(testTimeout)
	for {
		c.mu.Lock()
		for _, n := range c.notes {
			if n.Method == method && (ok == nil || ok(n.Params)) {
				c.mu.Unlock()
				return n.Params
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			c.t.Fatalf("no %s notification as expected within %v; got %s", method, testTimeout, c.noteSummary())
			return nil
		}
	}
}

func (c *testClient) noteSummary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, n := range c.notes {
		b.WriteString(n.Method + " " + string(n.Params) + "\n")
	}
	return b.String()
}

// statuses returns the sparkls/status notifications so far.
func (c *testClient) statuses() []Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Status
	for _, n := range c.notes {
		if n.Method == NotifyStatus {
			var st Status
			_ = json.Unmarshal(n.Params, &st)
			out = append(out, st)
		}
	}
	return out
}

func (c *testClient) receivedText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.received.String()
}

// initialize runs initialize and initialized with these options.
func (c *testClient) initialize(initOptions any, pullConfig bool) protocol.InitializeResult {
	c.t.Helper()
	params := map[string]any{
		"processId":    nil,
		"rootUri":      nil,
		"capabilities": map[string]any{"workspace": map[string]any{"configuration": pullConfig}},
		"clientInfo":   map[string]any{"name": "testclient", "version": "1"},
	}
	if initOptions != nil {
		params["initializationOptions"] = initOptions
	}
	var res protocol.InitializeResult
	c.callOK(protocol.MethodInitialize, params, &res)
	c.notify(protocol.MethodInitialized, map[string]any{})
	return res
}

func (c *testClient) open(uri, text string) {
	c.notify(protocol.MethodTextDocumentDidOpen, map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": languageOf(uri), "version": 1, "text": text},
	})
}

// languageOf is the language id VS Code gives a file of uri's extension.
func languageOf(uri string) string {
	switch path.Ext(uri) {
	case ".py":
		return "python"
	case ".scala":
		return "scala"
	}
	return "sql"
}

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
	case err := <-c.served:
		c.served <- err // for Cleanup
		return err
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

func errCode(m *message) int {
	if m.Error == nil {
		return 0
	}
	return int(m.Error.Code)
}
