package lsp

import (
	"github.com/sparkls/sparkls/embed"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// Running SQL from the editor (sparkls.run): what to run, running it on the
// one shared Spark session with a bounded preview, progress, cancellation,
// and what a run leaves behind: the code lens status (code_lens.go), the
// hover preview (hover_result.go) and the diagnostics of a failed statement.
// command.go decodes the commands; this file does the work.

// RunArgs is the one argument of sparkls.run and sparkls.explain. A
// non-empty Range runs exactly the selected text (all its statements, in
// order); an empty one runs the cell, or without cell markers the
// statement, that contains its start.
//
// RunID is the client's own name for the run (optional, any string):
// sparkls/runStarted echoes it, so that a client with several runs in
// flight pairs each with its queryId without guessing.
//
// Params bind parameter markers (the RunArgParams field).
//
// CTE names a common table expression of the statement at Range's start:
// the run previews just it (its WITH list up to it, then SELECT * FROM
// it), as a query whatever the readOnly setting (the "▶ Preview" lens).
type RunArgs struct {
	URI    protocol.DocumentURI       `json:"uri"`
	Range  protocol.Range             `json:"range"`
	RunID  string                     `json:"runId,omitempty"`
	Params map[string]json.RawMessage `json:"params,omitempty"` // RunArgParams
	CTE    string                     `json:"cte,omitempty"`
}

// bindParams converts the params of a sparkls.run to connect's: keys made of
// digits are the 1-based positions of ? markers, others names.
func bindParams(m map[string]json.RawMessage) (connect.Params, error) {
	var p connect.Params
	pos := map[int]string{}
	for k, raw := range m {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return p, fmt.Errorf("params.%s: %w", k, err)
		}
		var s string
		switch v := v.(type) {
		case string:
			s = "'" + v + "'" // connect's form of a string
		case bool, float64:
			s = strings.TrimSpace(string(raw))
		default:
			return p, fmt.Errorf("params.%s: want a string, number or boolean", k)
		}
		if n, err := strconv.Atoi(k); err == nil && n >= 1 {
			pos[n] = s
			continue
		}
		if err := p.ParseParam(strings.TrimPrefix(k, ":") + "=" + s); err != nil {
			return p, err
		}
	}
	for i := 1; len(p.Positional) < len(pos); i++ {
		s, ok := pos[i]
		if !ok {
			return p, fmt.Errorf("params: positional %d is missing (keys are 1, 2, …)", i)
		}
		p.Positional = append(p.Positional, s)
	}
	return p, nil
}

// ParametersResult answers sparkls.parameters: the markers of the
// statements a sparkls.run of the same argument runs. Named are the names
// of the :name markers (without the colon), each once, in order;
// Positional is how many ? there are (keys "1" … of RunArgParams).
type ParametersResult struct {
	Named      []string `json:"named"`
	Positional int      `json:"positional"`
}

// parameters finds the parameter markers of a run's statements, from the
// text (sqltext's Param tokens).
func (s *Server) parameters(snap *Snapshot, args RunArgs) (*ParametersResult, error) {
	doc, ok := snap.Document(args.URI)
	if !ok {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s: %s is not open", CommandParameters, args.URI))
	}
	start, end := doc.Span(args.Range)
	target, err := ide.RunTargetAt(doc.SQL(), start, end)
	if err != nil {
		return nil, jsonrpc2.NewError(codeRequestFailed, CommandParameters+": "+err.Error())
	}
	stmts := target.Statements
	if args.CTE != "" {
		if q, _, _, ok := ide.CTEPreview(doc.SQL(), start, args.CTE); ok {
			stmts = []sqltext.Statement{{Text: q}}
		}
	}
	res := &ParametersResult{Named: []string{}}
	for _, st := range stmts {
		for t := range sqltext.Tokens(st.Text) {
			switch {
			case t.Kind != sqltext.Param:
			case t.Text == "?":
				res.Positional++
			case !slices.Contains(res.Named, t.Text[1:]):
				res.Named = append(res.Named, t.Text[1:])
			}
		}
	}
	return res, nil
}

// rememberParams keeps the string values of a run's named parameters for
// completion and hover (IDENTIFIER(:tbl)); a run without them keeps the
// last ones.
func (s *Server) rememberParams(uri protocol.DocumentURI, m map[string]json.RawMessage) {
	known := map[string]string{}
	for k, raw := range m {
		var v string
		if _, err := strconv.Atoi(k); err != nil && json.Unmarshal(raw, &v) == nil {
			known[strings.TrimPrefix(k, ":")] = v
		}
	}
	if len(known) > 0 {
		s.params.Store(uri, known)
	}
}

