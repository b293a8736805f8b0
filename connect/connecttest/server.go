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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
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

// ---------------------------------------------------------------------------
// Errors.

// Error is a Spark error: what a HandleSQL hook returns to make a statement
// fail the way Spark reports it (see SparkErr).
type Error struct {
	Class, SQLState, Message string
	Params                   map[string]string
	// Start and Stop locate the error in the statement's text as Spark's
	// query context does: 0-based, Stop inclusive. Start < 0: no position.
	Start, Stop int
	// Fragment is the text at [Start, Stop]; filled from the statement when empty.
	Fragment string
}

// SparkErr makes a Spark error with the given error class, SQLSTATE, message
// and position (start < 0 for none; stop is inclusive, as Spark's). The server
// returns it as Spark does: gRPC INTERNAL whose details hold an ErrorInfo with
// the error class and an errorId, for which FetchErrorDetails answers with
// the full message and the query context.
func SparkErr(class, sqlState, msg string, start, stop int) error {
	return &Error{Class: class, SQLState: sqlState, Message: msg, Start: start, Stop: stop}
}

func (e *Error) Error() string { return "[" + e.Class + "] " + e.Message }

// exception is the Java class Spark would throw for the error class.
func (e *Error) exception() []string {
	switch {
	case strings.HasPrefix(e.Class, "PARSE_"):
		return []string{"org.apache.spark.sql.catalyst.parser.ParseException", "org.apache.spark.sql.AnalysisException", "java.lang.Exception", "java.lang.Throwable"}
	case e.Class == "OPERATION_CANCELED", e.Class == "INTERNAL_ERROR":
		return []string{"org.apache.spark.SparkException", "java.lang.Exception", "java.lang.Throwable"}
	case strings.HasPrefix(e.Class, "INVALID_HANDLE"), strings.HasPrefix(e.Class, "INVALID_CURSOR"):
		return []string{"org.apache.spark.SparkSQLException", "java.sql.SQLException", "java.lang.Exception", "java.lang.Throwable"}
	}
	return []string{"org.apache.spark.sql.AnalysisException", "java.lang.Exception", "java.lang.Throwable"}
}

// message is Spark 4's getMessage: "[CLASS] message SQLSTATE: xxxxx".
func (e *Error) message() string {
	m := e.Error()
	if e.SQLState != "" {
		m += " SQLSTATE: " + e.SQLState
	}
	return m
}

type storedError struct {
	session string
	err     *Error
}

func sparkErr(class, sqlState, format string, args ...any) *Error {
	return &Error{Class: class, SQLState: sqlState, Message: fmt.Sprintf(format, args...), Start: -1}
}

// writes is the fake's rough view of a statement that only looks like a
// query (WITH … INSERT): Spark's grammar refuses it inside the envelope.
func writes(stmt string) bool {
	for _, w := range words(stmt) {
		switch strings.ToLower(w.text) {
		case "insert", "update", "delete", "merge", "drop", "create", "alter", "truncate":
			return true
		}
	}
	return false
}

// firstWord is the first word of stmt, for a syntax error's message.
func firstWord(stmt string) string {
	if f := strings.Fields(stmt); len(f) > 0 {
		return f[0]
	}
	return ")"
}

// withStatement returns a copy of err whose fragment is taken from stmt.
func withStatement(err error, stmt string) error {
	var se *Error
	if !errors.As(err, &se) {
		return err
	}
	c := *se
	if c.Start >= 0 && c.Fragment == "" && c.Start <= c.Stop && c.Stop < len(stmt) {
		c.Fragment = stmt[c.Start : c.Stop+1]
	}
	return &c
}

// status turns an error into the gRPC status the client receives. A Spark
// error becomes INTERNAL with an ErrorInfo, its details kept for
// FetchErrorDetails within the session; a gRPC status error passes through.
func (s *Server) status(session string, err error) error {
	var se *Error
	if !errors.As(err, &se) {
		if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
			return err
		}
		se = sparkErr("INTERNAL_ERROR", "XX000", "%v", err)
	}
	params, _ := json.Marshal(se.Params)
	if se.Params == nil {
		params = []byte("{}")
	}
	classes, _ := json.Marshal(se.exception())
	info := &errdetails.ErrorInfo{
		Reason: se.exception()[0],
		Domain: "org.apache.spark",
		Metadata: map[string]string{
			"classes":           string(classes),
			"errorClass":        se.Class,
			"sqlState":          se.SQLState,
			"messageParameters": string(params),
		},
	}
	if isUUID(session) {
		// Spark only keeps error details for an existing session.
		id := uuid.NewString()
		info.Metadata["errorId"] = id
		s.mu.Lock()
		s.errs[id] = &storedError{session: session, err: se}
		s.mu.Unlock()
	}
	st, derr := status.New(codes.Internal, se.message()).WithDetails(info)
	if derr != nil {
		return status.Error(codes.Internal, se.message())
	}
	return st.Err()
}

