package connect

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sparkls/sparkls/connect/internal/arrowfmt"
	"github.com/sparkls/sparkls/connect/internal/pb"
)

// Paging a query's result without running it again.
//
// What Spark Connect allows: an operation's responses can be read further
// (ReattachExecute after the last response seen) but never again from the
// start, and Spark's driver buffers every response the client has not read
// yet, with no back-pressure. An unlimited query kept open would make Spark
// hold its whole result in memory; and an operation nobody is attached to is
// dropped after spark.connect.execute.manager.detachedTimeout (5 min). So a
// query runs as a Limit of its window (RunOptions.Keep rows, at least the
// preview), the preview is answered as soon as its rows are in, and the rest
// of the window is read in the background into a Pager, bounded in rows and
// bytes, after which the operation is released. Pages inside the window are
// then answered from memory at any later time; past it, a re-run is needed
// (Client.ReadFrom: the query alone, from a row offset, inside the envelope).

// KeepBytes bounds the rendered text a Pager keeps (besides its rows).
const KeepBytes = 16 << 20

// Pager holds the rendered rows [Base, Base+n) of one query's result, read
// in the background within its window. Safe for concurrent use.
type Pager struct {
	// Base is the row number, in the whole result, of the pager's first row.
	Base int64

	mu      sync.Mutex
	columns []Column
	rows    [][]Cell
	bytes   int
	full    bool  // stopped at the window or KeepBytes: more rows exist, not kept
	done    bool  // the reading is over (full, complete or failed)
	err     error // why the reading failed
	want    int   // wake waiters once len(rows) reaches it
	wake    chan struct{}
	cancel  context.CancelFunc
	closed  chan struct{} // closed once the reading goroutine has returned
}

// ErrNotKept says that the rows asked for are not in the Pager: its window
// ended before them (or starts after them). A re-run from the row offset
// (Client.ReadFrom) reads them.
var ErrNotKept = errors.New("the rows are outside what sparkls kept of the result")

// NotKeptError is ErrNotKept with the rows the Pager holds.
type NotKeptError struct {
	From, To int64 // rows [From, To) are kept
}

func (e *NotKeptError) Error() string {
	return fmt.Sprintf("sparkls keeps rows %d to %d of this result; the others need a re-run", e.From+1, e.To)
}

func (e *NotKeptError) Is(target error) bool { return target == ErrNotKept }

// Columns are the result's columns (known once the first schema arrived).
func (p *Pager) Columns() []Column {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.columns
}

// Page returns rows [from, from+limit) of the result (numbered in the whole
// result), waiting for the background read to reach them, and whether rows
// exist after them. It returns fewer rows at the end of the result or of the
// window; a *NotKeptError when from is outside the window while the result
// goes on; the reading's error when it failed before reaching from.
func (p *Pager) Page(ctx context.Context, from int64, limit int) (rows [][]Cell, more bool, err error) {
	if from < 0 || limit < 0 {
		return nil, false, fmt.Errorf("bad page: offset %d, limit %d", from, limit)
	}
	if from < p.Base {
		return nil, false, p.notKept()
	}
	start := int(from - p.Base)
	end := start + limit
	// One more row than asked tells whether there are more.
	if err := p.wait(ctx, end+1); err != nil {
		return nil, false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.rows)
	if start >= n && p.err != nil {
		return nil, false, p.err
	}
	if start >= n && p.full && (start > n || limit > 0) {
		return nil, false, &NotKeptError{From: p.Base, To: p.Base + int64(n)}
	}
	start, end = min(start, n), min(end, n)
	return p.rows[start:end:end], end < n || p.full, nil
}

func (p *Pager) notKept() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &NotKeptError{From: p.Base, To: p.Base + int64(len(p.rows))}
}

// Close stops the background read, if it still runs (the operation is then
// interrupted and released on Spark), and drops the rows.
func (p *Pager) Close() {
	p.cancel()
	p.mu.Lock()
	p.rows = nil
	p.err = errLetGo
	p.mu.Unlock()
}

// errLetGo answers a page of a closed Pager.
var errLetGo = errors.New("sparkls let this result go")