// knownParams are the named parameter values of uri's last run, or nil.
func (s *Server) knownParams(uri protocol.DocumentURI) map[string]string {
	if v, ok := s.params.Load(uri); ok {
		return v.(map[string]string)
	}
	return nil
}

// RunResult answers sparkls.run: the preview of the statement that ran last
// or, when one failed, that statement and its error. Rows and types follow
// package connect (values as CAST(x AS STRING), types as typeof(), SQL NULL
// as JSON null), bounded by the preview.rows and preview.bytes settings.
type RunResult struct {
	QueryID   string           `json:"queryId"`
	Statement string           `json:"statement"`
	Range     protocol.Range   `json:"range"` // of Statement
	Columns   []connect.Column `json:"columns"`
	Rows      [][]*string      `json:"rows"`
	Display   Display          `json:"display,omitempty"` // nested columns as JSON, by column index
	RowCount  int              `json:"rowCount"`
	Truncated bool             `json:"truncated"`
	ElapsedMs int64            `json:"elapsedMs"` // the whole run
	Markdown  string           `json:"markdown"`  // for clients without a custom view
	Error     *RunError        `json:"error"`
}

// RunError is why a run stopped. ErrorClass and SQLState are Spark's, or
// the ones below; both are empty when Spark could not be reached (Message
// then says what to check).
type RunError struct {
	Message    string          `json:"message"`
	ErrorClass string          `json:"errorClass"`
	SQLState   string          `json:"sqlState"`
	Range      *protocol.Range `json:"range"` // where Spark points, when it does
	// Plan is the logical plan Spark appends to an analysis error, cut
	// from Message: for a "Show plan" fold, not for the message.
	Plan string `json:"plan,omitempty"`
}

// Error classes sparkls reports itself.
const (
	// ClassReadOnly: the readOnly setting refused a statement; nothing was sent.
	ClassReadOnly = "SPARKLS_READ_ONLY"
	// ClassCancelled is Spark's own class for an interrupted operation.
	ClassCancelled = "OPERATION_CANCELED"
)

// RunStarted is the payload of sparkls/runStarted: a run's id (for
// sparkls.cancel) and what it runs, sent before the run answers, with the
// runId and the workDoneToken of the sparkls.run request, as the client
// sent them (absent when it sent none).
type RunStarted struct {
	QueryID       string               `json:"queryId"`
	URI           protocol.DocumentURI `json:"uri"`
	Range         protocol.Range       `json:"range"`
	RunID         string               `json:"runId,omitempty"`
	WorkDoneToken json.RawMessage      `json:"workDoneToken,omitempty"`
}

// refusedReadOnly tells whether the readOnly setting refuses stmt before
// anything is sent: a statement the guess calls anything but a query or
// Unknown. The guess only ever refuses here; what it lets through is sent
// with connect's QueryOnly, where Spark's parser decides (a command fails to
// parse inside the query envelope and nothing runs).
func refusedReadOnly(stmt string) bool {
	k := sqltext.Classify(stmt)
	return k != sqltext.Query && k != sqltext.Unknown
}

