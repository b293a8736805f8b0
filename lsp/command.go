package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
)

// workspace/executeCommand: the commands of names.go. sparkls.run is in
// run.go; the small ones are here.

// executeCommandParams keeps the arguments and the token raw (see
// progressParams for why not protocol's types).
type executeCommandParams struct {
	Command       string            `json:"command"`
	Arguments     []json.RawMessage `json:"arguments,omitempty"`
	WorkDoneToken json.RawMessage   `json:"workDoneToken,omitempty"`
}

// CancelArgs is the argument of sparkls.cancel.
type CancelArgs struct {
	QueryID string `json:"queryId"`
}

// CancelResult answers sparkls.cancel and sparkls.cancelAll: the runs that
// were in flight and are now over (interrupted on Spark).
type CancelResult struct {
	QueryIDs []string `json:"queryIds"`
}

// ExplainResult answers sparkls.explain.
type ExplainResult struct {
	Plan string `json:"plan"`
}

// ExplainArgs is the argument of sparkls.explain: RunArgs, and the plan's
// detail (simple, extended, codegen, cost or formatted; extended when empty).
type ExplainArgs struct {
	RunArgs
	Mode string `json:"mode,omitempty"`
}

// cancelWait bounds how long a cancel waits for its runs to answer: the
// editor hears back within a second whatever the network does, while the
// interrupts go on in the background (5 s deadline, in package connect).
const cancelWait = 900 * time.Millisecond

// none is the payload of a command without argument or answer.
type none struct{}

// CommandSpec is one custom command: its wire name, the Go types of its
// argument and answer (package lsp's wire contract, from which the editors'
// protocol.ts is generated) and its handler.
type CommandSpec struct {
	Name           string
	Params, Result reflect.Type // none: no argument, or no answer (null)
	call           func(s *Server, ctx context.Context, snap *Snapshot, p *executeCommandParams) (any, error)
}

// command adapts a handler of typed argument P and answer R to the wire:
// it decodes the first argument into P (none: nothing to decode) and
// answers R (none: null).
func command[P, R any](name string, fn func(s *Server, ctx context.Context, snap *Snapshot, arg P, token json.RawMessage) (R, error)) CommandSpec {
	return CommandSpec{
		Name: name, Params: reflect.TypeFor[P](), Result: reflect.TypeFor[R](),
		call: func(s *Server, ctx context.Context, snap *Snapshot, p *executeCommandParams) (any, error) {
			var arg P
			if _, noArg := any(arg).(none); !noArg {
				if err := commandArg(p, &arg); err != nil {
					return nil, err
				}
			}
			res, err := fn(s, ctx, snap, arg, p.WorkDoneToken)
			if _, noAnswer := any(res).(none); noAnswer || err != nil {
				return nil, err
			}
			return res, nil
		},
	}
}

// commandTable is every command the server offers (Commands, in order).
var commandTable = []CommandSpec{
	command(CommandRun, func(s *Server, ctx context.Context, snap *Snapshot, a RunArgs, token json.RawMessage) (*RunResult, error) {
		return s.run(ctx, snap, a, token)
	}),
	command(CommandCancel, func(s *Server, ctx context.Context, _ *Snapshot, a CancelArgs, _ json.RawMessage) (*CancelResult, error) {
		if a.QueryID == "" {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, CommandCancel+": the argument needs a queryId")
		}
		return s.cancelRuns(ctx, a.QueryID), nil
	}),
	command(CommandCancelAll, func(s *Server, ctx context.Context, _ *Snapshot, _ none, _ json.RawMessage) (*CancelResult, error) {
		return s.cancelRuns(ctx, ""), nil
	}),
	command(CommandRefreshSchema, func(s *Server, ctx context.Context, snap *Snapshot, _ none, _ json.RawMessage) (none, error) {
		return none{}, s.onRefreshSchema(ctx, snap)
	}),
	command(CommandExplain, func(s *Server, ctx context.Context, snap *Snapshot, a ExplainArgs, _ json.RawMessage) (*ExplainResult, error) {
		return s.explain(ctx, snap, a)
	}),
	command(CommandExport, func(s *Server, ctx context.Context, snap *Snapshot, a ExportArgs, token json.RawMessage) (*ExportResult, error) {
		return s.export(ctx, snap, a, token)
	}),
	command(CommandReconnect, func(s *Server, _ context.Context, _ *Snapshot, _ none, _ json.RawMessage) (none, error) {
		s.reconnectNow()
		return none{}, nil
	}),
	command(CommandParameters, func(s *Server, _ context.Context, snap *Snapshot, a RunArgs, _ json.RawMessage) (*ParametersResult, error) {
		return s.parameters(snap, a)
	}),
}

// RequestSpec is one custom request: a method of its own (not a command),
// the Go types of its argument and answer, and its handler.
type RequestSpec struct {
	Name           string
	Params, Result reflect.Type
	route          func(s *Server) route
}

func customRequest[P, R any](name string, fn func(s *Server, ctx context.Context, snap *Snapshot, p *P) (R, error)) RequestSpec {
	return RequestSpec{
		Name: name, Params: reflect.TypeFor[P](), Result: reflect.TypeFor[R](),
		route: func(s *Server) route {
			return request(func(ctx context.Context, snap *Snapshot, p *P) (R, error) { return fn(s, ctx, snap, p) })
		},
	}
}

// requestTable is every custom request the server handles.
var requestTable = []RequestSpec{
	customRequest(RequestResultPage, (*Server).resultPage),
	customRequest(RequestQueries, (*Server).queries), // queries.go
}

// RequestSpecs are the custom requests with their payload types, for
// generators.
func RequestSpecs() []RequestSpec { return requestTable }

