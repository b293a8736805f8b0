package lsp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/protocol"

	"github.com/google/uuid"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/databricks"
)

// Status is the payload of the sparkls/status notification: the state of
// the Spark connection. Remote never holds a token.
type Status struct {
	State        string `json:"state"` // StateConnecting, StateConnected, StateDisconnected, StateError
	Remote       string `json:"remote"`
	SparkVersion string `json:"sparkVersion,omitempty"`
	Message      string `json:"message,omitempty"` // why not connected
	// RetryIn is the seconds until the next connection attempt after an
	// error (0: none planned, the remote itself is wrong).
	RetryIn int `json:"retryIn,omitempty"`
	// Lacks says what the connected server cannot do that sparkls would
	// use (Spark 3.5: progress counts, the error-detail RPC); said once,
	// when connected, and logged.
	Lacks []string `json:"lacks,omitempty"`
}

// spark is the server's Spark connection: one client at a time, made in the
// background, replaced when the remote setting changes, made again with
// backoff after a failed attempt or a lost connection.
type spark struct {
	started atomic.Bool // after initialized: settings changes may reconnect

	mu     sync.Mutex // guards the fields below; never held during I/O
	target string     // the resolved remote being served; may hold a token, never log it
	gen    uint64     // bumped by every reconnect and disconnect
	cancel context.CancelFunc
	retry  chan struct{} // of the current generation: ends a backoff wait at once
	// changed is closed and replaced at every status change (waitClient).
	changed chan struct{}

	cur atomic.Pointer[sparkConn] // read without locking by client()

	statusMu sync.Mutex // orders status notifications; taken before mu

	// delay is the backoff before attempt n+1 after n failures (tests
	// replace it); nil means backoff.
	delay func(n int) time.Duration
}

// backoff is the wait before the next connection attempt after n failed
// ones (n >= 1): 1, 2, 4, 8, 16, then 30 s, so a server that comes back is
// found within 30 s without hammering one that stays down.
func backoff(n int) time.Duration {
	if n > 5 {
		return 30 * time.Second
	}
	return min(time.Second<<(n-1), 30*time.Second)
}

type sparkConn struct {
	client *connect.Client // nil unless connected
	status Status
}

// client returns the connected Spark client. It never blocks; ok is false
// while connecting, after a failure, or with no connection at all, and
// features then do without Spark.
func (s *Server) client() (*connect.Client, bool) {
	if c := s.spark.cur.Load(); c != nil && c.client != nil {
		return c.client, true
	}
	return nil, false
}