// run runs args on the shared Spark session (see RunArgs). token is the
// client's workDoneToken, if any. Spark's verdict, refusals and
// cancellations are results; a closed document, nothing to run or no
// connection are errors.
func (s *Server) run(ctx context.Context, snap *Snapshot, args RunArgs, token json.RawMessage) (*RunResult, error) {
	doc, ok := snap.Document(args.URI)
	if !ok {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s: %s is not open", CommandRun, args.URI))
	}
	if doc.Kind() == embed.Python {
		return nil, jsonrpc2.NewError(codeRequestFailed, CommandRun+": runs SQL files and the %sql cells of notebooks, not spark.sql strings in Python")
	}
	start, end := doc.Span(args.Range)
	target, err := ide.RunTargetAt(doc.SQL(), start, end)
	if err != nil {
		return nil, jsonrpc2.NewError(codeRequestFailed, CommandRun+": "+err.Error())
	}
	if args.CTE != "" {
		q, cs, ce, ok := ide.CTEPreview(doc.SQL(), start, args.CTE)
		if !ok {
			return nil, jsonrpc2.NewError(codeRequestFailed, fmt.Sprintf("%s: no CTE %s at that position", CommandRun, args.CTE))
		}
		target.Statements = []sqltext.Statement{{Text: q, Start: cs, End: ce}}
		target.Span = sqltext.Span{Start: cs, End: ce}
	}
	params, err := bindParams(args.Params)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, CommandRun+": "+err.Error())
	}
	s.rememberParams(doc.URI, args.Params)
	rs := s.runs()
	id := uuid.NewString()
	if snap.Settings.ReadOnly {
		for _, st := range target.Statements {
			if refusedReadOnly(st.Text) {
				s.log.Info("run refused: readOnly", "queryId", id, "uri", doc.URI)
				return s.finishRun(doc, id, st, nil, refusal(st.Text), 0, nil), nil
			}
		}
	}
	client, err := s.waitClient(ctx, snap.Settings.connectTimeout())
	if err != nil {
		return nil, jsonrpc2.NewError(codeRequestFailed, CommandRun+": "+err.Error())
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run := &activeRun{id: id, uri: doc.URI, version: doc.Version, stmts: target.Statements, cancel: cancel, done: make(chan struct{})}
	cleared := rs.begin(run)
	// The run ends before its lenses are refreshed, so that none still
	// offers to cancel it.
	endRun := sync.OnceFunc(func() { rs.end(run) })
	defer endRun()
	started := RunStarted{QueryID: id, URI: doc.URI, Range: doc.Range(target.Span.Start, target.Span.End), RunID: args.RunID}
	if len(token) > 0 && string(token) != "null" {
		started.WorkDoneToken = token
	}
	s.notify(NotifyRunStarted, started)
	s.log.Info("run started", "queryId", id, "uri", doc.URI, "statements", len(target.Statements))
	prog := s.beginProgress(ctx, token, id, len(target.Statements))
	rs.setToken(run, prog.key())
	if cleared {
		s.publishRunDiagnostics(doc.URI) // a statement that runs again loses its old error
	}
	s.refreshCodeLenses()

	settings := snap.Settings
	opts := connect.RunOptions{
		Limits:     connect.Limits{Rows: settings.Preview.Rows, Bytes: settings.Preview.Bytes},
		Keep:       settings.Preview.KeepRows,
		Tags:       []string{"sparkls-run-" + id},
		OnProgress: prog.spark,
		QueryOnly:  settings.ReadOnly || args.CTE != "",
		Params:     params,
	}
	began := time.Now()
	var (
		last   *connect.Result
		failed error
		stmt   sqltext.Statement
		sent   []string
		bound  connect.Params // the params of stmt
	)
	// Run calls it synchronously, while stmt is the statement it runs.
	opts.OnOperation = func(op string) { rs.addOp(run, op, stmt.Text) }
	for i, st := range target.Statements {
		prog.statement(i)
		stmt = st
		sent = append(sent, st.Text)
		bound = opts.Params
		r, err := client.Run(ctx, st.Text, opts)
		opts.Params = opts.Params.Rest(st.Text) // the next ? takes the next value
		if last != nil && last.Pager != nil {
			last.Pager.Close() // only the last statement's result is paged
		}
		if err != nil {
			failed = err
			break
		}
		last = r
		if i < len(target.Statements)-1 {
			rs.record(doc, st, recordOf(resultOf(doc, id, st, r, nil, r.Elapsed)))
		}
	}
	elapsed := time.Since(began)
	var runErr *RunError
	if failed != nil {
		runErr = runErrorOf(failed, doc, stmt)
		if s, e := doc.Span(ptrOr(runErr.Range)); runErr.Range != nil && (s < stmt.Start || e > stmt.End) {
			runErr.Range = nil // in the SELECT * FROM a CTE preview adds
		}
		last = nil
	}
	s.keepResult(id, stmt, bound, last)
	endRun()
	res := s.finishRun(doc, id, stmt, last, runErr, elapsed, failed)
	prog.end(lensTitle(res))
	s.log.Info("run ended", "queryId", id, "elapsed", elapsed.Round(time.Millisecond), "rows", res.RowCount, "err", failed)

	for _, t := range sent {
		if !sqltext.Classify(t).IsQuery() {
			s.analysisStale() // the session may have changed: analysis copies it again
			break
		}
	}
	var changed []string
	for _, t := range sent {
		// DDL, and USE / SET CATALOG, which move the current namespace
		// that completion is relative to.
		if _, ok := schema.DDLHint(t); ok || sqltext.Classify(t).ChangesCatalog() {
			changed = append(changed, t)
		}
	}
	if len(changed) > 0 {
		s.onCatalogChanged(changed)
	}
	s.afterRunVars(client, sent)
	return res, nil
}

