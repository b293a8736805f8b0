// Package connect is the Spark Connect client of sparkls: remote strings,
// one server-side session per client, SQL runs with bounded previews,
// analysis without execution, catalog listings, interrupts and typed errors.
//
// It is the only package that speaks gRPC and protobuf. It does not cache
// (see package schema) and knows nothing of editors.
package connect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/user"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// Options tune a Client. The zero value is usable.
type Options struct {
	// Version goes into the user agent as sparkls/<Version>.
	Version string
	// ConnectTimeout bounds Dial's first call, which proves the server answers.
	ConnectTimeout time.Duration
	// CallTimeout bounds every unary call (analysis, catalog, interrupt).
	CallTimeout time.Duration
	// Logger receives debug lines; never a token.
	Logger *slog.Logger
	// RootCAs replaces the system roots for TLS (tests use a self-signed CA).
	RootCAs *x509.CertPool
	// Dialer replaces the network dialer (the fake server's bufconn).
	Dialer func(context.Context, string) (net.Conn, error)
}

func (o *Options) defaults() {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = 60 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Client is a connection to one Spark Connect server with one server-side
// session, reused by every call so USE, SET and temporary views persist.
// It is safe for concurrent use.
type Client struct {
	remote     Remote
	opts       Options
	conn       *grpc.ClientConn
	rpc        pb.SparkConnectServiceClient
	sessionID  atomic.Pointer[string] // renewed when the server closed the session
	userID     string
	clientType string

	// ready checks the workspace's compute before calls (nil: nothing to check).
	ready func(context.Context) error

	mu                  sync.Mutex
	serverSideSessionID string
	version             string
	rpcs                map[string]bool // RPC name → it answered UNIMPLEMENTED (see capabilities.go)

	// parent is the client whose session this one's was cloned from (nil:
	// none); it owns the connection and what the server is known to lack.
	parent *Client
}

// Dial connects to the remote and checks that the server answers (its Spark
// version) within ConnectTimeout, so a dead or wrong server fails fast with a
// *TransportError instead of on the first query.
func Dial(ctx context.Context, r Remote, opts Options) (*Client, error) {
	c, err := NewClient(r, opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	// A Databricks cluster that is not running fails here, typed, before
	// any call could start it and hang.
	if c.ready != nil {
		if err := c.ready(ctx); err != nil {
			c.conn.Close()
			return nil, err
		}
	}
	if _, err := c.SparkVersion(ctx); err != nil {
		c.conn.Close()
		var te *TransportError
		if errors.As(err, &te) {
			te.Op = "connect"
		}
		return nil, err
	}
	return c, nil
}

// NewClient prepares a client without contacting the server (gRPC connects
// lazily). Most callers want Dial.
func NewClient(r Remote, opts Options) (*Client, error) {
	opts.defaults()
	c := &Client{
		remote: r,
		opts:   opts,
		userID: r.UserID,
	}
	sid := r.SessionID
	if sid == "" {
		sid = uuid.NewString()
	}
	c.sessionID.Store(&sid)
	if c.userID == "" {
		c.userID = currentUser()
	}
	ua := r.UserAgent
	if ua == "" {
		ua = "sparkls/" + opts.Version
	}
	c.clientType = fmt.Sprintf("%s os/%s go/%s", ua, runtime.GOOS, runtime.Version())

	dialOpts := []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(r.MaxMessageSize), grpc.MaxCallSendMsgSize(r.MaxMessageSize)),
		// Servers built on grpc-java refuse pings more often than every 5 minutes.
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 5*time.Minute + 10*time.Second, Timeout: 20 * time.Second}),
		grpc.WithUserAgent("sparkls/" + opts.Version),
		grpc.WithUnaryInterceptor(c.unaryHeaders),
		grpc.WithStreamInterceptor(c.streamHeaders),
	}
	if r.TLS {
		dialOpts = append(dialOpts, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: opts.RootCAs, ServerName: r.Host, MinVersion: tls.VersionTLS12})))
	} else {
		dialOpts = append(dialOpts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	switch {
	case r.Workspace != nil:
		// The workspace's token (static or OAuth) replaces the plain bearer.
		var extra []grpc.DialOption
		extra, c.ready = r.Workspace.DialOptions(opts.RootCAs, c.SessionID)
		dialOpts = append(dialOpts, extra...)
	case r.Token != "":
		dialOpts = append(dialOpts, grpc.WithPerRPCCredentials(bearer{token: r.Token, secure: r.TLS}))
	}
	if opts.Dialer != nil {
		dialOpts = append(dialOpts, grpc.WithContextDialer(opts.Dialer))
	}
	target := "dns:///" + r.Address()
	if opts.Dialer != nil {
		target = "passthrough:///" + r.Address()
	}
	conn, err := grpc.NewClient(target, dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %v", r, err)
	}
	c.conn = conn
	c.rpc = pb.NewSparkConnectServiceClient(conn)
	return c, nil
}

// Remote returns the remote this client talks to.
func (c *Client) Remote() Remote { return c.remote }

// SessionID is the client-chosen id of the server-side session.
func (c *Client) SessionID() string { return *c.sessionID.Load() }

// renewSession starts a fresh server-side session for the next calls, after
// the server closed ours (idle timeout, release): the old id is refused forever.
func (c *Client) renewSession() {
	sid := uuid.NewString()
	c.sessionID.Store(&sid)
	c.mu.Lock()
	c.serverSideSessionID = ""
	c.mu.Unlock()
}

// Close releases the server-side session (best effort, bounded) and the
// connection. A server without ReleaseSession (Spark 3.5) would keep the
// session's jobs running: they are interrupted instead.
func (c *Client) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if missing, _ := c.unimplemented("ReleaseSession"); !missing {
		_, err := c.rpc.ReleaseSession(ctx, &pb.ReleaseSessionRequest{SessionId: c.SessionID(), UserContext: c.userContext(), ClientType: &c.clientType})
		if status.Code(err) == codes.Unimplemented {
			c.remember("ReleaseSession", err)
		}
	}
	if missing, _ := c.unimplemented("ReleaseSession"); missing {
		_ = c.InterruptAll(ctx)
	}
	if c.parent != nil {
		return nil // the connection is the parent's
	}
	return c.conn.Close()
}

