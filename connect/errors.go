package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// SparkError is an error that Spark itself reported about a statement:
// it has an error class (TABLE_OR_VIEW_NOT_FOUND, PARSE_SYNTAX_ERROR, ...)
// and, where the server gives one, a position in the SQL text.
type SparkError struct {
	ErrorClass string
	SQLState   string
	Message    string
	Parameters map[string]string
	// Contexts are the places in the SQL text the error is about, as byte
	// offsets into the text given to Run or Schema (Spark's code point
	// indices and statement offsets are converted for you).
	Contexts []QueryContext
	// Statement is where the failing statement sits in the text that was run.
	Statement Span
	// Plan is the logical plan Spark appends to an analysis error's
	// message, cut off Message ("" when none; Spark 3.5's is dropped).
	Plan string
}

// Span is a byte range [Start, End) of SQL text.
type Span struct{ Start, End int }

// QueryContext is a span of the SQL text that an error points at.
// Start and Stop are 0-based byte offsets; Stop is exclusive.
type QueryContext struct {
	Start, Stop int
	Fragment    string
}

func (e *SparkError) Error() string {
	if e.ErrorClass != "" && !strings.Contains(e.Message, "["+e.ErrorClass+"]") {
		return fmt.Sprintf("[%s] %s", e.ErrorClass, e.Message)
	}
	return e.Message
}

// Position returns the first context span, if the server reported one.
func (e *SparkError) Position() (QueryContext, bool) {
	if len(e.Contexts) == 0 {
		return QueryContext{}, false
	}
	return e.Contexts[0], true
}

// parsePos finds the "line L, pos P" (or "line L pos P") that Spark's parser
// errors carry in their message when they have no query context.
var parsePos = regexp.MustCompile(`line (\d+),? pos (\d+)`)

// inText maps the server's positions onto stmt, the statement that failed:
// Spark counts code points, not bytes. A parse error without a context gets
// one from the line and column in its message.
func (e *SparkError) inText(stmt string) {
	kept := e.Contexts[:0]
	for _, qc := range e.Contexts {
		if start, stop, ok := contextSpan(stmt, qc); ok {
			qc.Start, qc.Stop = start, stop
			kept = append(kept, qc)
		}
	}
	e.Contexts = kept
	e.locate(stmt)
	e.dropPosition()
}

// locate gives a parse error without query contexts a position in stmt, from
// the line and column in its message and the offending token it names.
func (e *SparkError) locate(stmt string) {
	if len(e.Contexts) > 0 {
		return
	}
	m := parsePos.FindStringSubmatch(e.Message)
	if m == nil {
		return
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(stmt[off:], '\n')
		if i < 0 {
			return
		}
		off += i + 1
	}
	// pos counts characters, not bytes.
	for n := 0; n < col && off < len(stmt) && stmt[off] != '\n'; n++ {
		_, size := utf8.DecodeRuneInString(stmt[off:])
		off += size
	}
	if off > len(stmt) {
		return
	}
	end := off
	if tok := strings.Trim(e.Parameters["error"], "'"); tok != "" && strings.HasPrefix(stmt[off:], tok) {
		end = off + len(tok)
	} else {
		for end < len(stmt) && !unicode.IsSpace(rune(stmt[end])) {
			end++
		}
	}
	e.Contexts = append(e.Contexts, QueryContext{Start: off, Stop: end, Fragment: stmt[off:end]})
}

// shift moves the context offsets by delta, for a statement that started at
// offset delta in the text the caller ran.
func (e *SparkError) shift(delta int) {
	for i := range e.Contexts {
		e.Contexts[i].Start += delta
		e.Contexts[i].Stop += delta
	}
}

// TransportError is a failure to talk to the server at all (down, TLS, auth,
// deadline): not something wrong with the SQL. Hint says what to check.
type TransportError struct {
	Op     string // the call that failed, e.g. "connect", "ExecutePlan"
	Remote string // the remote, without its token
	Code   codes.Code
	Msg    string
	Hint   string
}

func (e *TransportError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Op, e.Remote, e.Msg)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// ErrCanceled is returned when the caller cancelled a running statement
// (errors.Is matches a *CanceledError too).
var ErrCanceled = errors.New("query cancelled")

// CanceledError is the error of a running statement the caller cancelled:
// errors.Is(err, ErrCanceled) holds. Confirmed tells whether Spark
// acknowledged the interrupt before the call returned; if not, it is still
// being sent in the background (a slow or broken network).
type CanceledError struct {
	Confirmed bool
}

func (e *CanceledError) Error() string {
	if e.Confirmed {
		return "query cancelled: Spark confirmed the interrupt"
	}
	return "query cancelled: Spark has not confirmed the interrupt yet; it is still being sent"
}

func (e *CanceledError) Is(target error) bool { return target == ErrCanceled }

