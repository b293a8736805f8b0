package connecttest

import (
	"context"
	"io"
	"slices"
	"sync"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

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
