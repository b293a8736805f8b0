package connect

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// errStop, returned by a response handler, ends a stream early on purpose
// (the preview is full); the operation is released on the server.
var errStop = errors.New("stop reading")

// maxReattach bounds how often one operation is re-attached after its stream broke.
const maxReattach = 5

// Progress is the execution progress Spark streams while a job runs (4.0+).
type Progress struct {
	OperationID    string
	Stages         int
	Tasks          int64
	CompletedTasks int64
	InflightTasks  int64
	BytesRead      int64
	Done           bool
}

// execution is one ExecutePlan call: its operation id and stream state.
type execution struct {
	c        *Client
	opID     string
	lastID   string // last response id, to resume after it
	complete bool   // result_complete seen
	detach   bool   // see execOptions
}

// execOptions are what one execute needs besides its plan.
type execOptions struct {
	tags    []string     // besides "sparkls"
	onStart func(string) // told the operation id first
	// detach leaves a cancelled operation to finish on the server instead
	// of interrupting it: for reads of the catalog. Spark's embedded Hive
	// metastore loses a pooled connection for every operation interrupted
	// in the middle of a metastore call; after enough of them (a few
	// hundred cancelled catalog reads) every catalog call waits forever for
	// a connection while queries still run. A detached operation ends on
	// its own (these are short) and the server drops it with its results.
	detach bool
}

// execute runs plan as one reattachable operation (onStart, if set, is told
// its id first) and calls fn for every response until the server says the
// result is complete. fn may return errStop
// to end early. Cancelling ctx interrupts the operation on the server and
// returns ErrCanceled. A stream that breaks mid-way is re-attached where the
// server still holds the operation, so no response is lost or repeated.
func (c *Client) execute(ctx context.Context, plan *pb.Plan, opt execOptions, fn func(*pb.ExecutePlanResponse) error) (string, error) {
	e := &execution{c: c, opID: uuid.NewString(), detach: opt.detach}
	if opt.onStart != nil {
		opt.onStart(e.opID)
	}
	req := &pb.ExecutePlanRequest{
		SessionId:   c.SessionID(),
		UserContext: c.userContext(),
		Plan:        plan,
		ClientType:  &c.clientType,
		OperationId: &e.opID,
		Tags:        append([]string{"sparkls"}, opt.tags...),
		RequestOptions: []*pb.ExecutePlanRequest_RequestOption{{
			RequestOption: &pb.ExecutePlanRequest_RequestOption_ReattachOptions{ReattachOptions: &pb.ReattachOptions{Reattachable: true}},
		}},
		ClientObservedServerSideSessionId: c.observed(),
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.rpc.ExecutePlan(sctx, req)
	reattaches := 0
	var cause error // the break that started re-attaching
	for {
		var resp *pb.ExecutePlanResponse
		if err == nil {
			resp, err = stream.Recv()
		}
		if err == nil {
			// Progress: the retry budget is per break, not per operation,
			// since Spark ends a long stream every two minutes.
			reattaches = 0
			e.lastID = resp.ResponseId
			c.observe(resp.ServerSideSessionId)
			if resp.GetResultComplete() != nil {
				e.complete = true
				continue
			}
			if err = fn(resp); errors.Is(err, errStop) {
				cancel()
				e.release() // also stops the job on the server
				return e.opID, nil
			}
			if err != nil {
				cancel()
				_ = e.interrupt()
				return e.opID, err
			}
			continue
		}
		if ctx.Err() != nil {
			return e.opID, e.interrupt()
		}
		if err == io.EOF && e.complete {
			go e.release()
			return e.opID, nil
		}
		if cause != nil && e.lastID == "" && isClass(err, "INVALID_HANDLE.OPERATION_NOT_FOUND") {
			// The statement never reached the server: report why, not the
			// reattach's complaint. It is not re-sent: it might not be idempotent.
			err = cause
			break
		}
		if (err != io.EOF && !broken(err)) || reattaches >= maxReattach {
			break
		}
		// The server ends reattachable streams after a while (2 min) and
		// networks break; pick the stream up after the last response seen.
		// A reattach that fails the same way is tried again.
		reattaches++
		c.opts.Logger.Debug("reattaching", "operation", e.opID, "attempt", reattaches, "cause", err)
		if werr := Wait(ctx, time.Duration(reattaches-1)*200*time.Millisecond); werr != nil {
			return e.opID, e.interrupt()
		}
		if cause == nil {
			cause = err
		}
		stream, err = e.reattach(sctx)
	}
	if ctx.Err() != nil {
		return e.opID, e.interrupt()
	}
	return e.opID, c.classify(ctx, "ExecutePlan", err)
}

// broken tells whether a stream error is a transport break worth re-attaching.
func broken(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Aborted:
		return true
	case codes.Internal:
		// RST_STREAM and friends from proxies arrive as INTERNAL without Spark details.
		st, _ := status.FromError(err)
		return len(st.Details()) == 0
	}
	return false
}