func isUUID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

// ---------------------------------------------------------------------------
// Interceptors: what happens before a call reaches Spark proper.

// admit counts a call, then applies injected failures, the token and the
// required headers, in the order a proxy and Spark's interceptor would.
func (s *Server) admit(ctx context.Context, method string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	s.mu.Lock()
	s.calls[method]++
	if s.failN > 0 || s.failMethod[method] > 0 {
		if s.failMethod[method] > 0 {
			s.failMethod[method]--
		} else {
			s.failN--
		}
		err := s.failErr
		s.mu.Unlock()
		if err == nil {
			err = status.Error(codes.Unavailable, "connecttest: injected failure")
		}
		return err
	}
	s.mu.Unlock()
	if s.Token != "" {
		auth := md.Get("authorization")
		switch {
		case len(auth) == 0:
			return status.Error(codes.Unauthenticated, "No authentication token provided")
		case auth[0] != "Bearer "+s.Token:
			return status.Error(codes.Unauthenticated, "Invalid authentication token")
		}
	}
	for k, v := range s.RequireHeaders {
		if got := md.Get(k); len(got) == 0 || got[0] != v {
			return status.Errorf(codes.PermissionDenied, "connecttest: header %q missing or wrong", k)
		}
	}
	return nil
}

func (s *Server) record(ctx context.Context, method string, req any) {
	md, _ := metadata.FromIncomingContext(ctx)
	m, _ := req.(proto.Message)
	if m != nil {
		m = proto.Clone(m)
	}
	s.mu.Lock()
	s.requests = append(s.requests, Call{Method: method, Header: md.Copy(), Request: m})
	s.mu.Unlock()
}

func (s *Server) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	method := path.Base(info.FullMethod)
	if err := s.admit(ctx, method); err != nil {
		return nil, err
	}
	s.record(ctx, method, req)
	if err := s.pause(ctx, nil); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	return handler(ctx, req)
}

func (s *Server) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	method := path.Base(info.FullMethod)
	if err := s.admit(ss.Context(), method); err != nil {
		return err
	}
	return handler(srv, &recordingStream{ServerStream: ss, s: s, method: method})
}

// recordingStream records the request of a server-streaming call when the
// handler reads it.
type recordingStream struct {
	grpc.ServerStream
	s      *Server
	method string
}

func (r *recordingStream) RecvMsg(m any) error {
	err := r.ServerStream.RecvMsg(m)
	if err == nil {
		r.s.record(r.Context(), r.method, m)
	}
	return err
}

// pause waits out the injected latency; it ends early, without error, when
// the operation is stopped, so the caller notices that at once.
func (s *Server) pause(ctx context.Context, op *operation) error {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	var stopped <-chan struct{}
	if op != nil {
		stopped = op.ctx.Done()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-stopped:
	case <-t.C:
	}
	return nil
}

// ---------------------------------------------------------------------------
// Sessions and SQL.

type envelope interface {
	GetSessionId() string
}

type observer interface {
	GetClientObservedServerSideSessionId() string
}

