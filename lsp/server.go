package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Logger receives the server's log (stderr in sparkls serve); never a token.
	Logger *slog.Logger
	// Version is the sparkls version, for serverInfo and the Spark user agent.
	Version string
	// Getenv reads $SPARK_REMOTE (os.Getenv when nil).
	Getenv func(string) string
	// Connect tunes the Spark client (timeouts, a test dialer). Logger and
	// Version are filled in from the fields above.
	Connect connect.Options
	// Dial replaces how the server reaches Spark; nil means
	// connect.EnsureLocal (for "local") then connect.Dial. progress takes
	// lines for the user while a local server starts.
	Dial func(ctx context.Context, r connect.Remote, progress func(string)) (*connect.Client, error)
}

// ErrExitWithoutShutdown is what Serve returns when the client said exit, or
// went away, without a shutdown request first: the spec's exit code 1.
var ErrExitWithoutShutdown = errors.New("the client ended the session without a shutdown request")

// codeRequestFailed is LSP 3.17's RequestFailed: a known method with valid
// params that failed. protocol v0.12.0 (LSP 3.16) predates it; older
// clients show it like any other error.
const codeRequestFailed jsonrpc2.Code = -32803

// Lifecycle states (spec: initialize, then requests, then shutdown and exit).
const (
	stateNew int32 = iota
	stateInitialized
	stateShutdown
)

// Server is a sparkls language server for one client. Create it with
// NewServer and run it with Serve, once.
type Server struct {
	opts   Options
	log    *slog.Logger
	getenv func(string) string
	routes map[string]route

	ctx   context.Context // the session: cancelled when Serve returns
	conn  *conn
	state atomic.Int32
	wg    sync.WaitGroup // request goroutines and background work

	// client describes the editor; written by initialize before any
	// request goroutine or background work starts, read-only after.
	clientCaps protocol.ClientCapabilities

	docs       documents
	settings   atomic.Pointer[Settings]
	settingsMu sync.Mutex // serializes settings writers
	// baseSettings are those of initializationOptions (guarded by
	// settingsMu): later pushes and pulls are decoded over them.
	baseSettings Settings
	settingGen   atomic.Uint64 // newest settings change; a stale pull is dropped

	inflightMu sync.Mutex
	inflight   map[string]*inflight

	spark    spark
	schema   schemaState     // schema.go: the catalog cache of the remote
	analysis analysisSession // analysis.go: the copy of the session analysis runs on
	runState runState        // run.go: runs in flight, their results and diagnostics
	diags    *diagnostics    // diagnostics.go: analysis of open documents
	types    typeCache       // types.go: Spark's types of queries, for hover
	sessVars sessionVarState // session_vars.go: the session's variables and values
	shapes   shapeCache      // variant.go: the shapes of VARIANT columns
	// params are the named parameter values of each document's last run
	// (by URI): IDENTIFIER(:tbl) resolves through them.
	params sync.Map
}

// inflight is a request being handled.
type inflight struct {
	method    string
	cancel    context.CancelFunc
	cancelled bool // by $/cancelRequest; guarded by Server.inflightMu
}

// NewServer returns a server that has not started serving.
func NewServer(opts Options) *Server {
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		getenv:   opts.Getenv,
		inflight: map[string]*inflight{},
		runState: runState{active: map[string]*activeRun{}, docs: map[protocol.DocumentURI]*docRuns{}},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	defaults := DefaultSettings()
	s.settings.Store(&defaults)
	s.baseSettings = defaults
	s.settingGen.Store(1) // 0 means "apply unconditionally"
	s.routes = s.routeTable()
	return s
}

// Snapshot is the state a request sees: the open documents and the
// settings as they were when the request arrived, after every earlier
// notification. It is immutable; reading it never locks.
type Snapshot struct {
	docs     docMap
	Settings Settings
}

// Document returns the open document with this URI.
func (sn *Snapshot) Document(uri protocol.DocumentURI) (*Document, bool) {
	d, ok := sn.docs[uri]
	return d, ok
}

