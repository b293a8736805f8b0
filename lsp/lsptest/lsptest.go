// Package lsptest is a fake editor: it talks to a language server the way
// an editor does, JSON-RPC messages framed with Content-Length headers over
// a pair of streams, either to lsp.Server's Serve in the same process
// (Pipe, for tests) or to `sparkls serve` over its stdio (New, for
// benchmarks such as cmd/sparkls-bench run). It sends requests and
// notifications, keeps every notification in order, answers the server's
// own requests, and waits for effects with a context.
//
// It reads frames with its own small reader rather than lsp's framer, so a
// framing bug in the server is not mirrored by its client. It does not
// start servers nor know sparkls' settings: callers pass them.
package lsptest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// Message is one JSON-RPC message from the server: a response (ID with
// Result or Error), a notification (Method, Params) or a request to the
// editor (all three).
type Message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *jsonrpc2.Error `json:"error,omitempty"`
}

// Options configure an Editor. The zero value answers every server request
// with null and ignores protocol problems.
type Options struct {
	// Answer is the result of a request from the server
	// (workspace/configuration, window/workDoneProgress/create, ...).
	Answer func(method string, params json.RawMessage) any
	// Report receives what the server got wrong: invalid JSON, a response
	// to no request. Tests pass t.Error.
	Report func(err error)
}

// Editor is the editor's side of one session. Its methods are safe for
// concurrent use.
type Editor struct {
	w   io.WriteCloser
	opt Options

	wmu    sync.Mutex
	nextID atomic.Int64

	mu       sync.Mutex
	pending  map[string]chan *Message
	notes    []*Message    // notifications from the server, in order
	changed  chan struct{} // closed and replaced when notes grows or the stream ends
	received bytes.Buffer  // every byte the server wrote
	ended    error         // why the server's stream ended (nil while it runs)
}

// New starts an editor that reads the server's messages from r and writes
// its own to w (a process's stdout and stdin).
func New(r io.Reader, w io.WriteCloser, opt Options) *Editor {
	e := &Editor{w: w, opt: opt, pending: map[string]chan *Message{}, changed: make(chan struct{})}
	go e.readLoop(r)
	return e
}

// Pipe runs serve (an lsp.Server's Serve) over in-memory pipes and returns
// the editor and Serve's result, delivered once Serve returns. Close ends
// the session as an editor that quits does: the server reads EOF.
func Pipe(ctx context.Context, serve func(ctx context.Context, r io.Reader, w io.Writer) error, opt Options) (*Editor, <-chan error) {
	cr, cw := io.Pipe() // editor → server
	sr, sw := io.Pipe() // server → editor
	served := make(chan error, 1)
	go func() {
		err := serve(ctx, cr, sw)
		sw.Close()
		served <- err
	}()
	return New(sr, cw, opt), served
}

// Close closes the stream to the server.
func (e *Editor) Close() error { return e.w.Close() }

func (e *Editor) report(err error) {
	if e.opt.Report != nil {
		e.opt.Report(err)
	}
}

func (e *Editor) readLoop(r io.Reader) {
	br := bufio.NewReader(io.TeeReader(r, writerFunc(func(p []byte) (int, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.received.Write(p)
	})))
	var err error
	for {
		var body []byte
		if body, err = readFrame(br); err != nil {
			break
		}
		var m Message
		if err := json.Unmarshal(body, &m); err != nil {
			e.report(fmt.Errorf("server wrote invalid JSON: %v: %s", err, body))
			continue
		}
		switch {
		case m.Method != "" && len(m.ID) > 0:
			var result any
			if e.opt.Answer != nil {
				result = e.opt.Answer(m.Method, m.Params)
			}
			// Not on this goroutine: a server that writes before it reads
			// again would wait for this loop while it waits for the server.
			go func() {
				err := e.Send(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
				if err != nil && !errors.Is(err, io.ErrClosedPipe) && !errors.Is(err, os.ErrClosed) {
					e.report(fmt.Errorf("answering %s: %v", m.Method, err)) // not after the editor closed
				}
			}()
		case m.Method != "":
			e.mu.Lock()
			e.notes = append(e.notes, &m)
			e.changedLocked()
			e.mu.Unlock()
		default:
			key, _ := idKey(m.ID)
			e.mu.Lock()
			ch := e.pending[key]
			delete(e.pending, key)
			e.mu.Unlock()
			if ch == nil {
				e.report(fmt.Errorf("response to no pending request: %s", body))
				continue
			}
			ch <- &m
		}
	}
	if errors.Is(err, io.EOF) {
		err = io.EOF // a clean end
	}
	e.mu.Lock()
	e.ended = err
	e.changedLocked()
	e.mu.Unlock()
}

func (e *Editor) changedLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// readFrame reads one Content-Length framed body.
func readFrame(br *bufio.Reader) ([]byte, error) {
	length := -1
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if length < 0 {
				continue // blank lines between frames
			}
			break
		}
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil || length < 0 {
				return nil, fmt.Errorf("bad Content-Length %q", value)
			}
		}
	}
	body := make([]byte, length)
	_, err := io.ReadFull(br, body)
	return body, err
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// SendRaw writes bytes as they are: for malformed frames.
func (e *Editor) SendRaw(b []byte) error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	_, err := e.w.Write(b)
	return err
}

// Send writes v as one framed JSON message.
func (e *Editor) Send(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.SendRaw(append([]byte("Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"), body...))
}