// session validates a request's session and returns its server-side id.
func (s *Server) session(req envelope) (string, error) {
	id := req.GetSessionId()
	if !isUUID(id) {
		return "", sparkErr("INVALID_HANDLE.FORMAT", "HY000", "The handle %s is invalid. Handle must be an UUID string of the format '00112233-4455-6677-8899-aabbccddeeff'.", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed[id] {
		return "", sparkErr("INVALID_HANDLE.SESSION_CLOSED", "HY000", "The handle %s is invalid. Session was closed.", id)
	}
	ss, ok := s.sessions[id]
	if !ok {
		ss = uuid.NewString()
		s.sessions[id] = ss
	}
	if o, ok := req.(observer); ok && o.GetClientObservedServerSideSessionId() != "" && o.GetClientObservedServerSideSessionId() != ss {
		return "", sparkErr("INVALID_HANDLE.SESSION_CHANGED", "HY000", "The handle %s is invalid. The existing Spark server driver instance has restarted. Please reconnect.", id)
	}
	return ss, nil
}

// The query envelope sparkls sends for analysis (connect/envelope.go). The
// fake keeps its own copy on purpose, as it keeps its own isQuery: it plays
// Spark, which knows nothing of the client's code.
const envelopeHead, envelopeTail = "SELECT * FROM (\n", "\n\n)"

// sql answers one statement the way session.sql would: a command runs now
// (and is recorded), a query is only resolved. A statement inside the query
// envelope is answered as Spark's parser would: a query is resolved (errors
// located in the enveloped text), anything else is a syntax error and runs
// nothing.
func (s *Server) sql(stmt string) (Result, error) {
	if inner, ok := strings.CutPrefix(stmt, envelopeHead); ok && strings.HasSuffix(inner, envelopeTail) {
		inner = strings.TrimSuffix(inner, envelopeTail)
		if !isQuery(inner) || writes(inner) {
			pos := len(envelopeHead) + len(inner) - len(strings.TrimLeft(inner, " \t\r\n"))
			e := sparkErr("PARSE_SYNTAX_ERROR", "42601", "Syntax error at or near '%s'.", firstWord(inner))
			e.Start, e.Stop = pos, pos+max(len(firstWord(inner)), 1)-1
			return Result{}, e
		}
		r, err := s.sql(inner)
		var se *Error
		if errors.As(err, &se) && se.Start >= 0 {
			se.Start += len(envelopeHead)
			se.Stop += len(envelopeHead)
		}
		return r, err
	}
	query := isQuery(stmt)
	s.mu.Lock()
	h := s.handler
	if !query {
		s.executed = append(s.executed, stmt)
	}
	s.mu.Unlock()
	if h != nil {
		r, err := h(stmt)
		if !errors.Is(err, ErrNotHandled) {
			return r.normalized(), withStatement(err, stmt)
		}
	}
	var r Result
	var err error
	if query {
		r, err = s.query(stmt)
	} else {
		r, err = s.command(stmt)
	}
	return r.normalized(), withStatement(err, stmt)
}

// query answers SELECT * FROM t and TABLE t from the catalog and AddTable.
func (s *Server) query(stmt string) (Result, error) {
	w := words(stmt)
	var name word
	if rest, ok := matchWords(w, "select * from"); ok && len(rest) == 1 {
		name = rest[0]
	} else if rest, ok := matchWords(w, "table"); ok && len(rest) == 1 {
		name = rest[0]
	} else {
		return Result{}, sparkErr("INTERNAL_ERROR", "XX000", "connecttest: no answer for %q: register a table or use HandleSQL", stmt)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db, t, err := s.Catalog.resolveTable("", name.text)
	if err != nil {
		err.Start, err.Stop = name.pos, name.pos+len(name.text)-1
		return Result{}, err
	}
	if r, ok := s.data[strings.ToLower(db.Name+"."+t.Name)]; ok {
		return r, nil
	}
	return Result{Schema: t.schema()}, nil
}

// command answers the SHOW, DESCRIBE and USE statements the client uses as
// catalog fallbacks; any other command succeeds with no rows.
func (s *Server) command(stmt string) (Result, error) {
	w := words(stmt)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.Catalog
	if rest, ok := matchWords(w, "use [namespace|database|schema]"); ok && len(rest) == 1 {
		db, err := c.resolveDB(rest[0].text)
		if err != nil {
			return Result{}, err
		}
		c.Current = db.Name
		return Result{}, nil
	}
	if _, ok := matchWords(w, "show catalogs"); ok {
		return Rows("catalog string", []any{c.name()}), nil
	}
	if _, ok := matchWords(w, "show current namespace"); ok {
		return Rows("catalog string, namespace string", []any{c.name(), c.current()}), nil
	}
	if _, ok := matchWords(w, "show namespaces|databases|schemas"); ok {
		r := Rows("namespace string")
		for _, db := range c.Databases {
			r.Rows = append(r.Rows, []any{db.Name})
		}
		return r, nil
	}
	if rest, ok := matchWords(w, "show tables"); ok {
		name := ""
		if in, ok := matchWords(rest, "in|from"); ok && len(in) > 0 {
			name = in[0].text
		}
		db, err := c.resolveDB(name)
		if err != nil {
			return Result{}, err
		}
		r := Rows("namespace string, tableName string, isTemporary boolean")
		for _, t := range db.Tables {
			ns := db.Name
			if t.Temporary {
				ns = ""
			}
			r.Rows = append(r.Rows, []any{ns, t.Name, t.Temporary})
		}
		return r, nil
	}
	if _, ok := matchWords(w, "show [user|system|all] functions"); ok {
		r := Rows("function string")
		for _, f := range c.Functions {
			r.Rows = append(r.Rows, []any{f.Name})
		}
		return r, nil
	}
	if rest, ok := matchWords(w, "describe|desc [table] [extended|formatted]"); ok && len(rest) == 1 {
		_, t, err := c.resolveTable("", rest[0].text)
		if err != nil {
			err.Start, err.Stop = rest[0].pos, rest[0].pos+len(rest[0].text)-1
			return Result{}, err
		}
		r := Rows("col_name string, data_type string, comment string")
		var parts []Column
		for _, col := range t.Columns {
			r.Rows = append(r.Rows, []any{col.Name, col.Type, nullIfEmpty(col.Comment)})
			if col.Partition {
				parts = append(parts, col)
			}
		}
		if len(parts) > 0 {
			r.Rows = append(r.Rows, []any{"# Partition Information", "", ""}, []any{"# col_name", "data_type", "comment"})
			for _, col := range parts {
				r.Rows = append(r.Rows, []any{col.Name, col.Type, nullIfEmpty(col.Comment)})
			}
		}
		return r, nil
	}
	return Result{}, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// relation resolves a plan's relation to its rows and the most rows to
// send (-1: all).
func (s *Server) relation(rel *pb.Relation) (Result, int64, error) {
	switch {
	case rel.GetLimit() != nil:
		r, limit, err := s.relation(rel.GetLimit().GetInput())
		if n := int64(max(rel.GetLimit().GetLimit(), 0)); limit < 0 || n < limit {
			limit = n
		}
		return r, limit, err
	case rel.GetSql() != nil:
		r, err := s.sql(rel.GetSql().GetQuery())
		return r, -1, err
	case rel.GetCatalog() != nil:
		r, err := s.catalog(rel.GetCatalog())
		return r.normalized(), -1, err
	}
	return Result{}, 0, sparkErr("INTERNAL_ERROR", "XX000", "connecttest: relation %T is not simulated", rel.GetRelType())
}

// sqlText is the SQL of the innermost SQL relation, for records and explain.
func sqlText(rel *pb.Relation) string {
	for rel.GetLimit() != nil {
		rel = rel.GetLimit().GetInput()
	}
	return rel.GetSql().GetQuery()
}

// catalog answers a Catalog relation with the columns of Spark's catalog
// classes, in their order.
func (s *Server) catalog(cat *pb.Catalog) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.Catalog
	if s.NoCatalogRelation {
		return Result{}, sparkErr("UNSUPPORTED_FEATURE.CATALOG_OPERATION", "0A000", "The feature is not supported: Catalog `%s` does not support catalog listings.", c.name())
	}
	switch {
	case cat.GetListCatalogs() != nil:
		return Rows("name string, description string", []any{c.name(), nil}), nil
	case cat.GetCurrentCatalog() != nil:
		return Rows("value string", []any{c.name()}), nil
	case cat.GetCurrentDatabase() != nil:
		return Rows("value string", []any{c.current()}), nil
	case cat.GetListDatabases() != nil:
		r := Rows("name string, catalog string, description string, locationUri string")
		for _, db := range c.Databases {
			r.Rows = append(r.Rows, []any{db.Name, c.name(), nullIfEmpty(db.Description), db.Location})
		}
		return r, nil
	case cat.GetListTables() != nil:
		db, err := c.resolveDB(cat.GetListTables().GetDbName())
		if err != nil {
			return Result{}, err
		}
		r := Rows("name string, catalog string, namespace array<string>, description string, tableType string, isTemporary boolean")
		for _, t := range db.Tables {
			typ := t.Type
			if typ == "" {
				typ = "MANAGED"
			}
			if t.Temporary {
				r.Rows = append(r.Rows, []any{t.Name, nil, []string{}, nullIfEmpty(t.Comment), "TEMPORARY", true})
				continue
			}
			r.Rows = append(r.Rows, []any{t.Name, c.name(), []string{db.Name}, nullIfEmpty(t.Comment), typ, false})
		}
		return r, nil
	case cat.GetListColumns() != nil:
		lc := cat.GetListColumns()
		_, t, err := c.resolveTable(lc.GetDbName(), lc.GetTableName())
		if err != nil {
			return Result{}, err
		}
		r := Rows("name string, description string, dataType string, nullable boolean, isPartition boolean, isBucket boolean, isCluster boolean")
		for _, col := range t.Columns {
			r.Rows = append(r.Rows, []any{col.Name, nullIfEmpty(col.Comment), col.Type, col.Nullable, col.Partition, false, false})
		}
		return r, nil
	case cat.GetListFunctions() != nil:
		if db := cat.GetListFunctions().GetDbName(); db != "" {
			if _, err := c.resolveDB(db); err != nil {
				return Result{}, err
			}
		}
		r := Rows("name string, catalog string, namespace array<string>, description string, className string, isTemporary boolean")
		for _, f := range c.Functions {
			r.Rows = append(r.Rows, []any{f.Name, nil, nil, nullIfEmpty(f.Description), f.ClassName, true})
		}
		return r, nil
	}
	return Result{}, sparkErr("UNSUPPORTED_FEATURE.CATALOG_OPERATION", "0A000", "The feature is not supported: catalog operation %T is not simulated.", cat.GetCatType())
}

// ---------------------------------------------------------------------------
// Operations: one ExecutePlan, its responses produced lazily and the recent
// ones kept so ReattachExecute can resume after any of them.

// keep is how many sent responses an operation keeps for reattach, like
// Spark's retry buffer: a client resumes after the last response it saw,
// which is always among the most recent.
const keep = 64

type operation struct {
	id, session, serverSession string
	tags                       []string
	reattachable               bool
	ctx                        context.Context
	cancel                     context.CancelFunc
	cutAfter                   int
	cutErr                     error
	cutEvery                   bool

	mu          sync.Mutex
	p           producer
	buf         []*pb.ExecutePlanResponse // the last sent responses
	first       int                       // index of buf[0] in the whole stream
	done        bool                      // every response produced
	interrupted bool
	attached    int // generation of the stream currently attached
	batches     int // arrow batches sent
	streamBatch int // arrow batches sent on the attached stream
	cut         bool
}

// producer makes an operation's responses on demand: the fixed head, then
// the Arrow batches of the result, then the fixed tail.
type producer struct {
	head, tail []*pb.ExecutePlanResponse
	res        Result
	total      int64 // rows to send; -1 endless; -2 no batches (a command)
	offset     int64
	batchRows  int64
	sentBatch  bool
}

func (p *producer) next() (*pb.ExecutePlanResponse, error) {
	if len(p.head) > 0 {
		r := p.head[0]
		p.head = p.head[1:]
		return r, nil
	}
	if p.total != -2 && (!p.sentBatch || p.total < 0 || p.offset < p.total) {
		n := p.batchRows
		if p.total >= 0 {
			n = min(n, p.total-p.offset)
		}
		data, err := p.res.encode(p.offset, p.offset+n)
		if err != nil {
			return nil, err
		}
		start := p.offset
		p.offset += n
		p.sentBatch = true
		return &pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_ArrowBatch_{ArrowBatch: &pb.ExecutePlanResponse_ArrowBatch{
			RowCount: n, Data: data, StartOffset: &start,
		}}}, nil
	}
	if len(p.tail) > 0 {
		r := p.tail[0]
		p.tail = p.tail[1:]
		return r, nil
	}
	return nil, nil
}

var errCanceled = sparkErr("OPERATION_CANCELED", "HY008", "Operation has been cancelled.")

// response returns the i-th response of the operation to the stream of
// generation gen, producing it if it is the next one; nil at the end.
func (op *operation) response(gen, i int) (*pb.ExecutePlanResponse, error) {
	op.mu.Lock()
	defer op.mu.Unlock()
	switch {
	case op.attached != gen:
		return nil, sparkErr("INVALID_CURSOR.DISCONNECTED", "HY109", "The cursor has been disconnected by the server: another ReattachExecute took over.")
	case op.ctx.Err() != nil:
		return nil, errCanceled
	case i < op.first:
		return nil, sparkErr("INVALID_CURSOR.POSITION_NOT_AVAILABLE", "HY109", "The cursor position has already been released.")
	case i < op.first+len(op.buf):
		return op.buf[i-op.first], nil
	case op.done:
		return nil, nil
	}
	resp, err := op.p.next()
	if err != nil || resp == nil {
		op.done = resp == nil && err == nil
		return nil, err
	}
	resp.SessionId, resp.ServerSideSessionId = op.session, op.serverSession
	resp.OperationId, resp.ResponseId = op.id, uuid.NewString()
	op.buf = append(op.buf, resp)
	if len(op.buf) > keep {
		op.first += len(op.buf) - keep
		op.buf = slices.Clone(op.buf[len(op.buf)-keep:])
	}
	return resp, nil
}

// sent notes that response resp went out and tells whether the stream must
// now be cut (the injected fault).
func (op *operation) sent(resp *pb.ExecutePlanResponse) bool {
	if resp.GetArrowBatch() == nil {
		return false
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	op.batches++
	op.streamBatch++
	if op.cutEvery && op.cutAfter > 0 && op.streamBatch >= op.cutAfter {
		return true
	}
	if op.cutAfter > 0 && !op.cut && op.batches >= op.cutAfter {
		op.cut = true
		return true
	}
	return false
}

// after finds the stream index following response id ("" is the start of
// what is kept).
func (op *operation) after(id string) (int, bool) {
	op.mu.Lock()
	defer op.mu.Unlock()
	if id == "" {
		return op.first, true
	}
	for j, r := range op.buf {
		if r.ResponseId == id {
			return op.first + j + 1, true
		}
	}
	return 0, false
}

func (op *operation) attach() int {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.attached++
	op.streamBatch = 0
	return op.attached
}

// serve sends the operation's responses from index i on; the stream ends at
// the last one, when the operation is stopped, or at an injected cut.
func (s *Server) serve(ctx context.Context, op *operation, i int, send func(*pb.ExecutePlanResponse) error) error {
	if !op.reattachable {
		// Spark forgets such an operation when its only stream ends, and
		// interrupts it when the client goes away.
		defer s.drop(op)
	}
	gen := op.attach()
	for ; ; i++ {
		if err := s.pause(ctx, op); err != nil {
			return status.FromContextError(err).Err()
		}
		resp, err := op.response(gen, i)
		if err != nil {
			return s.status(op.session, err)
		}
		if resp == nil {
			return nil
		}
		if err := send(resp); err != nil {
			return err
		}
		if op.sent(resp) {
			switch {
			case op.cutErr == io.EOF:
				return nil
			case op.cutErr != nil:
				return op.cutErr
			}
			return status.Error(codes.Unavailable, "connecttest: stream cut")
		}
	}
}

// drop forgets an operation and stops it, if it still runs.
func (s *Server) drop(op *operation) {
	s.mu.Lock()
	if s.ops[op.id] == op {
		delete(s.ops, op.id)
	}
	s.mu.Unlock()
	op.cancel()
}

// start plans an ExecutePlan request into an operation.
func (s *Server) start(req *pb.ExecutePlanRequest, serverSession string) (*operation, error) {
	op := &operation{
		id:            req.GetOperationId(),
		session:       req.GetSessionId(),
		serverSession: serverSession,
		tags:          req.GetTags(),
	}
	if op.id == "" {
		op.id = uuid.NewString()
	} else if !isUUID(op.id) {
		return nil, sparkErr("INVALID_HANDLE.FORMAT", "HY000", "The handle %s is invalid. Handle must be an UUID string of the format '00112233-4455-6677-8899-aabbccddeeff'.", op.id)
	}
	if s.operation(op.id) != nil {
		return nil, sparkErr("INVALID_HANDLE.OPERATION_ALREADY_EXISTS", "HY000", "The handle %s is invalid. Operation already exists.", op.id)
	}
	for _, o := range req.GetRequestOptions() {
		if o.GetReattachOptions().GetReattachable() {
			op.reattachable = true
		}
	}
	batchRows := int64(s.BatchRows)
	if batchRows <= 0 {
		batchRows = 1000
	}
	plan := req.GetPlan()
	switch {
	case plan.GetRoot() != nil:
		res, limit, err := s.relation(plan.GetRoot())
		if err != nil {
			return nil, err
		}
		if c := res.count(); c >= 0 && (limit < 0 || c < limit) {
			limit = c
		}
		op.p = producer{res: res, total: limit, batchRows: batchRows}
		op.p.head = append(op.p.head, &pb.ExecutePlanResponse{Schema: structType(res.Schema.Fields())})
		if s.Progress {
			op.p.head = append(op.p.head, progress(false))
			op.p.tail = append(op.p.tail, progress(true))
		}
	case plan.GetCommand().GetSqlCommand() != nil:
		sc := plan.GetCommand().GetSqlCommand()
		in := sc.GetInput()
		if in == nil {
			in = &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: sc.GetSql()}}}
		}
		if in.GetSql() == nil {
			return nil, sparkErr("INTERNAL_ERROR", "XX000", "connecttest: SqlCommand input must be a SQL relation")
		}
		res, err := s.sql(in.GetSql().GetQuery())
		if err != nil {
			return nil, err
		}
		out := in // a query: the relation to read next; nothing has run
		if !isQuery(in.GetSql().GetQuery()) {
			if res.Infinite {
				return nil, sparkErr("INTERNAL_ERROR", "XX000", "connecttest: a command cannot return an infinite result")
			}
			data, err := res.encode(0, res.count())
			if err != nil {
				return nil, err
			}
			out = &pb.Relation{RelType: &pb.Relation_LocalRelation{LocalRelation: &pb.LocalRelation{Data: data}}}
		}
		op.p = producer{total: -2, head: []*pb.ExecutePlanResponse{{ResponseType: &pb.ExecutePlanResponse_SqlCommandResult_{
			SqlCommandResult: &pb.ExecutePlanResponse_SqlCommandResult{Relation: out},
		}}}}
	default:
		return nil, sparkErr("INTERNAL_ERROR", "XX000", "connecttest: plan %T is not simulated", plan.GetOpType())
	}
	if op.reattachable {
		op.p.tail = append(op.p.tail, &pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_ResultComplete_{ResultComplete: &pb.ExecutePlanResponse_ResultComplete{}}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ops[op.id]; ok {
		return nil, sparkErr("INVALID_HANDLE.OPERATION_ALREADY_EXISTS", "HY000", "The handle %s is invalid. Operation already exists.", op.id)
	}
	op.cutAfter, op.cutErr, op.cutEvery = s.cutAfter, s.cutErr, s.cutEvery
	op.ctx, op.cancel = context.WithCancel(context.Background())
	s.ops[op.id] = op
	return op, nil
}

func (s *Server) operation(id string) *operation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[id]
}

func progress(done bool) *pb.ExecutePlanResponse {
	st := &pb.ExecutePlanResponse_ExecutionProgress_StageInfo{NumTasks: 1}
	inflight := int64(1)
	if done {
		st.NumCompletedTasks, st.Done, inflight = 1, true, 0
	}
	return &pb.ExecutePlanResponse{ResponseType: &pb.ExecutePlanResponse_ExecutionProgress_{ExecutionProgress: &pb.ExecutePlanResponse_ExecutionProgress{
		Stages: []*pb.ExecutePlanResponse_ExecutionProgress_StageInfo{st}, NumInflightTasks: inflight,
	}}}
}

// ---------------------------------------------------------------------------
// The gRPC service.

// service implements the generated interface; its methods stay off Server's
// exported API.
type service struct {
	pb.UnimplementedSparkConnectServiceServer
	s *Server
}

func (v service) ExecutePlan(req *pb.ExecutePlanRequest, stream grpc.ServerStreamingServer[pb.ExecutePlanResponse]) error {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return s.status("", err)
	}
	op, err := s.start(req, ss)
	if err != nil {
		return s.status(req.GetSessionId(), err)
	}
	return s.serve(stream.Context(), op, 0, stream.Send)
}

