package lsp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.lsp.dev/jsonrpc2"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/sqltext"
)

// sparkls/resultPage: more rows of a run's result. A run of a query keeps
// the window of its result (the preview.keepRows setting; connect/page.go
// says why a window and not the live operation): a page inside it is
// answered from memory without running anything. Past it, or once sparkls
// has let the result go, the answer says that a re-run is needed; the
// client asks the user and sends the request again with rerun, which runs
// the statement again from the offset, alone and as a query only (the
// query envelope: a command is never run again).

// ResultPageParams is the argument of sparkls/resultPage: rows [offset,
// offset+limit) of the result of run queryId (row 0 is its first row).
// Rerun runs the query again from offset when sparkls does not hold those
// rows: set it only after the user agreed, on an answer with rerunNeeded.
type ResultPageParams struct {
	QueryID string `json:"queryId"`
	Offset  int64  `json:"offset"`
	Limit   int    `json:"limit"`
	Rerun   bool   `json:"rerun,omitempty"`
}

// ResultPage answers sparkls/resultPage. Columns, rows and display have the
// shape of RunResult's (values as CAST(x AS STRING), types as typeof(), SQL
// NULL as JSON null). More says that rows exist after these. RerunNeeded says that
// sparkls does not hold the rows asked for (Reason says why): no rows come,
// and a request with rerun runs the query again. Rerun says that this
// answer came from running the query again; Error is why that failed.
type ResultPage struct {
	QueryID     string           `json:"queryId"`
	Offset      int64            `json:"offset"`
	Columns     []connect.Column `json:"columns"`
	Rows        [][]*string      `json:"rows"`
	Display     Display          `json:"display,omitempty"`
	RowCount    int              `json:"rowCount"`
	More        bool             `json:"more"`
	RerunNeeded bool             `json:"rerunNeeded"`
	Reason      string           `json:"reason,omitempty"`
	Rerun       bool             `json:"rerun"`
	Error       *RunError        `json:"error"`
}

// maxPageRows bounds one page.
const maxPageRows = 10000

// Bounds on the results kept for paging: the statements of the last
// maxKept runs (for a re-run), the rows of the newest maxKeptRows of them
// (each at most connect.KeepBytes of text).
const (
	maxKept     = 20
	maxKeptRows = 5
)

// keptResult is what a run of a query leaves for paging.
type keptResult struct {
	id     string
	stmt   string
	params connect.Params // bound to stmt's markers
	pager  *connect.Pager // nil once let go
}

// keptResults are the kept results, oldest first.
type keptResults struct {
	mu   sync.Mutex
	list []*keptResult
}

// keep records run id's query result, letting the oldest go.
func (k *keptResults) keep(r *keptResult) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.list = append(k.list, r)
	if len(k.list) > maxKept {
		if p := k.list[0].pager; p != nil {
			p.Close()
		}
		k.list = k.list[1:]
	}
	k.trimLocked()
}

// trimLocked lets the rows of all but the newest maxKeptRows results go.
func (k *keptResults) trimLocked() {
	n := 0
	for i := len(k.list) - 1; i >= 0; i-- {
		if k.list[i].pager == nil {
			continue
		}
		if n++; n > maxKeptRows {
			k.list[i].pager.Close()
			k.list[i].pager = nil
		}
	}
}

func (k *keptResults) lookup(id string) (*keptResult, *connect.Pager, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range k.list {
		if r.id == id {
			return r, r.pager, true
		}
	}
	return nil, nil, false
}

// replace makes p the rows of r (after a re-run), the newest kept.
func (k *keptResults) replace(r *keptResult, p *connect.Pager) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r.pager != nil {
		r.pager.Close()
	}
	r.pager = p
	for i, x := range k.list {
		if x == r {
			k.list = append(append(k.list[:i:i], k.list[i+1:]...), r)
			break
		}
	}
	k.trimLocked()
}

// keepResult records the result of run id's last statement st for paging,
// when it ran as a query (it has a pager).
func (s *Server) keepResult(id string, st sqltext.Statement, params connect.Params, r *connect.Result) {
	if r == nil || r.Pager == nil {
		return
	}
	s.runs().kept.keep(&keptResult{id: id, stmt: st.Text, params: params, pager: r.Pager})
}