// isClass tells whether err is a gRPC error carrying the Spark error class
// class (from ErrorInfo metadata, without fetching details).
func isClass(err error, class string) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	for _, d := range st.Details() {
		ei, ok := d.(*errdetails.ErrorInfo)
		if !ok {
			continue
		}
		c := ei.Metadata["errorClass"]
		if c == "" { // Spark 3.5: the class is only in the message
			c = leadingClass(st.Message())
		}
		if strings.HasPrefix(c, class) {
			return true
		}
	}
	return false
}

// leadingClass is the error class at the start of a Spark 3.5 message:
// "[TABLE_OR_VIEW_NOT_FOUND] The table ..." (parse errors start with a
// newline), or "".
func leadingClass(msg string) string {
	if m := classPrefix.FindStringSubmatch(strings.TrimLeft(msg, "\n")); m != nil {
		return m[1]
	}
	return ""
}

var (
	classPrefix = regexp.MustCompile(`^\[([A-Z][A-Z0-9_]*(?:\.[A-Z][A-Z0-9_]*)*)\]`)
	// nearToken is the offending token a parse error names, which 4.0+
	// gives as the "error" message parameter: at or near 'SELEC'.
	nearToken = regexp.MustCompile(`^\[PARSE_SYNTAX_ERROR\] Syntax error at or near ('[^\n]*?')`)
)

// fromMessage fills what a Spark 3.5 server sends only inside the message
// (it has no errorClass metadata and no FetchErrorDetails): the class from
// the leading "[CLASS]", the offending token of a parse error; and it trims
// what 3.5 adds around the message: the newline that starts a parse error
// and the analyzed plan appended to an analysis error ("...; line 1 pos 7;"
// then the plan on the next lines). There is no SQLSTATE to be had.
func (e *SparkError) fromMessage(parse bool) {
	e.Message = strings.TrimLeft(e.Message, "\n")
	e.ErrorClass = leadingClass(e.Message)
	if parse {
		if m := nearToken.FindStringSubmatch(e.Message); m != nil && e.Parameters == nil {
			e.Parameters = map[string]string{"error": m[1]}
		}
		return
	}
	// AnalysisException.getMessage is the message, then ";" and " line L
	// pos P" when it has a position, then ";\n" and the plan.
	if loc := analysisPos.FindStringIndex(e.Message); loc != nil {
		e.Message = e.Message[:loc[1]-2]
	} else if i := strings.Index(e.Message, ";\n"); i >= 0 {
		e.Message = e.Message[:i]
	}
}

var analysisPos = regexp.MustCompile(`; line \d+ pos \d+;\n`)

// planStart is where Spark appends the plan to an analysis error's
// message: ";" at the end of a line, then a plan node ('Project [*],
// GlobalLimit 101, !Join ...: a class name, maybe marked unresolved).
var planStart = regexp.MustCompile(`;\r?\n[ \t]*['!]?[A-Z][A-Za-z0-9]*(?:[ \t\[(]|\r?\n|$)`)

// cutPlan cuts the logical plan Spark appends to an analysis error's
// message off it. The message is trimmed: a parse error's starts with a
// line break.
func cutPlan(msg string) (message, plan string) {
	if loc := planStart.FindStringIndex(msg); loc != nil {
		msg, plan = msg[:loc[0]], strings.TrimSpace(msg[loc[0]+1:])
	}
	return strings.TrimSpace(msg), plan
}

// trailingPos is the position a message ends in: ".(line 1, pos 0)" after
// a parse error, "; line 1 pos 7" after an analysis error (Spark 3.5, and
// 4.x before its plan).
var trailingPos = regexp.MustCompile(`(;? line \d+ pos \d+|\(line \d+, pos \d+\))$`)

// dropPosition removes the position a located error's message ends in: it
// counts the lines of what was sent (the query envelope), and Contexts say
// where the error is in the caller's text.
func (e *SparkError) dropPosition() {
	if len(e.Contexts) > 0 {
		e.Message = strings.TrimSpace(trailingPos.ReplaceAllString(e.Message, ""))
	}
}

// Summary is the first line of the message without what a diagnostic
// shows elsewhere (the class) or not at all: SQLSTATE, the position,
// generic hints on the next lines and the plan.
func (e *SparkError) Summary() string {
	msg := strings.TrimSpace(e.Message)
	if i := strings.Index(msg, " SQLSTATE: "); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	// Spark 3.5 has no SQLSTATE to cut at: its position follows the text.
	msg = trailingPos.ReplaceAllString(msg, "")
	msg = strings.TrimPrefix(msg, "["+e.ErrorClass+"]")
	msg = strings.Join(strings.Fields(msg), " ")
	if msg == "" {
		return e.Error()
	}
	return msg
}

// IsTransport tells whether err means the server could not be reached or
// refused the client, as opposed to an error about the SQL.
func IsTransport(err error) bool {
	var t *TransportError
	return errors.As(err, &t)
}