func (v service) ReattachExecute(req *pb.ReattachExecuteRequest, stream grpc.ServerStreamingServer[pb.ExecutePlanResponse]) error {
	s := v.s
	if _, err := s.session(req); err != nil {
		return s.status("", err)
	}
	op := s.operation(req.GetOperationId())
	switch {
	case op == nil || op.session != req.GetSessionId():
		return s.status(req.GetSessionId(), sparkErr("INVALID_HANDLE.OPERATION_NOT_FOUND", "HY000", "The handle %s is invalid. Operation not found.", req.GetOperationId()))
	case !op.reattachable:
		return s.status(req.GetSessionId(), sparkErr("INVALID_CURSOR.NOT_REATTACHABLE", "HY109", "The cursor is invalid. The operation is not reattachable."))
	}
	i, ok := op.after(req.GetLastResponseId())
	if !ok {
		return s.status(req.GetSessionId(), sparkErr("INVALID_CURSOR.POSITION_NOT_FOUND", "HY109", "The cursor position id %s is not found.", req.GetLastResponseId()))
	}
	return s.serve(stream.Context(), op, i, stream.Send)
}

func (v service) AnalyzePlan(ctx context.Context, req *pb.AnalyzePlanRequest) (*pb.AnalyzePlanResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.AnalyzePlanResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	var plan *pb.Plan
	switch {
	case req.GetSparkVersion() != nil:
		version := s.Version
		if version == "" {
			version = "4.0.1"
		}
		resp.Result = &pb.AnalyzePlanResponse_SparkVersion_{SparkVersion: &pb.AnalyzePlanResponse_SparkVersion{Version: version}}
		return resp, nil
	case req.GetSchema() != nil:
		plan = req.GetSchema().GetPlan()
	case req.GetExplain() != nil:
		plan = req.GetExplain().GetPlan()
	default:
		return nil, status.Errorf(codes.Unimplemented, "connecttest: analysis %T is not simulated", req.GetAnalyze())
	}
	if plan.GetRoot() == nil {
		return nil, s.status(req.GetSessionId(), sparkErr("INTERNAL_ERROR", "XX000", "connecttest: only relations are analyzed"))
	}
	text := sqlText(plan.GetRoot())
	s.mu.Lock()
	s.analyzed = append(s.analyzed, text)
	s.mu.Unlock()
	res, _, err := s.relation(plan.GetRoot())
	if err != nil {
		return nil, s.status(req.GetSessionId(), err)
	}
	switch {
	case req.GetSchema() != nil:
		resp.Result = &pb.AnalyzePlanResponse_Schema_{Schema: &pb.AnalyzePlanResponse_Schema{Schema: structType(res.Schema.Fields())}}
	default:
		resp.Result = &pb.AnalyzePlanResponse_Explain_{Explain: &pb.AnalyzePlanResponse_Explain{
			ExplainString: fmt.Sprintf("== Physical Plan ==\n*(1) Scan connecttest [%s]\n", text),
		}}
	}
	return resp, nil
}