// Start sends a request with id (a number or a quoted string, raw JSON) and
// returns the channel its response arrives on.
func (e *Editor) Start(id json.RawMessage, method string, params any) (<-chan *Message, error) {
	key, ok := idKey(id)
	if !ok {
		return nil, fmt.Errorf("bad request id %s", id)
	}
	ch := make(chan *Message, 1)
	e.mu.Lock()
	e.pending[key] = ch
	e.mu.Unlock()
	msg := map[string]any{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	return ch, e.Send(msg)
}

// Expect returns the channel the response to numeric id arrives on, for a
// request sent with SendRaw.
func (e *Editor) Expect(id string) <-chan *Message {
	ch := make(chan *Message, 1)
	e.mu.Lock()
	e.pending[id] = ch
	e.mu.Unlock()
	return ch
}

// Request sends a request with the next numeric id.
func (e *Editor) Request(method string, params any) (json.RawMessage, <-chan *Message, error) {
	id := json.RawMessage(strconv.FormatInt(e.nextID.Add(1), 10))
	ch, err := e.Start(id, method, params)
	return id, ch, err
}

// Call sends a request and waits for its response until ctx ends.
func (e *Editor) Call(ctx context.Context, method string, params any) (*Message, error) {
	_, ch, err := e.Request(method, params)
	if err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		return m, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no response to %s: %w", method, ctx.Err())
	}
}

// CallResult calls and decodes a successful result into result (nil: drop it).
func (e *Editor) CallResult(ctx context.Context, method string, params, result any) error {
	m, err := e.Call(ctx, method, params)
	if err != nil {
		return err
	}
	if m.Error != nil {
		return fmt.Errorf("%s: error %d %s", method, m.Error.Code, m.Error.Message)
	}
	if result != nil {
		if err := json.Unmarshal(m.Result, result); err != nil {
			return fmt.Errorf("%s: decode result %s: %v", method, m.Result, err)
		}
	}
	return nil
}

// Notify sends a notification.
func (e *Editor) Notify(method string, params any) error {
	msg := map[string]any{"jsonrpc": "2.0", "method": method}
	if params != nil {
		msg["params"] = params
	}
	return e.Send(msg)
}

// Await calls done with the notifications so far, and again after each new
// one, until it returns true, ctx ends or the server's stream ends.
func (e *Editor) Await(ctx context.Context, done func(notes []*Message) bool) error {
	for {
		e.mu.Lock()
		notes, changed, ended := e.notes, e.changed, e.ended
		e.mu.Unlock()
		if done(notes) {
			return nil
		}
		if ended != nil {
			return fmt.Errorf("the server's stream ended: %v", ended)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitNote waits for a notification of method whose params satisfy ok (nil:
// any) and returns its params. The error lists the notifications seen.
func (e *Editor) WaitNote(ctx context.Context, method string, ok func(json.RawMessage) bool) (json.RawMessage, error) {
	var found json.RawMessage
	err := e.Await(ctx, func(notes []*Message) bool {
		for _, n := range notes {
			if n.Method == method && (ok == nil || ok(n.Params)) {
				found = n.Params
				return true
			}
		}
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("no %s notification as expected: %v; got %s", method, err, e.NoteSummary())
	}
	return found, nil
}

// Notes returns the notifications so far, in order.
func (e *Editor) Notes() []*Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.notes[:len(e.notes):len(e.notes)]
}

// NoteSummary lists the notifications so far, one a line.
func (e *Editor) NoteSummary() string {
	var b strings.Builder
	for _, n := range e.Notes() {
		b.WriteString(n.Method + " " + string(n.Params) + "\n")
	}
	return b.String()
}

// Received is every byte the server wrote so far.
func (e *Editor) Received() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.received.String()
}

// ResetReceived forgets the bytes kept so far (long benchmarks).
func (e *Editor) ResetReceived() {
	e.mu.Lock()
	e.received.Reset()
	e.mu.Unlock()
}

// Initialize sends initialize, with client capabilities caps (nil: none)
// and initializationOptions (nil: none), then initialized.
func (e *Editor) Initialize(ctx context.Context, caps, initOptions any) (protocol.InitializeResult, error) {
	if caps == nil {
		caps = map[string]any{}
	}
	params := map[string]any{
		"processId":    nil,
		"rootUri":      nil,
		"capabilities": caps,
		"clientInfo":   map[string]any{"name": "lsptest", "version": "1"},
	}
	if initOptions != nil {
		params["initializationOptions"] = initOptions
	}
	var res protocol.InitializeResult
	if err := e.CallResult(ctx, protocol.MethodInitialize, params, &res); err != nil {
		return res, err
	}
	return res, e.Notify(protocol.MethodInitialized, map[string]any{})
}

// Open sends didOpen of uri at version 1, in the language VS Code gives
// its extension.
func (e *Editor) Open(uri, text string) error {
	return e.Notify(protocol.MethodTextDocumentDidOpen, map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": LanguageOf(uri), "version": 1, "text": text},
	})
}

// Change sends didChange replacing the whole text of uri.
func (e *Editor) Change(uri string, version int, text string) error {
	return e.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []any{map[string]any{"text": text}},
	})
}

// Shutdown sends shutdown and waits for its answer, then exit.
func (e *Editor) Shutdown(ctx context.Context) error {
	if err := e.CallResult(ctx, protocol.MethodShutdown, nil, nil); err != nil {
		return err
	}
	return e.Notify(protocol.MethodExit, nil)
}

// LanguageOf is the language id VS Code gives a file of uri's extension.
func LanguageOf(uri string) string {
	switch path.Ext(uri) {
	case ".py":
		return "python"
	case ".scala":
		return "scala"
	}
	return "sql"
}

// idKey keys a request id by its JSON: the server echoes ids as it got
// them, and a number and a string never look alike.
func idKey(id json.RawMessage) (string, bool) {
	var b bytes.Buffer
	if json.Compact(&b, id) != nil || b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}