// CommandSpecs are the commands of the server with their payload types, for
// generators (cmd/gen-editors writes the editors' protocol from them).
func CommandSpecs() []CommandSpec { return commandTable }

// Notifications are the custom notifications (server → client) and their
// payload types.
var Notifications = []struct {
	Name   string
	Params reflect.Type
}{
	{NotifyStatus, reflect.TypeFor[Status]()},
	{NotifyRunStarted, reflect.TypeFor[RunStarted]()},
}

func (s *Server) executeCommand(ctx context.Context, snap *Snapshot, p *executeCommandParams) (any, error) {
	for _, c := range commandTable {
		if c.Name == p.Command {
			return c.call(s, ctx, snap, p)
		}
	}
	return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("unknown command %q (sparkls has %s)", p.Command, strings.Join(Commands, ", ")))
}

// commandArg decodes the first argument of a command into v.
func commandArg(p *executeCommandParams, v any) error {
	if len(p.Arguments) == 0 {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, p.Command+": missing argument")
	}
	if err := json.Unmarshal(p.Arguments[0], v); err != nil {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, p.Command+": bad argument: "+err.Error())
	}
	if a, ok := v.(interface{ uri() protocol.DocumentURI }); ok && a.uri() == "" {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, p.Command+": the argument needs a uri")
	}
	return nil
}

func (a RunArgs) uri() protocol.DocumentURI { return a.URI }

// cancelRuns cancels the run queryID, or every run when queryID is empty
// (and then interrupts everything the session runs, including operations
// sparkls no longer tracks, in the background). It answers once the runs
// have answered (each saying whether Spark confirmed its interrupt), or
// after cancelWait.
func (s *Server) cancelRuns(ctx context.Context, queryID string) *CancelResult {
	rs := s.runs()
	var runs []*activeRun
	if queryID == "" {
		runs = rs.running("")
	} else if r, ok := rs.lookup(queryID); ok {
		runs = append(runs, r)
	}
	res := &CancelResult{QueryIDs: []string{}}
	for _, r := range runs {
		r.cancel()
		res.QueryIDs = append(res.QueryIDs, r.id)
	}
	if queryID == "" {
		if c, ok := s.client(); ok {
			s.goBackground(func() {
				ictx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
				defer cancel()
				if err := c.InterruptAll(ictx); err != nil {
					s.log.Warn("interrupting every operation of the session failed", "err", err)
				}
			})
		}
	}
	deadline := time.NewTimer(cancelWait)
	defer deadline.Stop()
	for _, r := range runs {
		select {
		case <-r.done:
		case <-deadline.C:
			s.log.Warn("a cancelled run did not end in time", "queryId", r.id)
			return res
		case <-ctx.Done():
			return res
		}
	}
	s.log.Info("runs cancelled", "queryIds", res.QueryIDs)
	return res
}

type workDoneProgressCancelParams struct {
	Token json.RawMessage `json:"token"`
}

// workDoneProgressCancel: the user pressed cancel on a run's progress.
func (s *Server) workDoneProgressCancel(ctx context.Context, p *workDoneProgressCancelParams) error {
	key, ok := idKey(p.Token)
	if !ok {
		return errors.New("window/workDoneProgress/cancel without a token")
	}
	if r, ok := s.runs().byToken(key); ok {
		s.log.Info("run cancelled from its progress", "queryId", r.id)
		r.cancel()
	}
	return nil
}

// onRefreshSchema is sparkls.refreshSchema: the schema cache reloads every
// name of the catalog (schema.go).
func (s *Server) onRefreshSchema(ctx context.Context, snap *Snapshot) error {
	if !s.schema.offline {
		if _, err := s.waitClient(ctx, snap.Settings.connectTimeout()); err != nil {
			return fmt.Errorf("%s: %v", CommandRefreshSchema, err)
		}
	}
	return s.refreshSchema(ctx)
}

// explainModes are the modes sparkls.explain takes.
var explainModes = map[string]connect.ExplainMode{
	"":          connect.ExplainExtended,
	"simple":    connect.ExplainSimple,
	"extended":  connect.ExplainExtended,
	"codegen":   connect.ExplainCodegen,
	"cost":      connect.ExplainCost,
	"formatted": connect.ExplainFormatted,
}

// explain returns the plan of one statement without running it: a query
// through AnalyzePlan, anything else as EXPLAIN <statement>, which Spark
// plans but does not execute.
func (s *Server) explain(ctx context.Context, snap *Snapshot, a ExplainArgs) (*ExplainResult, error) {
	fail := func(format string, args ...any) error {
		return jsonrpc2.NewError(codeRequestFailed, CommandExplain+": "+fmt.Sprintf(format, args...))
	}
	mode, ok := explainModes[strings.ToLower(a.Mode)]
	if !ok {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s: unknown mode %q (simple, extended, codegen, cost or formatted)", CommandExplain, a.Mode))
	}
	doc, ok := snap.Document(a.URI)
	if !ok {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s: %s is not open", CommandExplain, a.URI))
	}
	stmt, err := statementIn(doc, a.Range)
	if err != nil {
		return nil, fail("%v", err)
	}
	client, err := s.waitClient(ctx, snap.Settings.connectTimeout())
	if err != nil {
		return nil, fail("%v", err)
	}
	// Spark explains only what it reads as a query: the query envelope, never
	// the EXPLAIN statement, which runs what it explains for EXECUTE IMMEDIATE.
	plan, err := client.Explain(ctx, stmt, mode)
	if err != nil {
		return nil, explainError(err)
	}
	return &ExplainResult{Plan: plan}, nil
}

func explainError(err error) error {
	if errors.Is(err, connect.ErrCanceled) {
		return err // RequestCancelled
	}
	return jsonrpc2.NewError(codeRequestFailed, CommandExplain+": "+err.Error())
}
