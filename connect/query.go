package connect

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sparkls/sparkls/connect/internal/arrowfmt"
	"github.com/sparkls/sparkls/connect/internal/pb"
	"github.com/sparkls/sparkls/sqltext"
)

// Preview bounds, the defaults of the preview.rows and preview.bytes settings.
const (
	DefaultPreviewRows  = 100
	DefaultPreviewBytes = 4 << 20
	DefaultCellBytes    = 2048
	// DefaultKeepRows is the default of the preview.keepRows setting: the
	// rows of a query's result kept for paging (RunOptions.Keep).
	DefaultKeepRows = 1000
)

// Limits bound a preview: at most Rows rows and about Bytes bytes of rendered
// text; cells longer than CellBytes are cut with "…". Zero means the default.
type Limits struct {
	Rows      int
	Bytes     int
	CellBytes int
}

func (l Limits) withDefaults() Limits {
	if l.Rows <= 0 {
		l.Rows = DefaultPreviewRows
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultPreviewBytes
	}
	if l.CellBytes <= 0 {
		l.CellBytes = DefaultCellBytes
	}
	return l
}

// Column is a result column: its name and its Spark type as typeof() prints it.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Cell is one value rendered as Spark's CAST(value AS STRING); Null marks SQL NULL.
type Cell = arrowfmt.Cell

// Result is the bounded preview of the last statement a Run executed.
type Result struct {
	// Statement is the text of the statement that produced the preview, at
	// byte offsets [Start, End) of the text given to Run.
	Statement  string
	Start, End int
	Statements int // how many statements ran

	Columns   []Column
	Rows      [][]Cell
	Truncated bool // more rows (or bytes) existed than the preview holds
	Elapsed   time.Duration
	// OperationID is the server's id of the operation that produced the preview.
	OperationID string
	// Pager holds the window of a query's result (RunOptions.Keep rows) for
	// paging without running it again; nil for a statement that ran as a
	// command. The caller closes it when done with the result.
	Pager *Pager
}

// RunOptions tune Run.
type RunOptions struct {
	Limits
	// Tags are attached to every operation (Interrupt by tag cancels them).
	Tags []string
	// OnProgress receives Spark's execution progress while a job runs.
	OnProgress func(Progress)
	// OnStatement is told before each statement starts (index and text).
	OnStatement func(i int, stmt string)
	// OnOperation is told the id of each operation as it is sent, the id
	// GetStatus and Interrupt know it by.
	OnOperation func(operationID string)
	// Detach: a cancel leaves the operations to finish on the server
	// rather than interrupting them (reads of the catalog; see execOptions).
	Detach bool
	// QueryOnly lets Spark run nothing but queries (the readOnly setting).
	// Each statement goes inside the query envelope (see envelope.go), so
	// one that Spark does not read as a query fails with its parse error and
	// nothing runs; a query whose analysed plan would run code on the server
	// (script transforms, reflection) is refused with *RefusedError before
	// it executes.
	QueryOnly bool
	// Params bind the parameter markers (:name, ?) of the statements.
	Params Params
	// Keep is how many rows of a query's result to read (in the background,
	// after the preview) into Result.Pager; at most Rows when smaller. It
	// bounds what the query computes: Spark reads it through Limit(Keep+1).
	Keep int
}

func (o RunOptions) exec() execOptions {
	return execOptions{tags: o.Tags, onStart: o.OnOperation, detach: o.Detach}
}

// RefusedError is a statement that RunOptions.QueryOnly kept from running.
// Nothing was executed.
type RefusedError struct {
	Statement string
	Reason    string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("not run: %q %s", abbreviate(e.Statement), e.Reason)
}

// Run executes text, which may hold several statements separated by ';', in
// order on the client's session, and returns the preview of the last one.
// Each statement runs the way PySpark's spark.sql does: a SqlCommand first, so
// DDL and DML run exactly once on the server; a query is then read through a
// Limit of Rows+1, so the preview knows whether it is truncated without ever
// pulling the whole result. A failure stops the run; a *SparkError's contexts
// are then offsets into text.
func (c *Client) Run(ctx context.Context, text string, opt RunOptions) (*Result, error) {
	stmts := sqltext.SplitStatements(text)
	if len(stmts) == 0 {
		return nil, errors.New("nothing to run: the text holds no SQL statement")
	}
	var res *Result
	pos := 0
	for i, s := range stmts {
		if opt.OnStatement != nil {
			opt.OnStatement(i, s.Text)
		}
		var args stmtArgs
		args, pos = opt.Params.forStatement(s.Text, pos)
		r, err := c.runStatement(ctx, s.Text, opt, args)
		if res != nil && res.Pager != nil {
			res.Pager.Close() // only the last statement's result is paged
		}
		if err != nil {
			var se *SparkError
			if errors.As(err, &se) {
				se.shift(s.Start)
				se.Statement = Span{Start: s.Start, End: s.End}
			}
			return nil, err
		}
		r.Start, r.End, r.Statements = s.Start, s.End, i+1
		res = r
	}
	return res, nil
}

