// Package connecttest is an in-process fake Spark Connect server for the unit
// tests of package connect. It speaks the real gRPC protocol over bufconn, so
// the client's wire handling (the two-phase SqlCommand run, Arrow batches,
// reattach, interrupt, error details, auth headers) is tested without a JVM,
// in milliseconds, and under faults a real server cannot be made to produce
// on demand: latency, broken streams, unavailability.
//
// It does not parse or run SQL. A statement is a query or a command by its
// first keyword, as in Spark. Answers come from a HandleSQL hook, from tables
// registered with AddTable, and from the Catalog model, which also answers
// Catalog relations and the few SHOW/DESCRIBE/USE commands the client falls
// back to. Integration tests against a real server cover the rest.
package connecttest

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// Server is the fake. Its exported fields are read at every call: set them
// before a call, not while one runs. Faults and tables are set with methods,
// which are safe at any time.
type Server struct {
	// Token, when set, must arrive as "authorization: Bearer <Token>", else
	// the call fails with UNAUTHENTICATED like Spark's pre-shared-token check.
	Token string
	// RequireHeaders must all arrive as metadata with these values (what a
	// proxy or Databricks' x-databricks-cluster-id demands), else PERMISSION_DENIED.
	RequireHeaders map[string]string
	// Version answers AnalyzePlan spark_version; "4.0.1" when empty.
	Version string
	// BatchRows is the most rows per Arrow batch (1000 when zero), so a large
	// result streams as several batches as it does from Spark.
	BatchRows int
	// Progress adds an execution_progress response before a relation's
	// batches (one stage, no task done) and one after them (done).
	Progress bool
	// NoCatalogRelation makes every Catalog relation fail as unsupported, as
	// on servers whose catalog cannot list, to exercise SQL fallbacks.
	NoCatalogRelation bool
	// Catalog is what listings, SHOW, DESCRIBE and table queries see.
	// AddTable and USE change it under the server's lock.
	Catalog Catalog

	lis *bufconn.Listener // replaced by Start; guarded by mu
	srv *grpc.Server      // replaced by Start; guarded by mu

	mu          sync.Mutex
	handler     func(stmt string) (Result, error)
	data        map[string]Result // AddTable rows by lower-case "db.table"
	latency     time.Duration
	cutAfter    int
	cutErr      error
	cutEvery    bool
	failN       int
	failErr     error
	failMethod  map[string]int
	calls       map[string]int
	requests    []Call
	executed    []string
	analyzed    []string
	interrupted []string
	sessions    map[string]string // session id → server-side session id
	closed      map[string]bool   // released sessions
	ops         map[string]*operation
	errs        map[string]*storedError // by errorId
	conf        map[string]string
}

// Call is one request the server accepted (past auth and injected
// failures), recorded for assertions.
type Call struct {
	Method  string // "ExecutePlan", "AnalyzePlan", ...
	Header  metadata.MD
	Request proto.Message // the *pb.XxxRequest, a copy
}

// ErrNotHandled, returned by a HandleSQL hook, passes the statement on to
// the fake's own answers (tables, catalog, SHOW and the like).
var ErrNotHandled = errors.New("connecttest: statement not handled")

// New starts a fake server on an in-memory listener; t.Cleanup stops it.
func New(t testing.TB) *Server {
	s := &Server{
		lis:      bufconn.Listen(1 << 20),
		data:     map[string]Result{},
		calls:    map[string]int{},
		sessions: map[string]string{},
		closed:   map[string]bool{},
		ops:      map[string]*operation{},
		errs:     map[string]*storedError{},
		conf:     map[string]string{},
	}
	s.listen()
	t.Cleanup(s.Stop)
	return s
}

// listen starts the gRPC server on the current listener.
func (s *Server) listen() {
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(s.unary), grpc.ChainStreamInterceptor(s.stream))
	pb.RegisterSparkConnectServiceServer(srv, service{s: s})
	s.srv = srv
	go srv.Serve(s.lis)
}

// Stop takes the server down as a crash or a network cut would: open
// connections break and new ones are refused until Start.
func (s *Server) Stop() {
	s.mu.Lock()
	for _, op := range s.ops {
		op.cancel()
	}
	srv := s.srv
	s.mu.Unlock()
	srv.Stop() // closes the listener too
}

// Start brings a stopped server back as a new process: sessions,
// operations and error details are lost (see Restart).
func (s *Server) Start() {
	s.Restart()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lis = bufconn.Listen(1 << 20)
	s.listen()
}

// Dialer connects a gRPC client to the server (grpc.WithContextDialer); the
// target address is ignored.
func (s *Server) Dialer() func(context.Context, string) (net.Conn, error) {
	return func(ctx context.Context, _ string) (net.Conn, error) {
		s.mu.Lock()
		lis := s.lis
		s.mu.Unlock()
		return lis.DialContext(ctx)
	}
}