// DocumentCount is the number of open documents.
func (sn *Snapshot) DocumentCount() int { return len(sn.docs) }

func (s *Server) snapshot() *Snapshot {
	return &Snapshot{docs: s.docs.load(), Settings: *s.settings.Load()}
}

// route is how one method is handled. Requests run on their own goroutine
// with the snapshot taken on arrival unless inline; notifications run on the
// reading goroutine, in order, before the next message is read.
type route struct {
	request func(ctx context.Context, snap *Snapshot, params json.RawMessage) (any, error)
	notify  func(ctx context.Context, params json.RawMessage) error
	inline  bool // run the request before reading the next message (initialize, shutdown)
}

// request adapts a typed request handler.
func request[P, R any](fn func(ctx context.Context, snap *Snapshot, params *P) (R, error)) route {
	return route{request: func(ctx context.Context, snap *Snapshot, raw json.RawMessage) (any, error) {
		var p P
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		return fn(ctx, snap, &p)
	}}
}

// notification adapts a typed notification handler.
func notification[P any](fn func(ctx context.Context, params *P) error) route {
	return route{notify: func(ctx context.Context, raw json.RawMessage) error {
		var p P
		if err := decodeParams(raw, &p); err != nil {
			return err
		}
		return fn(ctx, &p)
	}}
}

// inline marks a request route to run on the reading goroutine.
func inline(r route) route {
	r.inline = true
	return r
}

func decodeParams(raw json.RawMessage, p any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, p); err != nil {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, "invalid params: "+err.Error())
	}
	return nil
}

// handle registers (or replaces) a route; before Serve only.
func (s *Server) handle(method string, r route) { s.routes[method] = r }

type frame struct {
	body []byte
	warn string
	err  error
}

// Serve reads messages from in and writes to out until the client sends
// exit, in ends, or ctx is cancelled. It returns nil after shutdown then
// exit, ErrExitWithoutShutdown after exit (or the end of in) without
// shutdown, and ctx's error when cancelled.
func (s *Server) Serve(ctx context.Context, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	s.ctx = ctx
	s.conn = newConn(out, s.log)

	frames := make(chan frame)
	go readFrames(ctx, newFramer(in), frames)

	defer func() {
		s.conn.close()
		cancel()
		s.disconnect()
		s.waitBackground(5 * time.Second)
	}()
	for {
		var f frame
		select {
		case <-ctx.Done():
			return ctx.Err()
		case f = <-frames:
		}
		var fe *frameError
		switch {
		case errors.As(f.err, &fe):
			s.log.Error("skipped a malformed message; still serving", "err", f.err)
			continue
		case errors.Is(f.err, io.EOF):
			s.log.Info("the client closed the connection")
			return s.exitResult()
		case f.err != nil:
			s.log.Error("cannot read from the client", "err", f.err)
			return fmt.Errorf("read from the client: %w", f.err)
		}
		if f.warn != "" {
			s.log.Warn("skipped garbage before a message", "what", f.warn)
		}
		if exit := s.dispatch(f.body); exit {
			return s.exitResult()
		}
	}
}

func readFrames(ctx context.Context, fr *framer, out chan<- frame) {
	for {
		body, warn, err := fr.read()
		select {
		case out <- frame{body, warn, err}:
		case <-ctx.Done():
			return
		}
		var fe *frameError
		if err != nil && !errors.As(err, &fe) {
			return
		}
	}
}

func (s *Server) exitResult() error {
	if s.state.Load() == stateShutdown {
		return nil
	}
	return ErrExitWithoutShutdown
}

// waitBackground waits for request goroutines and background work, but not
// forever: a write to a client that stopped reading must not hang the exit.
func (s *Server) waitBackground(limit time.Duration) {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Warn("background work did not end in time; exiting anyway", "waited", limit)
	}
}

// goBackground runs fn on its own goroutine, counted for Serve's exit.
func (s *Server) goBackground(fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.recoverAndLog("background work")
		fn()
	}()
}