func (c *Client) userContext() *pb.UserContext { return &pb.UserContext{UserId: c.userID} }

// observed returns the server-side session id seen so far, so the server can
// tell us when it lost our session (INVALID_HANDLE.SESSION_CHANGED).
func (c *Client) observed() *string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.serverSideSessionID == "" {
		return nil
	}
	s := c.serverSideSessionID
	return &s
}

func (c *Client) observe(serverSideSessionID string) {
	if serverSideSessionID == "" {
		return
	}
	c.mu.Lock()
	c.serverSideSessionID = serverSideSessionID
	c.mu.Unlock()
}

// SparkVersion asks the server for its Spark version (cached after the first answer).
func (c *Client) SparkVersion(ctx context.Context) (string, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != "" {
		return v, nil
	}
	resp, err := c.analyze(ctx, &pb.AnalyzePlanRequest{Analyze: &pb.AnalyzePlanRequest_SparkVersion_{SparkVersion: &pb.AnalyzePlanRequest_SparkVersion{}}})
	if err != nil {
		return "", err
	}
	v = resp.GetSparkVersion().GetVersion()
	c.mu.Lock()
	c.version = v
	c.mu.Unlock()
	return v, nil
}

// WaitLost returns when the connection, once working, is lost: the gRPC
// channel left READY (the server went away, the network broke, or the
// channel went idle) and a probe within ConnectTimeout then failed; it
// returns the probe's error. A channel that only idled answers the probe and
// is watched again, so the session (USE, SET, temporary views) survives.
// It returns ctx.Err() when ctx ends.
func (c *Client) WaitLost(ctx context.Context) error {
	for {
		if !c.conn.WaitForStateChange(ctx, connectivity.Ready) {
			return ctx.Err()
		}
		pctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
		_, err := c.analyze(pctx, &pb.AnalyzePlanRequest{Analyze: &pb.AnalyzePlanRequest_SparkVersion_{SparkVersion: &pb.AnalyzePlanRequest_SparkVersion{}}})
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return err
		}
	}
}

// analyze sends one AnalyzePlan with the session envelope, a deadline and retries.
func (c *Client) analyze(ctx context.Context, req *pb.AnalyzePlanRequest) (*pb.AnalyzePlanResponse, error) {
	req.SessionId = c.SessionID()
	req.UserContext = c.userContext()
	req.ClientType = &c.clientType
	req.ClientObservedServerSideSessionId = c.observed()
	var resp *pb.AnalyzePlanResponse
	err := retry(ctx, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
		defer cancel()
		var err error
		resp, err = c.rpc.AnalyzePlan(ctx, req)
		return err
	})
	if err != nil {
		return nil, c.classify(ctx, "AnalyzePlan", err)
	}
	c.observe(resp.ServerSideSessionId)
	return resp, nil
}

// headers returns ctx with the remote's extra parameters as gRPC metadata.
func (c *Client) headers(ctx context.Context) context.Context {
	if len(c.remote.Headers) == 0 {
		return ctx
	}
	kv := make([]string, 0, 2*len(c.remote.Headers))
	for _, k := range c.remote.headerKeys() {
		kv = append(kv, k, c.remote.Headers[k])
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

func (c *Client) unaryHeaders(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(c.headers(ctx), method, req, reply, cc, opts...)
}

func (c *Client) streamHeaders(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(c.headers(ctx), desc, cc, method, opts...)
}

// bearer sends the token as "authorization: Bearer <token>". grpc refuses to
// send it over a plain-text connection unless the remote explicitly allowed
// that for a loopback host (secure=false).
type bearer struct {
	token  string
	secure bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.secure }

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "sparkls"
}