// classify turns a gRPC error into a *SparkError or a *TransportError. fetch
// fetches the full error details by error id (nil to skip).
func (c *Client) classify(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return ErrCanceled
	}
	st, ok := status.FromError(err)
	if !ok {
		return &TransportError{Op: op, Remote: c.remote.String(), Code: codes.Unknown, Msg: c.scrub(err.Error())}
	}
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			info = ei
		}
	}
	if info == nil || (st.Code() != codes.Internal && st.Code() != codes.Unknown && st.Code() != codes.InvalidArgument) {
		if st.Code() == codes.Canceled {
			return ErrCanceled
		}
		return c.transportError(op, st)
	}
	se := &SparkError{
		ErrorClass: info.Metadata["errorClass"],
		SQLState:   info.Metadata["sqlState"],
		Message:    st.Message(),
	}
	if se.ErrorClass == "" {
		se.fromMessage(strings.Contains(info.Metadata["classes"], "ParseException"))
	}
	if p := info.Metadata["messageParameters"]; p != "" {
		_ = json.Unmarshal([]byte(p), &se.Parameters) // best effort: parameters are a bonus
	}
	if id := info.Metadata["errorId"]; id != "" {
		c.enrich(ctx, id, se)
	}
	se.Message, se.Plan = cutPlan(se.Message)
	switch {
	case se.ErrorClass == "OPERATION_CANCELED":
		return &CanceledError{Confirmed: true} // Spark says it stopped the operation
	case strings.HasPrefix(se.ErrorClass, "INVALID_HANDLE.SESSION_CHANGED"):
		// The server restarted: forget its old session, so the next call
		// starts a fresh one under our id, and say what was lost.
		c.mu.Lock()
		c.serverSideSessionID = ""
		c.mu.Unlock()
		se.Message = "the Spark Connect session was lost (server restarted?); temporary views and SET values are gone, run again: " + se.Message
	case strings.HasPrefix(se.ErrorClass, "INVALID_HANDLE.SESSION_CLOSED"), strings.HasPrefix(se.ErrorClass, "INVALID_HANDLE.SESSION_NOT_FOUND"):
		// The server closed our session (idle timeout): it never accepts that
		// id again, so the next call uses a new one.
		c.renewSession()
		se.Message = "the Spark Connect session was closed by the server (idle timeout?); temporary views and SET values are gone, run again: " + se.Message
	}
	return se
}

// enrich fills error class, full message and query contexts from
// FetchErrorDetails. Failure leaves the error as it was.
func (c *Client) enrich(ctx context.Context, errorID string, se *SparkError) {
	if missing, _ := c.unimplemented("FetchErrorDetails"); missing {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.CallTimeout)
	defer cancel()
	resp, err := c.rpc.FetchErrorDetails(ctx, &pb.FetchErrorDetailsRequest{
		SessionId:   c.SessionID(),
		UserContext: c.userContext(),
		ErrorId:     errorID,
		ClientType:  &c.clientType,
	})
	if status.Code(err) == codes.Unimplemented {
		c.remember("FetchErrorDetails", err)
	}
	if err != nil || resp.RootErrorIdx == nil || int(resp.GetRootErrorIdx()) >= len(resp.Errors) {
		return
	}
	root := resp.Errors[resp.GetRootErrorIdx()]
	if root.Message != "" {
		se.Message = root.Message
	}
	t := root.SparkThrowable
	if t == nil {
		return
	}
	if t.GetErrorClass() != "" {
		se.ErrorClass = t.GetErrorClass()
	}
	if t.GetSqlState() != "" {
		se.SQLState = t.GetSqlState()
	}
	if len(t.MessageParameters) > 0 {
		se.Parameters = t.MessageParameters
	}
	for _, qc := range t.QueryContexts {
		if qc.ContextType != pb.FetchErrorDetailsResponse_QueryContext_SQL || qc.ObjectType != "" {
			continue // only the main query's text maps onto the editor's text
		}
		// The server's stop index is inclusive.
		se.Contexts = append(se.Contexts, QueryContext{Start: int(qc.StartIndex), Stop: int(qc.StopIndex) + 1, Fragment: qc.Fragment})
	}
}

func (c *Client) transportError(op string, st *status.Status) *TransportError {
	e := &TransportError{Op: op, Remote: c.remote.String(), Code: st.Code(), Msg: c.scrub(st.Message())}
	switch st.Code() {
	case codes.Unavailable:
		e.Hint = "is the Spark Connect server running and reachable at " + c.remote.Address() + "?"
		if strings.Contains(st.Message(), "tls") || strings.Contains(st.Message(), "handshake") {
			e.Hint = "TLS handshake failed: check use_ssl (the open-source server speaks plain text; a token implies TLS)"
		}
	case codes.Unauthenticated:
		e.Hint = "check the token"
	case codes.PermissionDenied:
		e.Hint = "the server refused this user or token"
	case codes.DeadlineExceeded:
		e.Hint = "the server did not answer in time"
	case codes.ResourceExhausted:
		e.Hint = "a message exceeded the size limit; raise grpc_max_message_size"
	}
	return e
}

// scrub removes the remote's secrets from a message, in case a lower layer
// echoed it.
func (c *Client) scrub(msg string) string {
	msg = c.remote.Scrub(msg)
	if c.remote.Workspace != nil {
		msg = c.remote.Workspace.Scrub(msg) // its token and client secret
	}
	return msg
}
