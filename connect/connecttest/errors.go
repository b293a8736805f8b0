package connecttest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

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