func (v service) Interrupt(ctx context.Context, req *pb.InterruptRequest) (*pb.InterruptResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	var match func(*operation) bool
	switch req.GetInterruptType() {
	case pb.InterruptRequest_INTERRUPT_TYPE_ALL:
		match = func(*operation) bool { return true }
	case pb.InterruptRequest_INTERRUPT_TYPE_TAG:
		match = func(op *operation) bool { return slices.Contains(op.tags, req.GetOperationTag()) }
	case pb.InterruptRequest_INTERRUPT_TYPE_OPERATION_ID:
		match = func(op *operation) bool { return op.id == req.GetOperationId() }
	default:
		return nil, s.status(req.GetSessionId(), sparkErr("INTERNAL_ERROR", "XX000", "connecttest: unknown interrupt type %v", req.GetInterruptType()))
	}
	resp := &pb.InterruptResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	s.mu.Lock()
	var ops []*operation
	for _, op := range s.ops {
		if op.session == req.GetSessionId() && match(op) {
			ops = append(ops, op)
		}
	}
	s.mu.Unlock()
	// op.mu is taken without s.mu: a Gen function, run under op.mu, may
	// call the Server.
	for _, op := range ops {
		op.mu.Lock()
		running := !op.done && !op.interrupted
		op.interrupted = op.interrupted || running
		op.mu.Unlock()
		if running {
			op.cancel()
			resp.InterruptedIds = append(resp.InterruptedIds, op.id)
		}
	}
	s.mu.Lock()
	s.interrupted = append(s.interrupted, resp.InterruptedIds...)
	s.mu.Unlock()
	return resp, nil
}