func (s *Server) recoverAndLog(what string) {
	if p := recover(); p != nil {
		s.log.Error("panic recovered; still serving", "in", what, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
}

// dispatch handles one message body on the reading goroutine. It reports
// whether the client said exit.
func (s *Server) dispatch(body []byte) (exit bool) {
	var m message
	if !utf8.Valid(body) {
		bad := len(body) - len(validPrefix(body))
		s.parseError(body, fmt.Sprintf("message is not valid UTF-8 (first bad byte at offset %d of %d)", bad, len(body)))
		return false
	}
	if err := json.Unmarshal(body, &m); err != nil {
		s.parseError(body, "message is not valid JSON-RPC: "+err.Error())
		return false
	}
	switch {
	case m.isCall():
		s.dispatchCall(&m)
	case m.Method != "":
		return s.dispatchNotification(&m)
	case len(m.ID) > 0:
		if !s.conn.deliver(&m) {
			s.log.Warn("a response to no call of ours", "id", string(m.ID))
		}
	default:
		s.log.Error("a message with neither method nor id; ignored", "bytes", len(body))
	}
	return false
}

func validPrefix(b []byte) []byte {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return b[:i]
		}
		i += n
	}
	return b
}

// parseError answers a message that cannot be decoded: with ParseError if
// its id can be found (so the client does not wait forever), else a log line
// (a response with a null id would only confuse clients). The body itself is
// not logged: it may hold a token.
func (s *Server) parseError(body []byte, why string) {
	id := recoverID(body)
	s.log.Error("unreadable message; still serving", "why", why, "id", string(id), "bytes", len(body))
	if id != nil {
		s.replyError(id, jsonrpc2.NewError(jsonrpc2.ParseError, why))
	}
}

func (s *Server) replyError(id json.RawMessage, err *jsonrpc2.Error) {
	if werr := s.conn.reply(id, nil, err); werr != nil && !errors.Is(werr, errClosed) {
		s.log.Debug("reply not written", "err", werr)
	}
}

func (s *Server) dispatchCall(m *message) {
	key, ok := idKey(m.ID)
	if !ok {
		s.replyError(nullID, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "request id must be a number or a string"))
		return
	}
	state := s.state.Load()
	switch {
	case m.Method == protocol.MethodInitialize && state != stateNew:
		s.replyError(m.ID, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize was already received"))
		return
	case state == stateNew && m.Method != protocol.MethodInitialize:
		s.replyError(m.ID, jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, m.Method+": the server is not initialized yet"))
		return
	case state == stateShutdown:
		s.replyError(m.ID, jsonrpc2.NewError(jsonrpc2.InvalidRequest, m.Method+": the server is shutting down"))
		return
	}
	r, ok := s.routes[m.Method]
	if !ok || r.request == nil {
		s.replyError(m.ID, jsonrpc2.NewError(jsonrpc2.MethodNotFound, "method not found: "+m.Method))
		return
	}
	snap := s.snapshot()
	if r.inline {
		result, err := s.invoke(s.ctx, r, snap, m)
		s.finish(m, result, err, false)
		return
	}

	ctx, cancel := context.WithCancel(s.ctx)
	req := &inflight{method: m.Method, cancel: cancel}
	s.inflightMu.Lock()
	if _, dup := s.inflight[key]; dup {
		s.inflightMu.Unlock()
		cancel()
		s.replyError(m.ID, jsonrpc2.NewError(jsonrpc2.InvalidRequest, fmt.Sprintf("request id %s is already in flight", m.ID)))
		return
	}
	s.inflight[key] = req
	s.inflightMu.Unlock()

	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		result, err := s.invoke(ctx, r, snap, m)
		s.inflightMu.Lock()
		delete(s.inflight, key)
		cancelled := req.cancelled
		s.inflightMu.Unlock()
		s.finish(m, result, err, cancelled)
	}()
}