// wait blocks until the pager holds n rows or its reading is over.
func (p *Pager) wait(ctx context.Context, n int) error {
	for {
		p.mu.Lock()
		if len(p.rows) >= n || p.done {
			p.mu.Unlock()
			return nil
		}
		if p.want == 0 || n < p.want {
			p.want = n
		}
		ch := p.wake
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// wakeLocked wakes every waiter; they check again what they wait for.
func (p *Pager) wakeLocked() {
	close(p.wake)
	p.wake = make(chan struct{})
	p.want = 0
}

// pageReader renders the window's rows into a Pager.
type pageReader struct {
	p          *Pager
	window     int // rows kept; one more tells that the result goes on
	maxBytes   int
	cellBytes  int
	fmt        *arrowfmt.Formatter
	onProgress atomic.Pointer[func(Progress)]
	opID       atomic.Value // the operation id, from the first response
}

func (r *pageReader) handle(resp *pb.ExecutePlanResponse) error {
	if r.opID.Load() == nil && resp.OperationId != "" {
		r.opID.Store(resp.OperationId)
	}
	if pr := resp.GetExecutionProgress(); pr != nil {
		if fn := r.onProgress.Load(); fn != nil {
			(*fn)(progressOf(resp.OperationId, pr))
		}
	}
	if b := resp.GetArrowBatch(); b != nil && len(b.Data) > 0 {
		return r.decode(b.Data)
	}
	return nil
}

func (r *pageReader) decode(data []byte) error {
	p := r.p
	schema, err := arrowfmt.ReadStream(data, func(rec arrow.RecordBatch) error {
		r.setSchema(rec.Schema())
		for i := 0; i < int(rec.NumRows()); i++ {
			row := r.fmt.Row(rec, i, nil)
			size := 0
			for _, c := range row {
				size += len(c.Text) + len(c.Display) + 1
			}
			p.mu.Lock()
			if len(p.rows) >= r.window || (p.bytes+size > r.maxBytes && len(p.rows) > 0) {
				p.full = true
				p.mu.Unlock()
				return errStop
			}
			p.rows = append(p.rows, row)
			p.bytes += size
			if p.want > 0 && len(p.rows) >= p.want {
				p.wakeLocked()
			}
			p.mu.Unlock()
		}
		return nil
	})
	if schema != nil {
		r.setSchema(schema) // an empty result still has columns
	}
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("decode result: %w", err)
	}
	return err
}

func (r *pageReader) setSchema(schema *arrow.Schema) {
	if r.fmt != nil {
		return
	}
	r.fmt = arrowfmt.NewFormatter(schema, arrowfmt.Options{MaxCellBytes: r.cellBytes})
	cols := make([]Column, len(schema.Fields()))
	for i, f := range schema.Fields() {
		cols[i] = Column{Name: f.Name, Type: arrowfmt.TypeName(f.Type)}
	}
	r.p.mu.Lock()
	r.p.columns = cols
	r.p.mu.Unlock()
}

// readQuery runs the enveloped stmt from row offset `from` as one
// ExecutePlan of Limit(window+1), window = max(opt.Keep, opt.Rows), and
// answers with the preview as soon as its rows are in (or the result ended).
// The rest of the window goes on being read into the returned Result's Pager.
func (c *Client) readQuery(ctx context.Context, stmt string, from int64, opt RunOptions, args stmtArgs) (*Result, error) {
	start := time.Now()
	lim := opt.Limits.withDefaults()
	window := min(max(opt.Keep, lim.Rows), 1<<31-2) // Limit takes an int32
	maxBytes := lim.Bytes
	if window > lim.Rows {
		maxBytes = max(KeepBytes, lim.Bytes)
	}
	rel := args.sql(envelope(stmt))
	if from > 0 {
		rel = &pb.Relation{RelType: &pb.Relation_Offset{Offset: &pb.Offset{Input: rel, Offset: int32(min(from, 1<<31-1))}}}
	}
	rel = &pb.Relation{RelType: &pb.Relation_Limit{Limit: &pb.Limit{Input: rel, Limit: int32(window + 1)}}}

	p := &Pager{Base: from, wake: make(chan struct{}), closed: make(chan struct{})}
	r := &pageReader{p: p, window: window, maxBytes: maxBytes, cellBytes: lim.CellBytes}
	if opt.OnProgress != nil {
		r.onProgress.Store(&opt.OnProgress)
	}
	// The read outlives this call (the rest of the window); the run's ctx
	// ends it only until the preview is answered.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p.cancel = cancel
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	go func() {
		defer close(p.closed)
		_, err := c.execute(rctx, &pb.Plan{OpType: &pb.Plan_Root{Root: rel}}, opt.exec(), r.handle)
		var se *SparkError
		if errors.As(err, &se) {
			se.fromEnvelope(stmt)
		}
		p.mu.Lock()
		p.done = true
		if p.err == nil {
			p.err = err
		}
		p.wakeLocked()
		p.mu.Unlock()
		cancel()
	}()
	_ = p.wait(ctx, lim.Rows+1) // ctx's end cancels the read: it ends, done
	r.onProgress.Store(nil)
	if ctx.Err() != nil {
		<-p.closed // the interrupt waits at most interruptWait
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil && len(p.rows) <= lim.Rows {
		return nil, p.err
	}
	res := &Result{Statement: stmt, Columns: p.columns}
	size := 0
	for _, row := range p.rows {
		rowSize := 0
		for _, c := range row {
			rowSize += len(c.Text) + len(c.Display) + 1
		}
		if len(res.Rows) >= lim.Rows || (size+rowSize > lim.Bytes && len(res.Rows) > 0) {
			res.Truncated = true
			break
		}
		size += rowSize
		res.Rows = append(res.Rows, row)
	}
	res.Truncated = res.Truncated || (p.done && p.full)
	if id, ok := r.opID.Load().(string); ok {
		res.OperationID = id
	}
	res.Elapsed = time.Since(start)
	res.Pager = p
	return res, nil
}

// ReadFrom runs the query stmt again, alone, skipping its first `from` rows
// (Spark's Offset), with the safety of RunOptions.QueryOnly whatever opt
// says: inside the query envelope, so anything Spark does not read as a
// query fails to parse and nothing runs, and refused when its plan would
// run code on the server. Its Result's preview starts at row `from`, and
// its Pager keeps the window after it. Params bind stmt's markers.
func (c *Client) ReadFrom(ctx context.Context, stmt string, from int64, opt RunOptions) (*Result, error) {
	args, _ := opt.Params.forStatement(stmt, 0)
	if err := c.refuseServerCode(ctx, stmt, args); err != nil {
		return nil, err
	}
	res, err := c.readQuery(ctx, stmt, from, opt, args)
	if err != nil {
		return nil, err
	}
	res.End = len(stmt)
	res.Statements = 1
	return res, nil
}