// finishRun builds the result of a run whose last statement was st, and
// records it for the lens, the hover and the diagnostics.
func (s *Server) finishRun(doc *Document, id string, st sqltext.Statement, r *connect.Result, re *RunError, elapsed time.Duration, cause error) *RunResult {
	res := resultOf(doc, id, st, r, re, elapsed)
	rs := s.runs()
	rs.record(doc, st, recordOf(res))
	rs.forgetClosed(s.docs.load())
	if re != nil && diagnosed(re, cause) {
		rng := res.Range
		if re.Range != nil {
			rng = *re.Range
		}
		source := SourceSpark
		if re.ErrorClass == ClassReadOnly {
			source = SourceLocal
		}
		rs.addDiagnostic(doc, st, protocol.Diagnostic{
			Range:    rng,
			Severity: protocol.DiagnosticSeverityError,
			Code:     re.ErrorClass,
			Source:   source,
			Message:  diagnosticMessage(re, cause),
		})
		s.publishRunDiagnostics(doc.URI)
	}
	s.refreshCodeLenses()
	return res
}

// resultOf is the wire form of statement st's preview r, or of its error re.
func resultOf(doc *Document, id string, st sqltext.Statement, r *connect.Result, re *RunError, elapsed time.Duration) *RunResult {
	res := &RunResult{
		QueryID:   id,
		Statement: st.Text,
		Range:     doc.Range(st.Start, st.End),
		Columns:   []connect.Column{},
		Rows:      [][]*string{},
		ElapsedMs: elapsed.Milliseconds(),
		Error:     re,
	}
	if r != nil {
		if r.Columns != nil {
			res.Columns = r.Columns
		}
		res.Rows, res.Display = wireRows(r.Rows), displayOf(r.Rows)
		res.RowCount, res.Truncated = len(r.Rows), r.Truncated
	}
	res.Markdown = resultMarkdown(res)
	return res
}

// wireRows are rows in their wire form: SQL NULL as nil.
func wireRows(rows [][]connect.Cell) [][]*string {
	out := make([][]*string, len(rows))
	for i, row := range rows {
		out[i] = make([]*string, len(row))
		for j := range row {
			if !row[j].Null {
				out[i][j] = &row[j].Text
			}
		}
	}
	return out
}

// Display is the display form of a result's struct, map and array columns:
// JSON with field names and typed values (connect/internal/arrowfmt's
// display.go), for the grid and the value viewer; Rows keep Spark's CAST
// text, which copy gives. Keyed by column index (only nested columns are
// present), one entry per row: nil where the value is SQL NULL or too long
// to show whole (the client shows the CAST text then).
type Display map[int][]*string

// displayOf is the Display of rows; nil when no column is nested.
func displayOf(rows [][]connect.Cell) Display {
	var d Display
	for i, row := range rows {
		for j := range row {
			if row[j].Display == "" {
				continue
			}
			if d == nil {
				d = Display{}
			}
			if d[j] == nil {
				d[j] = make([]*string, len(rows))
			}
			d[j][i] = &row[j].Display
		}
	}
	return d
}

// recordOf is what a result leaves for the lens and the hover.
func recordOf(res *RunResult) runRecord {
	return runRecord{summary: lensTitle(res), markdown: res.Markdown}
}

// diagnosed tells whether a run error is about the statement (Spark's
// verdict, a readOnly refusal) rather than about getting it run
// (cancelled, Spark unreachable); only the former marks the text.
func diagnosed(re *RunError, cause error) bool {
	if re.ErrorClass == ClassReadOnly {
		return true
	}
	var se *connect.SparkError
	return errors.As(cause, &se) && re.ErrorClass != ClassCancelled
}

// refusal is the error of a statement the readOnly setting refuses.
func refusal(stmt string) *RunError {
	return &RunError{
		Message: fmt.Sprintf("not run: the readOnly setting is on, and it runs queries only (this looks like a %s statement); "+
			"nothing was sent to Spark", sqltext.Classify(stmt)),
		ErrorClass: ClassReadOnly,
	}
}

