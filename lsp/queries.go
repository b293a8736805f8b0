package lsp

import (
	"context"
	"errors"
	"slices"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
)

// sparkls/queries (requestTable, command.go): the queries running on the user's Spark session. Where
// the server has GetStatus (Spark 4.2+) the list is the server's word on
// every operation of the session still running or ending, each matched to
// the sparkls.run that sent it; elsewhere it is the operations of the runs
// sparkls has in flight.

// QueriesParams is the argument of sparkls/queries (nothing yet).
type QueriesParams struct{}

// Query is one operation running on the session.
type Query struct {
	OperationID string `json:"operationId"`
	// State is "running" or "terminating" (being cancelled or finishing).
	State string `json:"state"`
	// QueryID is the sparkls.run that sent it (sparkls.cancel takes it);
	// "" for an operation sparkls did not start or no longer tracks.
	QueryID   string               `json:"queryId,omitempty"`
	URI       protocol.DocumentURI `json:"uri,omitempty"`
	Statement string               `json:"statement,omitempty"`
}

// QueriesResult answers sparkls/queries.
type QueriesResult struct {
	Queries []Query `json:"queries"`
	// FromServer says the states are the server's (GetStatus); without it
	// the list holds the operations of the runs sparkls has in flight.
	FromServer bool `json:"fromServer"`
}

// runOp is one operation a run sent, and its statement.
type runOp struct{ id, stmt string }

// addOp records an operation that run sent: a run sends one at a time.
func (rs *runState) addOp(run *activeRun, id, stmt string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	run.op = runOp{id, stmt}
}

// queries answers sparkls/queries.
func (s *Server) queries(ctx context.Context, _ *Snapshot, _ *QueriesParams) (*QueriesResult, error) {
	rs := s.runs()
	known := map[string]Query{} // operation id → what sparkls knows of it
	var order []string
	for _, r := range rs.running("") {
		rs.mu.Lock()
		op := r.op
		rs.mu.Unlock()
		if op.id != "" {
			known[op.id] = Query{OperationID: op.id, State: "running", QueryID: r.id, URI: r.uri, Statement: op.stmt}
			order = append(order, op.id)
		}
	}
	res := &QueriesResult{Queries: []Query{}}
	if c, ok := s.client(); ok {
		ops, err := c.Operations(ctx)
		switch {
		case err == nil:
			res.FromServer = true
			for _, o := range ops {
				if o.State != "running" && o.State != "terminating" {
					delete(known, o.OperationID) // over, whatever sparkls thinks
					continue
				}
				q := known[o.OperationID]
				q.OperationID, q.State = o.OperationID, o.State
				res.Queries = append(res.Queries, q)
				delete(known, o.OperationID)
			}
		case !errors.Is(err, connect.ErrUnsupported):
			s.log.Warn("sparkls/queries: the server's operation states are unavailable", "err", err)
		}
	}
	for _, id := range order { // sent, not (yet) known to the server, or no GetStatus
		if q, ok := known[id]; ok {
			res.Queries = append(res.Queries, q)
		}
	}
	slices.SortStableFunc(res.Queries, func(a, b Query) int { return strings.Compare(a.QueryID, b.QueryID) })
	return res, nil
}
