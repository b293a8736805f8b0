package lsp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/schema"
)

// Status is the payload of the sparkls/status notification: the state of
// the Spark connection. Remote never holds a token.
type Status struct {
	State        string `json:"state"` // StateConnecting, StateConnected, StateDisconnected, StateError
	Remote       string `json:"remote"`
	SparkVersion string `json:"sparkVersion,omitempty"`
	Message      string `json:"message,omitempty"` // why not connected
	// Lacks says what the connected server cannot do that sparkls would
	// use (Spark 3.5: progress counts, the error-detail RPC); said once,
	// when connected, and logged.
	Lacks []string `json:"lacks,omitempty"`
}

// spark is the server's Spark connection: one client at a time, made in the
// background, replaced when the remote setting changes.
type spark struct {
	started atomic.Bool // after initialized: settings changes may reconnect

	mu     sync.Mutex // guards the fields below; never held during I/O
	target string     // the resolved remote being served; may hold a token, never log it
	gen    uint64     // bumped by every reconnect and disconnect
	cancel context.CancelFunc

	cur atomic.Pointer[sparkConn] // read without locking by client()

	statusMu sync.Mutex // orders status notifications; taken before mu
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

// sparkStatus is the last status sent.
func (s *Server) sparkStatus() Status {
	if c := s.spark.cur.Load(); c != nil {
		return c.status
	}
	return Status{State: StateDisconnected}
}

// reconnect makes raw (a resolved remote string) the remote to serve: if it
// differs from the current one, it cancels the attempt in progress, closes
// the old client in the background and connects in the background. It
// never blocks on the network.
func (s *Server) reconnect(raw string) {
	s.spark.mu.Lock()
	defer s.spark.mu.Unlock()
	if s.state.Load() == stateShutdown || (s.spark.cancel != nil && raw == s.spark.target) {
		return
	}
	old, oldSchema := s.dropLocked(), s.dropSchemaLocked()
	s.spark.target = raw
	ctx, cancel := context.WithCancel(s.ctx)
	s.spark.cancel = cancel
	gen := s.spark.gen
	if old != nil || oldSchema != nil {
		s.goBackground(func() {
			s.closeSchema(oldSchema) // first: its loads use the client
			if old != nil {
				s.closeClient(old)
			}
		})
	}
	s.goBackground(func() { s.connectSpark(ctx, gen, raw) })
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
	return prev.client
}

func (s *Server) closeClient(c *connect.Client) {
	if err := c.Close(); err != nil {
		s.log.Debug("closing the Spark client", "remote", c.Remote().String(), "err", err)
	}
}

// connectSpark makes one connection attempt for generation gen.
func (s *Server) connectSpark(ctx context.Context, gen uint64, raw string) {
	r, err := connect.ParseRemoteEnv(raw, s.getenv)
	if err != nil {
		s.publish(gen, nil, Status{State: StateError, Remote: connect.Redact(raw), Message: err.Error()})
		return
	}
	remote := r.String()
	scrub := func(msg string) string {
		if r.Token != "" {
			msg = strings.ReplaceAll(msg, r.Token, "***")
		}
		return msg
	}
	s.publish(gen, nil, Status{State: StateConnecting, Remote: remote})
	// The disk cache of this remote, until Spark answers (or if it never does).
	// On Databricks, Unity Catalog's REST API answers meanwhile: completion
	// works while the cluster is off or starting.
	uc := s.unityCatalog(r)
	if uc != nil {
		s.openSchema(gen, uc.SchemaKey(), &connect.FallbackSource{Fallback: uc})
	} else {
		s.openSchema(gen, schemaKey(r), nil)
	}
	progress := func(line string) {
		line = scrub(line)
		s.log.Info(line)
		s.logToClient(protocol.MessageTypeInfo, "sparkls: "+line)
	}
	c, err := s.dial(ctx, r, progress)
	if err != nil {
		if ctx.Err() != nil {
			return // superseded or shut down: not an error to report
		}
		s.publish(gen, nil, Status{State: StateError, Remote: remote, Message: scrub(err.Error())})
		return
	}
	version, err := c.SparkVersion(ctx) // cached by Dial
	if err != nil {
		version = ""
	}
	if uc != nil {
		spark := c.SchemaSource()
		s.openSchema(gen, c.SchemaKey(), &connect.FallbackSource{Primary: func() schema.Source { return spark }, Fallback: uc})
	} else {
		s.openSchema(gen, c.SchemaKey(), c.SchemaSource())
	}
	lacks := c.Capabilities(ctx).Lacks()
	if !s.publish(gen, c, Status{State: StateConnected, Remote: remote, SparkVersion: version, Lacks: lacks}) {
		s.closeClient(c) // superseded while dialing
	}
}

// unityCatalog is the Unity Catalog source of a Databricks remote, else nil.
func (s *Server) unityCatalog(r connect.Remote) *connect.UCSource {
	if r.Databricks == nil {
		return nil
	}
	uc, err := connect.NewUCSource(r, connect.UCOptions{RootCAs: s.opts.Connect.RootCAs, Logger: s.log})
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
	if err := connect.EnsureLocal(ctx, r, progress); err != nil {
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
		s.log.Warn("cannot connect to Spark; serving without it", "remote", st.Remote, "err", st.Message)
		msg := st.Message
		if !strings.Contains(msg, st.Remote) {
			msg = st.Remote + ": " + msg
		}
		s.logToClient(protocol.MessageTypeWarning, "sparkls: cannot connect to Spark: "+msg+" (editing works without it)")
	}
	return true
}