// cancelMessage says what became of a cancelled run on the Spark side: the
// run answers before a slow network delivers the interrupt, and must not
// claim that Spark stopped it when nobody knows yet.
func cancelMessage(err error) string {
	var ce *connect.CanceledError
	switch {
	case !errors.As(err, &ce):
		return "cancelled"
	case ce.Confirmed:
		return "cancelled: Spark confirmed the interrupt"
	}
	return "cancelled: Spark has not confirmed the interrupt yet (a slow or broken network?); sparkls keeps sending it in the background"
}

// runErrorOf turns a run's error into its wire form, positions mapped
// from the statement text st ran as onto the document.
func runErrorOf(err error, doc *Document, st sqltext.Statement) *RunError {
	var se *connect.SparkError
	var te *connect.TransportError
	var refused *connect.RefusedError
	switch {
	case errors.As(err, &refused):
		return &RunError{Message: refused.Error() + "; the readOnly setting is on", ErrorClass: ClassReadOnly}
	case errors.Is(err, connect.ErrCanceled):
		return &RunError{Message: cancelMessage(err), ErrorClass: ClassCancelled, SQLState: "HY008"}
	case errors.As(err, &se):
		re := &RunError{Message: se.Message, ErrorClass: se.ErrorClass, SQLState: se.SQLState, Plan: se.Plan}
		// Byte offsets into the text Run was given: the statement.
		if qc, ok := se.Position(); ok && 0 <= qc.Start && qc.Start <= qc.Stop && qc.Stop <= len(st.Text) {
			r := doc.Range(st.Start+qc.Start, st.Start+qc.Stop)
			re.Range = &r
		}
		return re
	case errors.As(err, &te):
		return &RunError{Message: "Spark is unreachable or the connection broke: " + te.Error()}
	}
	return &RunError{Message: err.Error()}
}

// diagnosticMessage is the one-line message of a run error's diagnostic,
// worded like the analysis diagnostics of diagnostics.go.
func diagnosticMessage(re *RunError, cause error) string {
	var se *connect.SparkError
	if errors.As(cause, &se) {
		return se.Summary()
	}
	return re.Message
}

// onCatalogChanged is called after a run that may have created, dropped or
// altered catalog objects (temporary views and functions too), with those
// statements. The schema cache reloads what they changed (schema.go).
func (s *Server) onCatalogChanged(stmts []string) {
	s.log.Info("a run changed the catalog; reloading what it changed", "statements", len(stmts))
	s.types.reset()
	s.shapes.reset()
	s.catalogChanged(stmts)
	if s.diags != nil {
		s.diags.recheckAll() // a query naming the new table is no longer an error
	}
}

// refreshCodeLenses asks the client to ask for code lenses again (a run
// started or ended), where it supports that. It never waits.
func (s *Server) refreshCodeLenses() {
	ws := s.clientCaps.Workspace
	if ws == nil || ws.CodeLens == nil || !ws.CodeLens.RefreshSupport {
		return
	}
	s.goBackground(func() {
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		defer cancel()
		if err := s.conn.call(ctx, protocol.MethodCodeLensRefresh, nil, nil); err != nil {
			s.log.Debug("workspace/codeLens/refresh failed", "err", err)
		}
	})
}

// ---------------------------------------------------------------------------
// Work-done progress.

// progressParams is $/progress with a raw token: protocol.ProgressToken
// marshals to {} when held by value.
type progressParams struct {
	Token json.RawMessage `json:"token"`
	Value any             `json:"value"`
}

// runProgress reports one run as work-done progress. The zero value (no
// token: the client supports none) reports nothing.
type runProgress struct {
	s     *Server
	token json.RawMessage
	n     int

	mu   sync.Mutex
	i    int       // the statement running
	pct  uint32    // never decreases
	last time.Time // of the last Spark progress report sent
}

// progressEvery throttles Spark's progress updates to the client.
const progressEvery = 250 * time.Millisecond

// beginProgress starts reporting on the client's token, or on one the
// server creates where the client supports that.
func (s *Server) beginProgress(ctx context.Context, token json.RawMessage, id string, n int) *runProgress {
	p := s.startProgress(ctx, token, "sparkls-run-"+id, "Spark: running", "queryId="+id, true)
	p.n = n
	return p
}