// resultPage is sparkls/resultPage.
func (s *Server) resultPage(ctx context.Context, snap *Snapshot, p *ResultPageParams) (*ResultPage, error) {
	bad := func(format string, args ...any) error {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, RequestResultPage+": "+fmt.Sprintf(format, args...))
	}
	switch {
	case p.QueryID == "":
		return nil, bad("the argument needs a queryId")
	case p.Offset < 0:
		return nil, bad("offset %d is negative", p.Offset)
	case p.Limit < 0 || p.Limit > maxPageRows:
		return nil, bad("limit %d is not between 0 and %d", p.Limit, maxPageRows)
	case p.Limit == 0:
		p.Limit = snap.Settings.Preview.Rows
	}
	kept, pager, ok := s.runs().kept.lookup(p.QueryID)
	if !ok {
		return nil, jsonrpc2.NewError(codeRequestFailed, fmt.Sprintf("%s: sparkls holds no query result of run %s "+
			"(it ran as a command, which is never run again, or it is older than the last %d runs); run it again", RequestResultPage, p.QueryID, maxKept))
	}
	page := &ResultPage{QueryID: p.QueryID, Offset: p.Offset, Columns: []connect.Column{}, Rows: [][]*string{}}
	var reason error
	if pager != nil {
		rows, more, err := pager.Page(ctx, p.Offset, p.Limit)
		switch {
		case err == nil:
			page.fill(pager.Columns(), rows, more)
			return page, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		}
		reason = err
	} else {
		reason = errors.New("sparkls let this result go (it keeps the rows of the last " + fmt.Sprint(maxKeptRows) + " query results)")
	}
	if !p.Rerun {
		page.RerunNeeded = true
		page.Reason = rerunReason(reason)
		return page, nil
	}

	client, err := s.waitClient(ctx, snap.Settings.connectTimeout())
	if err != nil {
		return nil, jsonrpc2.NewError(codeRequestFailed, RequestResultPage+": "+err.Error())
	}
	settings := snap.Settings
	s.log.Info("re-running a query for a page", "queryId", p.QueryID, "offset", p.Offset)
	res, err := client.ReadFrom(ctx, kept.stmt, p.Offset, connect.RunOptions{
		Limits: connect.Limits{Rows: p.Limit, Bytes: max(settings.Preview.Bytes, connect.KeepBytes)},
		Keep:   max(settings.Preview.KeepRows, p.Limit),
		Tags:   []string{"sparkls-run-" + p.QueryID},
		Params: kept.params,
	})
	page.Rerun = true
	if err != nil {
		if errors.Is(err, connect.ErrCanceled) && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		page.Error = pageErrorOf(err)
		return page, nil
	}
	s.runs().kept.replace(kept, res.Pager)
	rows, more, err := res.Pager.Page(ctx, p.Offset, p.Limit)
	if err != nil {
		page.Error = pageErrorOf(err)
		return page, nil
	}
	page.fill(res.Pager.Columns(), rows, more)
	return page, nil
}

func (page *ResultPage) fill(cols []connect.Column, rows [][]connect.Cell, more bool) {
	if cols != nil {
		page.Columns = cols
	}
	page.Rows, page.Display = wireRows(rows), displayOf(rows)
	page.RowCount, page.More = len(rows), more
}

// rerunReason says why the rows need a re-run, for the question to the user.
func rerunReason(err error) string {
	var nk *connect.NotKeptError
	switch {
	case errors.As(err, &nk):
		return fmt.Sprintf("sparkls kept rows %d to %d of this result (the sparkls.preview.keepRows setting); "+
			"the others need the query to run again", nk.From+1, nk.To)
	case errors.Is(err, connect.ErrCanceled):
		return "the reading of this result was cancelled; the query needs to run again"
	}
	return "the query needs to run again: " + err.Error()
}

// pageErrorOf is a re-run's error in the wire form of a run's, without a
// position (the statement is not in a document any more).
func pageErrorOf(err error) *RunError {
	var se *connect.SparkError
	if errors.As(err, &se) {
		return &RunError{Message: se.Message, ErrorClass: se.ErrorClass, SQLState: se.SQLState, Plan: se.Plan}
	}
	return runErrorOf(err, nil, sqltext.Statement{})
}