func (v service) ReleaseExecute(ctx context.Context, req *pb.ReleaseExecuteRequest) (*pb.ReleaseExecuteResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.ReleaseExecuteResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	op := s.operation(req.GetOperationId())
	if op == nil || op.session != req.GetSessionId() {
		return resp, nil
	}
	resp.OperationId = &op.id
	if req.GetReleaseAll() != nil {
		s.drop(op) // also stops it, if it still runs
		return resp, nil
	}
	if until := req.GetReleaseUntil().GetResponseId(); until != "" {
		op.mu.Lock()
		if j := slices.IndexFunc(op.buf, func(r *pb.ExecutePlanResponse) bool { return r.ResponseId == until }); j >= 0 {
			op.first += j + 1
			op.buf = slices.Clone(op.buf[j+1:])
		}
		op.mu.Unlock()
	}
	return resp, nil
}

func (v service) ReleaseSession(ctx context.Context, req *pb.ReleaseSessionRequest) (*pb.ReleaseSessionResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, op := range s.ops {
		if op.session == req.GetSessionId() {
			op.cancel()
			delete(s.ops, id)
		}
	}
	delete(s.sessions, req.GetSessionId())
	if !req.GetAllowReconnect() {
		s.closed[req.GetSessionId()] = true
	}
	return &pb.ReleaseSessionResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}, nil
}