// startProgress begins work-done progress on the client's token, or on one
// named name that the server creates where the client supports that.
func (s *Server) startProgress(ctx context.Context, token json.RawMessage, name, title, message string, cancellable bool) *runProgress {
	p := &runProgress{s: s}
	if len(token) == 0 || string(token) == "null" {
		if w := s.clientCaps.Window; w == nil || !w.WorkDoneProgress {
			return p
		}
		token, _ = json.Marshal(name)
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.conn.call(cctx, protocol.MethodWorkDoneProgressCreate, progressParams{Token: token}, nil)
		cancel()
		if err != nil {
			s.log.Debug("window/workDoneProgress/create failed; running without progress", "err", err)
			return p
		}
	}
	p.token = token
	p.send(protocol.WorkDoneProgressBegin{
		Kind: protocol.WorkDoneProgressKindBegin, Title: title, Cancellable: cancellable, Message: message,
	})
	return p
}

// key identifies the token for window/workDoneProgress/cancel.
func (p *runProgress) key() string {
	k, _ := idKey(p.token)
	return k
}

func (p *runProgress) send(v any) {
	if p.token != nil {
		p.s.notify(protocol.MethodProgress, progressParams{Token: p.token, Value: v})
	}
}

// statement reports that statement i (0-based) starts.
func (p *runProgress) statement(i int) {
	p.mu.Lock()
	p.i = i
	pct := p.raise(float64(i) / float64(p.n))
	p.mu.Unlock()
	p.send(protocol.WorkDoneProgressReport{
		Kind: protocol.WorkDoneProgressKindReport, Cancellable: true, Percentage: pct,
		Message: fmt.Sprintf("statement %d of %d", i+1, p.n),
	})
}

// spark reports Spark's execution progress of the running statement.
func (p *runProgress) spark(pr connect.Progress) {
	if p.token == nil {
		return
	}
	p.mu.Lock()
	now := time.Now()
	if !pr.Done && now.Sub(p.last) < progressEvery {
		p.mu.Unlock()
		return
	}
	p.last = now
	frac := 0.0
	if pr.Tasks > 0 {
		frac = float64(pr.CompletedTasks) / float64(pr.Tasks)
	}
	pct := p.raise((float64(p.i) + frac) / float64(p.n))
	msg := fmt.Sprintf("statement %d of %d · %s · %d/%d tasks", p.i+1, p.n, runPlural(pr.Stages, "stage"), pr.CompletedTasks, pr.Tasks)
	p.mu.Unlock()
	if pr.BytesRead > 0 {
		msg += " · " + runByteSize(pr.BytesRead) + " read"
	}
	p.send(protocol.WorkDoneProgressReport{Kind: protocol.WorkDoneProgressKindReport, Cancellable: true, Percentage: pct, Message: msg})
}

// raise moves the percentage up to frac (0..1) and returns it.
func (p *runProgress) raise(frac float64) uint32 {
	if v := uint32(min(max(frac, 0), 1) * 100); v > p.pct {
		p.pct = v
	}
	return p.pct
}

func (p *runProgress) end(msg string) {
	p.send(protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: msg})
}

func runPlural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func runByteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// ---------------------------------------------------------------------------
// The state runs leave: runs in flight, the last outcome of each statement,
// the diagnostics of failed statements.

// activeRun is a run in flight.
type activeRun struct {
	id      string
	uri     protocol.DocumentURI
	version int32
	stmts   []sqltext.Statement
	token   string // idKey of its progress token; "" without one
	op      runOp  // the Spark operation sent last (the others are over); guarded by runState.mu
	cancel  context.CancelFunc
	done    chan struct{} // closed when the run has answered
}

// runRecord is the last outcome of one statement, matched back to the
// text by the statement's text and position.
type runRecord struct {
	seq      uint64
	stmt     string // statementKey
	start    int
	version  int32
	summary  string // the lens title: ✓ 100 rows · 0.4 s, ✗ UNRESOLVED_COLUMN
	markdown string // the preview or error, for hover and RunResult.Markdown
}

// runDiag is the diagnostic of a failed statement.
type runDiag struct {
	stmt    string // statementKey
	start   int
	version int32
	diag    protocol.Diagnostic
}

type docRuns struct {
	records  []runRecord
	diags    []runDiag
	analysis []protocol.Diagnostic // see withRunDiagnostics
}

// Bounds on what runs leave behind (a record holds at most about
// mdMaxBytes of Markdown).
const (
	maxRecords = 512 // over all documents
)