// invoke runs a request handler, turning a panic into InternalError.
func (s *Server) invoke(ctx context.Context, r route, snap *Snapshot, m *message) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in a request handler; answered InternalError, still serving",
				"method", m.Method, "id", string(m.ID), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			result, err = nil, jsonrpc2.NewError(jsonrpc2.InternalError, m.Method+": internal error (the server log has the details)")
		}
	}()
	return r.request(ctx, snap, m.Params)
}

// finish answers a request.
func (s *Server) finish(m *message, result any, err error, cancelled bool) {
	if cancelled {
		s.replyError(m.ID, jsonrpc2.NewError(protocol.CodeRequestCancelled, m.Method+": cancelled"))
		return
	}
	if err != nil {
		we := toWireError(err)
		if we.Code != protocol.CodeRequestCancelled {
			s.log.Warn("request failed", "method", m.Method, "id", string(m.ID), "code", int(we.Code), "err", we.Message)
		}
		s.replyError(m.ID, we)
		return
	}
	if werr := s.conn.reply(m.ID, result, nil); werr != nil && !errors.Is(werr, errClosed) {
		s.log.Debug("reply not written", "method", m.Method, "err", werr)
	}
}

// toWireError keeps a handler's *jsonrpc2.Error and codes other errors:
// cancellation as RequestCancelled, anything else as RequestFailed.
func toWireError(err error) *jsonrpc2.Error {
	var we *jsonrpc2.Error
	if errors.As(err, &we) {
		return we
	}
	if errors.Is(err, context.Canceled) {
		return jsonrpc2.NewError(protocol.CodeRequestCancelled, "cancelled")
	}
	return jsonrpc2.NewError(codeRequestFailed, err.Error())
}

func (s *Server) dispatchNotification(m *message) (exit bool) {
	switch m.Method {
	case protocol.MethodExit:
		return true
	case protocol.MethodCancelRequest:
		s.cancelRequest(m.Params)
		return false
	}
	switch s.state.Load() {
	case stateNew:
		s.log.Debug("notification before initialize; dropped", "method", m.Method)
		return false
	case stateShutdown:
		s.log.Debug("notification after shutdown; dropped", "method", m.Method)
		return false
	}
	r, ok := s.routes[m.Method]
	if !ok || r.notify == nil {
		if !strings.HasPrefix(m.Method, "$/") {
			s.log.Info("unknown notification; ignored", "method", m.Method)
		}
		return false
	}
	func() {
		defer s.recoverAndLog(m.Method)
		if err := r.notify(s.ctx, m.Params); err != nil {
			s.log.Warn("notification failed", "method", m.Method, "err", err)
		}
	}()
	return false
}

// cancelRequest handles $/cancelRequest for numeric and string ids: the
// request's context is cancelled and its answer becomes RequestCancelled.
// An id that is not in flight (already answered) is ignored, as the spec says.
func (s *Server) cancelRequest(raw json.RawMessage) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		s.log.Warn("$/cancelRequest with unreadable params", "err", err)
		return
	}
	key, ok := idKey(p.ID)
	if !ok {
		s.log.Warn("$/cancelRequest without a number or string id")
		return
	}
	s.inflightMu.Lock()
	req, ok := s.inflight[key]
	if ok {
		req.cancelled = true
	}
	s.inflightMu.Unlock()
	if ok {
		req.cancel()
		s.log.Debug("request cancelled by the client", "method", req.method, "id", string(p.ID))
	}
}

// notify sends a notification to the client (from any goroutine).
func (s *Server) notify(method string, params any) {
	if err := s.conn.notify(method, params); err != nil && !errors.Is(err, errClosed) {
		s.log.Debug("notification not written", "method", method, "err", err)
	}
}

// logToClient shows a line in the editor's output (window/logMessage).
func (s *Server) logToClient(typ protocol.MessageType, msg string) {
	s.notify(protocol.MethodWindowLogMessage, protocol.LogMessageParams{Type: typ, Message: msg})
}