func (v service) FetchErrorDetails(ctx context.Context, req *pb.FetchErrorDetailsRequest) (*pb.FetchErrorDetailsResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.FetchErrorDetailsResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	s.mu.Lock()
	stored := s.errs[req.GetErrorId()]
	if stored != nil && stored.session == req.GetSessionId() {
		delete(s.errs, req.GetErrorId()) // Spark answers an error id once
	} else {
		stored = nil
	}
	s.mu.Unlock()
	if stored == nil {
		return resp, nil // root_error_idx unset: not found
	}
	e := stored.err
	t := &pb.FetchErrorDetailsResponse_SparkThrowable{ErrorClass: &e.Class, MessageParameters: e.Params}
	if e.SQLState != "" {
		t.SqlState = &e.SQLState
	}
	if e.Start >= 0 {
		t.QueryContexts = []*pb.FetchErrorDetailsResponse_QueryContext{{
			ContextType: pb.FetchErrorDetailsResponse_QueryContext_SQL,
			StartIndex:  int32(e.Start),
			StopIndex:   int32(e.Stop),
			Fragment:    e.Fragment,
		}}
	}
	root := int32(0)
	resp.RootErrorIdx = &root
	resp.Errors = []*pb.FetchErrorDetailsResponse_Error{{
		ErrorTypeHierarchy: e.exception(),
		Message:            e.message(),
		SparkThrowable:     t,
	}}
	return resp, nil
}