// runState is a server's run state. Its own lock guards it; it never does
// I/O under the lock.
type runState struct {
	mu     sync.Mutex
	active map[string]*activeRun // by queryId
	docs   map[protocol.DocumentURI]*docRuns
	seq    uint64
	nrec   int
	// pubMu orders this file's diagnostic publications.
	pubMu sync.Mutex
	// kept are the query results kept for sparkls/resultPage (result_page.go).
	kept keptResults
}

// runs is the server's run state.
func (s *Server) runs() *runState { return &s.runState }

func (rs *runState) doc(uri protocol.DocumentURI) *docRuns {
	d := rs.docs[uri]
	if d == nil {
		d = &docRuns{}
		rs.docs[uri] = d
	}
	return d
}

// begin registers a run and drops the diagnostics of the statements it runs
// again; it reports whether there were any.
func (rs *runState) begin(r *activeRun) (cleared bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.active[r.id] = r
	d := rs.doc(r.uri)
	n := len(d.diags)
	keys := make([]string, len(r.stmts))
	for i, st := range r.stmts {
		keys[i] = statementKey(st.Text)
	}
	d.diags = slices.DeleteFunc(d.diags, func(x runDiag) bool {
		for i, st := range r.stmts {
			if sameStatement(x.stmt, x.start, x.version, keys[i], st.Start, r.version) {
				return true
			}
		}
		return false
	})
	return len(d.diags) < n
}

func (rs *runState) setToken(r *activeRun, key string) {
	rs.mu.Lock()
	r.token = key
	rs.mu.Unlock()
}

func (rs *runState) end(r *activeRun) {
	rs.mu.Lock()
	delete(rs.active, r.id)
	rs.mu.Unlock()
	close(r.done)
}

// running returns the runs in flight (on uri, or all when uri is empty).
func (rs *runState) running(uri protocol.DocumentURI) []*activeRun {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var out []*activeRun
	for _, r := range rs.active {
		if uri == "" || r.uri == uri {
			out = append(out, r)
		}
	}
	return out
}

func (rs *runState) lookup(id string) (*activeRun, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r, ok := rs.active[id]
	return r, ok
}

func (rs *runState) byToken(key string) (*activeRun, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.active {
		if key != "" && r.token == key {
			return r, true
		}
	}
	return nil, false
}

// sameStatement tells whether a recorded statement (key, start, version)
// is the statement with key stKey at stStart of a document at docVersion:
// the same key, and the same place when the version is the same (else the
// text may have moved).
func sameStatement(key string, start int, version int32, stKey string, stStart int, docVersion int32) bool {
	return key == stKey && (version != docVersion || start == stStart)
}

// statementKey identifies a statement across edits: its text from its
// first significant token, so that a comment added above it keeps it the
// same statement.
func statementKey(text string) string {
	for t := range sqltext.Tokens(text) {
		if t.Kind != sqltext.Comment {
			return text[t.Start:]
		}
	}
	return text
}

// record keeps rec as the last outcome of statement st of doc.
func (rs *runState) record(doc *Document, st sqltext.Statement, rec runRecord) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.seq++
	// A clone: a slice of the document's text would keep all of it alive.
	rec.seq, rec.stmt, rec.start, rec.version = rs.seq, strings.Clone(statementKey(st.Text)), st.Start, doc.Version
	d := rs.doc(doc.URI)
	n := len(d.records)
	d.records = slices.DeleteFunc(d.records, func(x runRecord) bool { return x.stmt == rec.stmt && x.start == rec.start })
	rs.nrec -= n - len(d.records)
	d.records = append(d.records, rec)
	rs.nrec++
	for rs.nrec > maxRecords {
		rs.evictOldest()
	}
}

// evictOldest drops the oldest record of all documents.
func (rs *runState) evictOldest() {
	var oldest *docRuns
	for _, d := range rs.docs {
		if len(d.records) > 0 && (oldest == nil || d.records[0].seq < oldest.records[0].seq) {
			oldest = d
		}
	}
	if oldest == nil {
		rs.nrec = 0
		return
	}
	oldest.records = oldest.records[1:]
	rs.nrec--
}

// forgetClosed drops the diagnostics kept for documents that are no longer
// open (the client cleared them on close). Outcomes stay, bounded by
// maxRecords: a document opened again shows its last runs.
func (rs *runState) forgetClosed(open docMap) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for uri, d := range rs.docs {
		if _, ok := open[uri]; !ok {
			d.diags, d.analysis = nil, nil
			if len(d.records) == 0 {
				delete(rs.docs, uri)
			}
		}
	}
}