// runStatement runs one statement and reads its bounded preview. A
// *SparkError's positions are offsets into stmt.
//
// A statement that looks like a query goes first as one ExecutePlan of a
// limit over the enveloped query: one round trip instead of two. If Spark
// does not parse it as a query, it runs the way PySpark's spark.sql does
// (runCommand), which also reports a syntax error in the user's own text.
func (c *Client) runStatement(ctx context.Context, stmt string, opt RunOptions, args stmtArgs) (*Result, error) {
	if opt.QueryOnly {
		if err := c.refuseServerCode(ctx, stmt, args); err != nil {
			return nil, err
		}
		return c.runQuery(ctx, stmt, opt, args)
	}
	if sqltext.Classify(stmt).IsQuery() {
		r, err := c.runQuery(ctx, stmt, opt, args)
		var se *SparkError
		if !errors.As(err, &se) || !se.isParseError() {
			return r, err
		}
	}
	r, err := c.runCommand(ctx, stmt, opt, args)
	var se *SparkError
	if errors.As(err, &se) {
		se.inText(stmt)
	}
	return r, err
}

// serverCode finds, in an explained plan, what makes a query run code on
// the server when executed: script transforms (TRANSFORM, MAP, REDUCE …
// USING 'cmd' run a shell command) and reflection (reflect, java_method,
// try_reflect call Java methods). Analysis alone runs none of them.
var serverCode = regexp.MustCompile(`(?i)ScriptTransformation|\b(?:try_)?reflect\(|\bjava_method\(`)

// refuseServerCode analyses the enveloped stmt and refuses it when its plan
// would run code on the server. A statement Spark does not read as a query
// fails here with its parse error.
func (c *Client) refuseServerCode(ctx context.Context, stmt string, args stmtArgs) error {
	resp, err := c.analyze(ctx, &pb.AnalyzePlanRequest{Analyze: &pb.AnalyzePlanRequest_Explain_{
		Explain: &pb.AnalyzePlanRequest_Explain{Plan: &pb.Plan{OpType: &pb.Plan_Root{Root: args.sql(envelope(stmt))}},
			ExplainMode: pb.AnalyzePlanRequest_Explain_ExplainMode(ExplainExtended)},
	}})
	if err != nil {
		var se *SparkError
		if errors.As(err, &se) {
			se.fromEnvelope(stmt)
		}
		return err
	}
	if m := serverCode.FindString(resp.GetExplain().GetExplainString()); m != "" {
		return &RefusedError{Statement: stmt, Reason: fmt.Sprintf("its plan runs code on the server (%s)", strings.TrimSuffix(m, "("))}
	}
	return nil
}

// runQuery runs stmt inside the query envelope as one ExecutePlan of a
// Limit of its window over it (page.go).
func (c *Client) runQuery(ctx context.Context, stmt string, opt RunOptions, args stmtArgs) (*Result, error) {
	return c.readQuery(ctx, stmt, 0, opt, args)
}