// HandleSQL installs a hook that decides what any statement returns: its
// rows, or an error (a SparkErr, a gRPC status error passed through as is,
// or ErrNotHandled). For commands it runs once per execution; for queries
// every time Spark would analyze them (SqlCommand, the Limit read, AnalyzePlan).
func (s *Server) HandleSQL(fn func(stmt string) (Result, error)) {
	s.mu.Lock()
	s.handler = fn
	s.mu.Unlock()
}

// AddTable registers a table ("t" in the current database, "db.t" or
// "catalog.db.t") holding r's rows: SELECT * FROM and TABLE read it, and the
// catalog lists it with columns typed from r's schema. The database is
// created if needed.
func (s *Server) AddTable(name string, r Result) {
	r = r.normalized()
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := splitName(name)
	if len(parts) == 3 {
		parts = parts[1:]
	}
	if len(parts) == 1 {
		parts = []string{s.Catalog.current(), parts[0]}
	}
	db := s.Catalog.database(parts[0])
	if db == nil {
		s.Catalog.Databases = append(s.Catalog.Databases, Database{Name: parts[0]})
		db = &s.Catalog.Databases[len(s.Catalog.Databases)-1]
	}
	t := Table{Name: parts[1], Type: "MANAGED"}
	for _, f := range r.Schema.Fields() {
		t.Columns = append(t.Columns, Column{Name: f.Name, Type: typeName(f.Type), Nullable: f.Nullable})
	}
	i := slices.IndexFunc(db.Tables, func(x Table) bool { return strings.EqualFold(x.Name, t.Name) })
	if i >= 0 {
		db.Tables[i] = t
	} else {
		db.Tables = append(db.Tables, t)
	}
	s.data[strings.ToLower(db.Name+"."+t.Name)] = r
}

// SetLatency delays every stream response and unary answer by d (the wait
// ends early when the call is cancelled).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// CutStreams breaks every operation started from now on, once, right after
// its n-th Arrow batch: the stream ends with err, or UNAVAILABLE when err is
// nil. io.EOF ends it with OK but no result_complete, as Spark does when a
// reattachable stream reaches its time or size limit. Either way the
// operation stays resumable with ReattachExecute. n <= 0 turns cutting off.
func (s *Server) CutStreams(n int, err error) {
	s.mu.Lock()
	s.cutAfter, s.cutErr, s.cutEvery = n, err, false
	s.mu.Unlock()
}

// CutEveryStream is CutStreams for every stream, not once per operation:
// the first and each re-attached stream end after their n-th Arrow batch, as
// Spark cuts a long reattachable stream every two minutes.
func (s *Server) CutEveryStream(n int, err error) {
	s.mu.Lock()
	s.cutAfter, s.cutErr, s.cutEvery = n, err, true
	s.mu.Unlock()
}

// FailMethod makes the next n calls of one RPC method ("ReattachExecute",
// ...) fail with err before they reach the server proper; nil means UNAVAILABLE.
func (s *Server) FailMethod(method string, n int, err error) {
	s.mu.Lock()
	if s.failMethod == nil {
		s.failMethod = map[string]int{}
	}
	s.failMethod[method], s.failErr = n, err
	s.mu.Unlock()
}

// FailNext makes the next n calls of any method fail with err before they
// reach the server proper, as a broken network or proxy would; nil means
// UNAVAILABLE.
func (s *Server) FailNext(n int, err error) {
	s.mu.Lock()
	s.failN, s.failErr = n, err
	s.mu.Unlock()
}

// ExpireSessions closes every session the server knows, as Spark does after
// its idle timeout: their ids are refused from then on (SESSION_CLOSED).
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.sessions {
		s.closed[id] = true
	}
}

// Restart simulates a server restart: sessions get new server-side ids (so
// a client echoing the old one fails with INVALID_HANDLE.SESSION_CHANGED) and
// operations and error details are lost.
func (s *Server) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range s.ops {
		op.cancel()
	}
	s.ops = map[string]*operation{}
	s.sessions = map[string]string{}
	s.closed = map[string]bool{}
	s.errs = map[string]*storedError{}
}

// Calls counts the calls of an RPC method ("ExecutePlan", "Interrupt", ...)
// that arrived, including those refused by auth or an injected failure.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Requests returns the accepted calls of a method ("" for all), in order.
func (s *Server) Requests(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.requests {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Executed returns the commands (DDL, DML, SHOW, SET...) the server ran, in
// order, however they arrived: SqlCommand, a SQL relation, or AnalyzePlan,
// which runs commands too, exactly as Spark does.
func (s *Server) Executed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.executed)
}

// Analyzed returns the SQL text of every plan sent to AnalyzePlan (schema or
// explain), so a test can assert that DDL never was.
func (s *Server) Analyzed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.analyzed)
}

// Interrupted returns the ids of the operations Interrupt stopped.
func (s *Server) Interrupted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.interrupted)
}