// hasRecords tells whether any statement of uri has an outcome.
func (rs *runState) hasRecords(uri protocol.DocumentURI) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	d := rs.docs[uri]
	return d != nil && len(d.records) > 0
}

// outcome returns the last outcome of statement st of doc.
func (rs *runState) outcome(doc *Document, st sqltext.Statement) (runRecord, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	d := rs.docs[doc.URI]
	if d == nil {
		return runRecord{}, false
	}
	best, found, key := runRecord{}, false, statementKey(st.Text)
	for _, r := range d.records {
		if !sameStatement(r.stmt, r.start, r.version, key, st.Start, doc.Version) {
			continue
		}
		if !found || offsetDistance(r.start-st.Start) < offsetDistance(best.start-st.Start) ||
			(offsetDistance(r.start-st.Start) == offsetDistance(best.start-st.Start) && r.seq > best.seq) {
			best, found = r, true
		}
	}
	return best, found
}

func offsetDistance(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func (rs *runState) addDiagnostic(doc *Document, st sqltext.Statement, d protocol.Diagnostic) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	dr := rs.doc(doc.URI)
	key := statementKey(st.Text)
	dr.diags = slices.DeleteFunc(dr.diags, func(x runDiag) bool {
		return x.version != doc.Version || sameStatement(x.stmt, x.start, x.version, key, st.Start, doc.Version)
	})
	dr.diags = append(dr.diags, runDiag{stmt: strings.Clone(key), start: st.Start, version: doc.Version, diag: d})
}

// runDiagnostics returns the diagnostics of statements that failed when run
// in this version of the document: an edit ends them.
func (s *Server) runDiagnostics(doc *Document) []protocol.Diagnostic {
	rs := s.runs()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.runDiagnosticsLocked(doc)
}

func (rs *runState) runDiagnosticsLocked(doc *Document) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	if d := rs.docs[doc.URI]; d != nil {
		for _, x := range d.diags {
			if x.version == doc.Version {
				out = append(out, x.diag)
			}
		}
	}
	return out
}

// withRunDiagnostics is for diagnostics.go's publish: LSP keeps one set of
// diagnostics per document, so each side publishes the union. It remembers
// analysis as doc's latest analysis diagnostics (a run error publishes them
// again) and returns them followed by the run errors of this version.
func (s *Server) withRunDiagnostics(doc *Document, analysis []protocol.Diagnostic) []protocol.Diagnostic {
	rs := s.runs()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.doc(doc.URI).analysis = slices.Clone(analysis)
	return unionDiagnostics(analysis, rs.runDiagnosticsLocked(doc))
}

// unionDiagnostics is analysis followed by the run errors that are not
// already among them: a query that fails to run usually fails the analysis
// too, with the same class, message and range, and is listed once.
func unionDiagnostics(analysis, run []protocol.Diagnostic) []protocol.Diagnostic {
	out := slices.Clip(analysis)
	for _, r := range run {
		if !slices.ContainsFunc(analysis, func(a protocol.Diagnostic) bool {
			return a.Range == r.Range && a.Code == r.Code && a.Message == r.Message && a.Severity == r.Severity
		}) {
			out = append(out, r)
		}
	}
	return out
}

// publishRunDiagnostics publishes uri's diagnostics after its run errors
// changed: the run errors of the current version and the last analysis
// diagnostics that diagnostics.go handed to withRunDiagnostics.
func (s *Server) publishRunDiagnostics(uri protocol.DocumentURI) {
	rs := s.runs()
	rs.pubMu.Lock()
	defer rs.pubMu.Unlock()
	p := protocol.PublishDiagnosticsParams{URI: uri, Diagnostics: []protocol.Diagnostic{}}
	doc, ok := s.docs.load()[uri]
	if !ok {
		return // closed: diagnostics.go cleared it
	}
	p.Version = uint32(max(doc.Version, 0))
	rs.mu.Lock()
	var analysis []protocol.Diagnostic
	if d := rs.docs[uri]; d != nil {
		analysis = d.analysis
	}
	p.Diagnostics = append(p.Diagnostics, unionDiagnostics(analysis, rs.runDiagnosticsLocked(doc))...)
	rs.mu.Unlock()
	s.notify(protocol.MethodTextDocumentPublishDiagnostics, p)
}

// ptrOr is *r, or the zero range.
func ptrOr(r *protocol.Range) protocol.Range {
	if r == nil {
		return protocol.Range{}
	}
	return *r
}