// runCommand runs stmt the way PySpark's spark.sql does: a SqlCommand, then,
// for a query, a limited read of the relation it returns.
func (c *Client) runCommand(ctx context.Context, stmt string, opt RunOptions, args stmtArgs) (*Result, error) {
	start := time.Now()
	lim := opt.Limits.withDefaults()
	p := &previewReader{lim: lim, res: &Result{Statement: stmt}, onProgress: opt.OnProgress}

	// Phase 1: the SqlCommand. Commands run here and answer with their rows
	// inline; a query answers with a relation to read in phase 2.
	sqlRel := args.sql(stmt)
	command := &pb.Plan{OpType: &pb.Plan_Command{Command: &pb.Command{CommandType: &pb.Command_SqlCommand{
		// input is what 4.0+ reads; 3.5 knows only sql (field 1) and would
		// otherwise parse an empty string.
		SqlCommand: &pb.SqlCommand{Sql: stmt, Input: sqlRel, Args: args.named, PosArgs: args.pos},
	}}}}
	var next *pb.Relation
	opID, err := c.execute(ctx, command, opt.exec(), func(resp *pb.ExecutePlanResponse) error {
		if r := resp.GetSqlCommandResult(); r != nil {
			next = r.GetRelation()
			return nil
		}
		return p.handle(resp)
	})
	if err != nil {
		return nil, err
	}
	p.res.OperationID = opID
	switch {
	case next == nil:
		return nil, fmt.Errorf("the server sent no result for %q", abbreviate(stmt))
	case next.GetLocalRelation() != nil:
		// A command: it has run; its output rows came inline.
		if data := next.GetLocalRelation().GetData(); len(data) > 0 {
			if err := p.decode(data); err != nil && !errors.Is(err, errStop) {
				return nil, err
			}
		}
	default:
		// A query: nothing has run yet. Read at most Rows+1 rows of it.
		limited := &pb.Relation{RelType: &pb.Relation_Limit{Limit: &pb.Limit{Input: next, Limit: int32(lim.Rows + 1)}}}
		opID, err = c.execute(ctx, &pb.Plan{OpType: &pb.Plan_Root{Root: limited}}, opt.exec(), p.handle)
		if err != nil {
			return nil, err
		}
		p.res.OperationID = opID
	}
	p.res.Elapsed = time.Since(start)
	return p.res, nil
}

// previewReader collects the bounded preview from Arrow batches.
type previewReader struct {
	lim        Limits
	res        *Result
	bytes      int
	fmt        *arrowfmt.Formatter
	onProgress func(Progress)
}

func (p *previewReader) handle(resp *pb.ExecutePlanResponse) error {
	if pr := resp.GetExecutionProgress(); pr != nil && p.onProgress != nil {
		p.onProgress(progressOf(resp.OperationId, pr))
	}
	if b := resp.GetArrowBatch(); b != nil && len(b.Data) > 0 {
		return p.decode(b.Data)
	}
	return nil
}

// decode renders the rows of one Arrow IPC stream into the preview, and
// returns errStop once the preview is full.
func (p *previewReader) decode(data []byte) error {
	schema, err := arrowfmt.ReadStream(data, func(rec arrow.RecordBatch) error {
		p.setSchema(rec.Schema())
		for i := 0; i < int(rec.NumRows()); i++ {
			if len(p.res.Rows) >= p.lim.Rows {
				p.res.Truncated = true
				return errStop
			}
			row := p.fmt.Row(rec, i, nil)
			size := 0
			for _, c := range row {
				size += len(c.Text) + len(c.Display) + 1
			}
			if p.bytes+size > p.lim.Bytes && len(p.res.Rows) > 0 {
				p.res.Truncated = true
				return errStop
			}
			p.bytes += size
			p.res.Rows = append(p.res.Rows, row)
		}
		return nil
	})
	if schema != nil {
		p.setSchema(schema) // an empty result still has columns
	}
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("decode result: %w", err)
	}
	return err
}

// setSchema prepares the formatter and columns from the first schema seen.
func (p *previewReader) setSchema(schema *arrow.Schema) {
	if p.fmt != nil {
		return
	}
	p.fmt = arrowfmt.NewFormatter(schema, arrowfmt.Options{MaxCellBytes: p.lim.CellBytes})
	p.res.Columns = make([]Column, len(schema.Fields()))
	for i, f := range schema.Fields() {
		p.res.Columns[i] = Column{Name: f.Name, Type: arrowfmt.TypeName(f.Type)}
	}
}

func progressOf(opID string, pr *pb.ExecutePlanResponse_ExecutionProgress) Progress {
	out := Progress{OperationID: opID, Stages: len(pr.Stages), InflightTasks: pr.NumInflightTasks, Done: len(pr.Stages) > 0}
	for _, s := range pr.Stages {
		out.Tasks += s.NumTasks
		out.CompletedTasks += s.NumCompletedTasks
		out.BytesRead += s.InputBytesRead
		out.Done = out.Done && s.Done
	}
	return out
}

// abbreviate shortens SQL for error messages.
func abbreviate(s string) string {
	const max = 80
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}