func (e *execution) reattach(ctx context.Context) (grpc.ServerStreamingClient[pb.ExecutePlanResponse], error) {
	c := e.c
	req := &pb.ReattachExecuteRequest{
		SessionId:                         c.SessionID(),
		UserContext:                       c.userContext(),
		OperationId:                       e.opID,
		ClientType:                        &c.clientType,
		ClientObservedServerSideSessionId: c.observed(),
	}
	if e.lastID != "" {
		req.LastResponseId = &e.lastID
	}
	return c.rpc.ReattachExecute(ctx, req)
}

// interruptWait is how long a cancelled run waits for Spark to confirm its
// interrupt: a cancel must answer promptly whatever the network does.
const interruptWait = 500 * time.Millisecond

// interruptTimeout bounds the interrupt that goes on in the background.
const interruptTimeout = 5 * time.Second

// interrupt stops the operation on the server and returns the
// *CanceledError to report. The interrupt runs on its own deadline (the
// caller's context is usually the one that was cancelled) and in the
// background: it waits at most interruptWait for Spark's answer, which the
// error then records.
func (e *execution) interrupt() error {
	if e.detach {
		return &CanceledError{}
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), interruptTimeout)
		defer cancel()
		err := e.c.Interrupt(ctx, e.opID)
		done <- err
		if err != nil {
			e.c.opts.Logger.Warn("interrupt failed", "operation", e.opID, "err", err)
		} else {
			e.c.opts.Logger.Debug("interrupt confirmed", "operation", e.opID)
		}
		e.release()
	}()
	timer := time.NewTimer(interruptWait)
	defer timer.Stop()
	select {
	case err := <-done:
		return &CanceledError{Confirmed: err == nil}
	case <-timer.C:
		return &CanceledError{}
	}
}

// release tells the server it may drop the operation's buffered results
// (and stop it, if it still runs).
func (e *execution) release() {
	c := e.c
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.rpc.ReleaseExecute(ctx, &pb.ReleaseExecuteRequest{
		SessionId:                         c.SessionID(),
		UserContext:                       c.userContext(),
		OperationId:                       e.opID,
		ClientType:                        &c.clientType,
		ClientObservedServerSideSessionId: c.observed(),
		Release:                           &pb.ReleaseExecuteRequest_ReleaseAll_{ReleaseAll: &pb.ReleaseExecuteRequest_ReleaseAll{}},
	})
	if err != nil {
		c.opts.Logger.Debug("release failed", "operation", e.opID, "err", err)
	}
}

// Interrupt stops one running operation on the server by its id.
func (c *Client) Interrupt(ctx context.Context, operationID string) error {
	return c.interruptReq(ctx, &pb.InterruptRequest{
		InterruptType: pb.InterruptRequest_INTERRUPT_TYPE_OPERATION_ID,
		Interrupt:     &pb.InterruptRequest_OperationId{OperationId: operationID},
	})
}

// InterruptAll stops every operation this client's session runs.
func (c *Client) InterruptAll(ctx context.Context) error {
	return c.interruptReq(ctx, &pb.InterruptRequest{InterruptType: pb.InterruptRequest_INTERRUPT_TYPE_ALL})
}

func (c *Client) interruptReq(ctx context.Context, req *pb.InterruptRequest) error {
	req.SessionId = c.SessionID()
	req.UserContext = c.userContext()
	req.ClientType = &c.clientType
	req.ClientObservedServerSideSessionId = c.observed()
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	_, err := c.rpc.Interrupt(ctx, req)
	return c.classify(ctx, "Interrupt", err)
}

// wait sleeps for d unless ctx ends first.
func Wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