func (v service) Config(ctx context.Context, req *pb.ConfigRequest) (*pb.ConfigResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.ConfigResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	op := req.GetOperation()
	s.mu.Lock()
	defer s.mu.Unlock()
	get := func(key string, def *string) *pb.KeyValue {
		if v, ok := s.conf[key]; ok {
			return &pb.KeyValue{Key: key, Value: &v}
		}
		return &pb.KeyValue{Key: key, Value: def}
	}
	switch {
	case op.GetSet() != nil:
		for _, kv := range op.GetSet().GetPairs() {
			s.conf[kv.GetKey()] = kv.GetValue()
		}
	case op.GetGet() != nil:
		for _, k := range op.GetGet().GetKeys() {
			if _, ok := s.conf[k]; !ok {
				return nil, s.status(req.GetSessionId(), sparkErr("SQL_CONF_NOT_FOUND", "42K0I", "The SQL config %s cannot be found.", k))
			}
			resp.Pairs = append(resp.Pairs, get(k, nil))
		}
	case op.GetGetOption() != nil:
		for _, k := range op.GetGetOption().GetKeys() {
			resp.Pairs = append(resp.Pairs, get(k, nil))
		}
	case op.GetGetWithDefault() != nil:
		for _, kv := range op.GetGetWithDefault().GetPairs() {
			resp.Pairs = append(resp.Pairs, get(kv.GetKey(), kv.Value))
		}
	case op.GetGetAll() != nil:
		keys := make([]string, 0, len(s.conf))
		for k := range s.conf {
			if strings.HasPrefix(k, op.GetGetAll().GetPrefix()) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			resp.Pairs = append(resp.Pairs, get(k, nil))
		}
	case op.GetUnset() != nil:
		for _, k := range op.GetUnset().GetKeys() {
			delete(s.conf, k)
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "connecttest: config operation %T is not simulated", op.GetOpType())
	}
	return resp, nil
}