// waitClient returns the Spark client for a run, explain or refresh. While
// a connection is being made (or before the first attempt, or between
// retries, which it cuts short) it waits up to timeout with work-done
// progress "Connecting to …": a user who runs at once gets a result, not
// "not connected". It fails with the reason of the last status.
func (s *Server) waitClient(ctx context.Context, timeout time.Duration) (*connect.Client, error) {
	if c, ok := s.client(); ok {
		return c, nil
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var prog *runProgress
	defer func() {
		if prog != nil {
			prog.end("")
		}
	}()
	var failed Status // the last failed attempt seen while waiting
	for {
		s.spark.mu.Lock()
		if s.spark.changed == nil {
			s.spark.changed = make(chan struct{})
		}
		changed := s.spark.changed
		s.retryNowLocked()
		s.spark.mu.Unlock()
		if c, ok := s.client(); ok {
			return c, nil
		}
		st := s.sparkStatus()
		if st.State == StateError && st.RetryIn == 0 {
			return nil, notConnected(st) // the remote is wrong: waiting cannot help
		}
		if st.State == StateError {
			failed = st
		}
		if prog == nil {
			remote := st.Remote
			if remote == "" { // before the first attempt
				remote = connect.Redact(s.settings.Load().ResolvedRemote(s.getenv))
			}
			prog = s.startProgress(ctx, nil, "sparkls-connect-"+uuid.NewString(), "Spark: connecting", "Connecting to "+remote, false)
		}
		select {
		case <-changed:
		case <-deadline.C:
			st := s.sparkStatus()
			if st.State == StateConnecting && failed.Message != "" {
				st.Message = "the last attempt failed: " + failed.Message
			}
			return nil, notConnected(st)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// notConnected says why there is no Spark client.
func notConnected(st Status) error {
	why := st.State
	if st.Message != "" {
		why += ": " + st.Message
	}
	return fmt.Errorf("not connected to Spark (%s)", why)
}

// sparkStatus is the last status sent.
func (s *Server) sparkStatus() Status {
	if c := s.spark.cur.Load(); c != nil {
		return c.status
	}
	return Status{State: StateDisconnected}
}

// reconnect makes raw (a resolved remote string) the remote to serve: if it
// differs from the current one (or force is set), it cancels the attempt in
// progress, closes the old client in the background and connects in the
// background. The same remote again, while waiting to retry after an
// error, retries at once: re-sending the settings is how a user says "try
// now". It never blocks on the network.
func (s *Server) reconnect(raw string, force bool) {
	s.spark.mu.Lock()
	defer s.spark.mu.Unlock()
	if s.state.Load() == stateShutdown {
		return
	}
	if !force && s.spark.cancel != nil && raw == s.spark.target {
		s.retryNowLocked()
		return
	}
	old, oldSchema := s.dropLocked(), s.dropSchemaLocked()
	s.spark.target = raw
	ctx, cancel := context.WithCancel(s.ctx)
	s.spark.cancel = cancel
	s.spark.retry = make(chan struct{}, 1)
	gen := s.spark.gen
	if old != nil || oldSchema != nil {
		s.goBackground(func() {
			s.closeSchema(oldSchema) // first: its loads use the client
			if old != nil {
				s.closeClient(old)
			}
		})
	}
	retry := s.spark.retry
	s.goBackground(func() { s.connectSpark(ctx, gen, raw, retry) })
}

// retryNowLocked ends the current backoff wait, if there is one; spark.mu
// is held.
func (s *Server) retryNowLocked() {
	if c := s.spark.cur.Load(); c == nil || c.status.State != StateError || c.status.RetryIn == 0 {
		return
	}
	select {
	case s.spark.retry <- struct{}{}:
	default:
	}
}

// reconnectNow is sparkls.reconnect: a fresh connection to the remote of the
// current settings, at once, whatever the state of the current one.
func (s *Server) reconnectNow() {
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	if s.spark.started.Load() {
		s.reconnect(s.settings.Load().ResolvedRemote(s.getenv), true)
	}
}

// disconnect ends the connection (shutdown, end of session), tells the
// client, and waits for the schema cache to be saved and the old client to
// close (bounded by connect.Client.Close).
func (s *Server) disconnect() {
	s.spark.statusMu.Lock()
	s.spark.mu.Lock()
	prev := s.spark.cur.Load()
	old, oldSchema := s.dropLocked(), s.dropSchemaLocked()
	s.spark.cancel, s.spark.target = nil, ""
	s.spark.mu.Unlock()
	if prev != nil && prev.status.State != StateDisconnected {
		s.notify(NotifyStatus, Status{State: StateDisconnected, Remote: prev.status.Remote, Message: "the language server is shutting down"})
	}
	s.spark.statusMu.Unlock()
	s.closeSchema(oldSchema)
	if old != nil {
		s.closeClient(old)
	}
}

// dropLocked invalidates the current attempt and connection and returns
// the client to close, if any.
func (s *Server) dropLocked() *connect.Client {
	s.spark.gen++
	if s.spark.cancel != nil {
		s.spark.cancel()
	}
	prev := s.spark.cur.Load()
	if prev == nil {
		return nil
	}
	s.spark.cur.Store(&sparkConn{status: Status{State: StateDisconnected, Remote: prev.status.Remote}})
	s.changedLocked()
	return prev.client
}

// closeClient releases c's session and connection, and first the copy of
// its session that analysis used (analysis.go), which shares the connection.
func (s *Server) closeClient(c *connect.Client) {
	s.analysis.mu.Lock()
	var clone *connect.Client
	if a := &s.analysis; a.parent == c {
		if a.clone != c {
			clone = a.clone
		}
		a.clone, a.parent, a.src = nil, nil, nil
	}
	s.analysis.mu.Unlock()
	if clone != nil {
		clone.Close()
	}
	if err := c.Close(); err != nil {
		s.log.Debug("closing the Spark client", "remote", c.Remote().String(), "err", err)
	}
}

// connectSpark connects for generation gen and keeps it connected: after a
// failed attempt or a lost connection it tries again after backoff (or at
// once when retry fires), until the generation is superseded (new remote,
// sparkls.reconnect, shutdown) and ctx ends. A remote that does not parse
// is not retried: only a new setting can fix it.
func (s *Server) connectSpark(ctx context.Context, gen uint64, raw string, retry <-chan struct{}) {
	r, err := databricks.ParseRemoteEnv(raw, s.getenv)
	if err != nil {
		s.publish(gen, nil, Status{State: StateError, Remote: connect.Redact(raw), Message: err.Error()})
		return
	}
	remote := r.String()
	scrub := r.Scrub
	s.publish(gen, nil, Status{State: StateConnecting, Remote: remote})
	// The disk cache of this remote, until Spark answers (or if it never does).
	// On Databricks, Unity Catalog's REST API answers meanwhile: completion
	// works while the cluster is off or starting.
	uc := s.unityCatalog(r)
	if uc != nil {
		s.openSchema(gen, uc.SchemaKey(), &databricks.FallbackSource{Fallback: uc}, "")
	} else {
		s.openSchema(gen, connect.SchemaKey(r), nil, "")
	}
	progress := func(line string) {
		line = scrub(line)
		s.log.Info(line)
		s.logToClient(protocol.MessageTypeInfo, "sparkls: "+line)
	}
	// A lost client is closed only once a new one is connected (or this
	// generation ends): closing it would turn the failure of a run still
	// reading from it into a misleading "cancelled".
	var lost *connect.Client
	defer func() {
		if lost != nil {
			s.closeClient(lost)
		}
	}()
	for failures := 0; ; {
		wasConnected, err := s.connectOnce(ctx, gen, r, uc, progress, &lost)
		if ctx.Err() != nil {
			return // superseded or shut down: not an error to report
		}
		msg := scrub(err.Error())
		if wasConnected {
			failures = 0
			msg = "connection lost: " + msg
		}
		failures++
		delay := backoff(failures)
		if s.spark.delay != nil {
			delay = s.spark.delay(failures)
		}
		st := Status{State: StateError, Remote: remote, Message: msg, RetryIn: max(1, int(delay.Round(time.Second)/time.Second))}
		if !s.publish(gen, nil, st) {
			return
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-retry:
			timer.Stop()
		case <-timer.C:
		}
		if !s.publish(gen, nil, Status{State: StateConnecting, Remote: remote}) {
			return
		}
	}
}

// connectOnce dials once and, when that works, closes the previously lost
// client and serves the new one until its connection is lost (it is then
// left in *lost, and connected is true) or ctx ends. err says why the dial
// failed or the connection was lost.
func (s *Server) connectOnce(ctx context.Context, gen uint64, r connect.Remote, uc *databricks.UCSource, progress func(string), lost **connect.Client) (connected bool, err error) {
	c, err := s.dial(ctx, r, progress)
	if err != nil {
		return false, err
	}
	if old := *lost; old != nil {
		*lost = nil
		s.goBackground(func() { s.closeClient(old) })
	}
	version, err := c.SparkVersion(ctx) // cached by Dial
	if err != nil {
		version = ""
	}
	// Copy the session now, so that lacks says whether the server can, and
	// ask what it lacks before the catalog starts loading over the copy.
	s.analysisOf(ctx, c)
	lacks := c.Capabilities(ctx).Lacks()
	// The catalog loads through the analysis session (analysis.go).
	src := &databricks.FallbackSource{Primary: s.analysisSource(c)}
	if uc != nil {
		src.Fallback = uc
	}
	s.openSchema(gen, c.SchemaKey(), src, version)
	if !s.publish(gen, c, Status{State: StateConnected, Remote: r.String(), SparkVersion: version, Lacks: lacks}) {
		s.closeClient(c) // superseded while dialing
		return false, ctx.Err()
	}
	err = c.WaitLost(ctx)
	if ctx.Err() != nil {
		return true, ctx.Err() // superseded: reconnect or disconnect closes the client
	}
	*lost = c
	return true, err
}

// unityCatalog is the Unity Catalog source of a Databricks remote, else nil.
func (s *Server) unityCatalog(r connect.Remote) *databricks.UCSource {
	if r.Workspace == nil {
		return nil
	}
	uc, err := databricks.NewUCSource(r, databricks.UCOptions{RootCAs: s.opts.Connect.RootCAs, Logger: s.log})
	if err != nil {
		s.log.Warn("Unity Catalog unavailable", "err", err)
		return nil
	}
	return uc
}

func (s *Server) dial(ctx context.Context, r connect.Remote, progress func(string)) (*connect.Client, error) {
	if s.opts.Dial != nil {
		return s.opts.Dial(ctx, r, progress)
	}
	r, err := connect.EnsureLocal(ctx, r, progress)
	if err != nil {
		return nil, err
	}
	opts := s.opts.Connect
	opts.Version = s.opts.Version
	opts.Logger = s.log
	return connect.Dial(ctx, r, opts)
}

// publish makes st (and c) current if gen is still the newest attempt, and
// tells the client with sparkls/status and window/logMessage. It reports
// whether it did.
func (s *Server) publish(gen uint64, c *connect.Client, st Status) bool {
	s.spark.statusMu.Lock()
	defer s.spark.statusMu.Unlock()
	s.spark.mu.Lock()
	if gen != s.spark.gen {
		s.spark.mu.Unlock()
		return false
	}
	s.spark.cur.Store(&sparkConn{client: c, status: st})
	s.changedLocked()
	s.spark.mu.Unlock()

	s.notify(NotifyStatus, st)
	switch st.State {
	case StateConnecting:
		s.log.Info("connecting to Spark", "remote", st.Remote)
		s.logToClient(protocol.MessageTypeInfo, "sparkls: connecting to "+st.Remote)
	case StateConnected:
		s.log.Info("connected to Spark", "remote", st.Remote, "sparkVersion", st.SparkVersion)
		s.logToClient(protocol.MessageTypeInfo, fmt.Sprintf("sparkls: connected to Spark %s at %s", st.SparkVersion, st.Remote))
		if len(st.Lacks) > 0 {
			s.log.Info("the Spark server lacks features", "sparkVersion", st.SparkVersion, "lacks", st.Lacks)
			s.logToClient(protocol.MessageTypeInfo, fmt.Sprintf("sparkls: Spark %s has %s", st.SparkVersion, strings.Join(st.Lacks, "; ")))
		}
	case StateError:
		s.log.Warn("cannot connect to Spark; serving without it", "remote", st.Remote, "err", st.Message, "retryIn", st.RetryIn)
		msg := st.Message
		if !strings.Contains(msg, st.Remote) {
			msg = st.Remote + ": " + msg
		}
		if st.RetryIn > 0 {
			msg += fmt.Sprintf("; retrying in %d s", st.RetryIn)
		}
		s.logToClient(protocol.MessageTypeWarning, "sparkls: cannot connect to Spark: "+msg+" (editing works without it)")
	}
	return true
}

// changedLocked wakes every waitClient; spark.mu is held.
func (s *Server) changedLocked() {
	if s.spark.changed != nil {
		close(s.spark.changed)
	}
	s.spark.changed = make(chan struct{})
}
