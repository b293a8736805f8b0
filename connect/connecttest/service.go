package connecttest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/google/uuid"
	"github.com/sparkls/sparkls/connect/internal/pb"
	"github.com/sparkls/sparkls/internal/sparkversion"
)

// The gRPC service.

// service implements the generated interface; its methods stay off Server's
// exported API.
type service struct {
	pb.UnimplementedSparkConnectServiceServer
	s *Server
}

func (v service) ExecutePlan(req *pb.ExecutePlanRequest, stream grpc.ServerStreamingServer[pb.ExecutePlanResponse]) error {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return s.status("", err)
	}
	op, err := s.start(req, ss)
	if err != nil {
		return s.status(req.GetSessionId(), err)
	}
	return s.serve(stream.Context(), op, 0, stream.Send)
}

func (v service) ReattachExecute(req *pb.ReattachExecuteRequest, stream grpc.ServerStreamingServer[pb.ExecutePlanResponse]) error {
	s := v.s
	if _, err := s.session(req); err != nil {
		return s.status("", err)
	}
	op := s.operation(req.GetOperationId())
	switch {
	case op == nil || op.session != req.GetSessionId():
		return s.status(req.GetSessionId(), sparkErr("INVALID_HANDLE.OPERATION_NOT_FOUND", "HY000", "The handle %s is invalid. Operation not found.", req.GetOperationId()))
	case !op.reattachable:
		return s.status(req.GetSessionId(), sparkErr("INVALID_CURSOR.NOT_REATTACHABLE", "HY109", "The cursor is invalid. The operation is not reattachable."))
	}
	i, ok := op.after(req.GetLastResponseId())
	if !ok {
		return s.status(req.GetSessionId(), sparkErr("INVALID_CURSOR.POSITION_NOT_FOUND", "HY109", "The cursor position id %s is not found.", req.GetLastResponseId()))
	}
	return s.serve(stream.Context(), op, i, stream.Send)
}

func (v service) AnalyzePlan(ctx context.Context, req *pb.AnalyzePlanRequest) (*pb.AnalyzePlanResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.AnalyzePlanResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	var plan *pb.Plan
	switch {
	case req.GetSparkVersion() != nil:
		resp.Result = &pb.AnalyzePlanResponse_SparkVersion_{SparkVersion: &pb.AnalyzePlanResponse_SparkVersion{Version: s.version()}}
		return resp, nil
	case req.GetSchema() != nil:
		plan = req.GetSchema().GetPlan()
	case req.GetExplain() != nil:
		plan = req.GetExplain().GetPlan()
	default:
		return nil, status.Errorf(codes.Unimplemented, "connecttest: analysis %T is not simulated", req.GetAnalyze())
	}
	if plan.GetRoot() == nil {
		return nil, s.status(req.GetSessionId(), sparkErr("INTERNAL_ERROR", "XX000", "connecttest: only relations are analyzed"))
	}
	text := sqlText(plan.GetRoot())
	s.mu.Lock()
	s.analyzed = append(s.analyzed, text)
	s.mu.Unlock()
	res, _, err := s.relation(plan.GetRoot())
	if err != nil {
		return nil, s.status(req.GetSessionId(), err)
	}
	switch {
	case req.GetSchema() != nil:
		resp.Result = &pb.AnalyzePlanResponse_Schema_{Schema: &pb.AnalyzePlanResponse_Schema{Schema: structType(res.Schema.Fields())}}
	default:
		resp.Result = &pb.AnalyzePlanResponse_Explain_{Explain: &pb.AnalyzePlanResponse_Explain{
			ExplainString: fmt.Sprintf("== Physical Plan ==\n*(1) Scan connecttest [%s]\n", text),
		}}
	}
	return resp, nil
}

func (v service) Interrupt(ctx context.Context, req *pb.InterruptRequest) (*pb.InterruptResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	var match func(*operation) bool
	switch req.GetInterruptType() {
	case pb.InterruptRequest_INTERRUPT_TYPE_ALL:
		match = func(*operation) bool { return true }
	case pb.InterruptRequest_INTERRUPT_TYPE_TAG:
		match = func(op *operation) bool { return slices.Contains(op.tags, req.GetOperationTag()) }
	case pb.InterruptRequest_INTERRUPT_TYPE_OPERATION_ID:
		match = func(op *operation) bool { return op.id == req.GetOperationId() }
	default:
		return nil, s.status(req.GetSessionId(), sparkErr("INTERNAL_ERROR", "XX000", "connecttest: unknown interrupt type %v", req.GetInterruptType()))
	}
	resp := &pb.InterruptResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	s.mu.Lock()
	var ops []*operation
	for _, op := range s.ops {
		if op.session == req.GetSessionId() && match(op) {
			ops = append(ops, op)
		}
	}
	s.mu.Unlock()
	// op.mu is taken without s.mu: a Gen function, run under op.mu, may
	// call the Server.
	for _, op := range ops {
		op.mu.Lock()
		running := !op.done && !op.interrupted
		op.interrupted = op.interrupted || running
		op.mu.Unlock()
		if running {
			op.cancel()
			resp.InterruptedIds = append(resp.InterruptedIds, op.id)
		}
	}
	s.mu.Lock()
	s.interrupted = append(s.interrupted, resp.InterruptedIds...)
	s.mu.Unlock()
	return resp, nil
}

func (v service) ReleaseExecute(ctx context.Context, req *pb.ReleaseExecuteRequest) (*pb.ReleaseExecuteResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.ReleaseExecuteResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	op := s.operation(req.GetOperationId())
	if op == nil || op.session != req.GetSessionId() {
		return resp, nil
	}
	resp.OperationId = &op.id
	if req.GetReleaseAll() != nil {
		s.drop(op) // also stops it, if it still runs
		return resp, nil
	}
	if until := req.GetReleaseUntil().GetResponseId(); until != "" {
		op.mu.Lock()
		if j := slices.IndexFunc(op.buf, func(r *pb.ExecutePlanResponse) bool { return r.ResponseId == until }); j >= 0 {
			op.first += j + 1
			op.buf = slices.Clone(op.buf[j+1:])
		}
		op.mu.Unlock()
	}
	return resp, nil
}

func (v service) ReleaseSession(ctx context.Context, req *pb.ReleaseSessionRequest) (*pb.ReleaseSessionResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, op := range s.ops {
		if op.session == req.GetSessionId() {
			op.cancel()
			delete(s.ops, id)
		}
	}
	delete(s.sessions, req.GetSessionId())
	if !req.GetAllowReconnect() {
		s.closed[req.GetSessionId()] = true
	}
	return &pb.ReleaseSessionResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}, nil
}

func (v service) FetchErrorDetails(ctx context.Context, req *pb.FetchErrorDetailsRequest) (*pb.FetchErrorDetailsResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.FetchErrorDetailsResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	s.mu.Lock()
	stored := s.errs[req.GetErrorId()]
	if stored != nil && stored.session == req.GetSessionId() {
		delete(s.errs, req.GetErrorId()) // Spark answers an error id once
	} else {
		stored = nil
	}
	s.mu.Unlock()
	if stored == nil {
		return resp, nil // root_error_idx unset: not found
	}
	e := stored.err
	t := &pb.FetchErrorDetailsResponse_SparkThrowable{ErrorClass: &e.Class, MessageParameters: e.Params}
	if e.SQLState != "" {
		t.SqlState = &e.SQLState
	}
	if e.Start >= 0 {
		t.QueryContexts = []*pb.FetchErrorDetailsResponse_QueryContext{{
			ContextType: pb.FetchErrorDetailsResponse_QueryContext_SQL,
			StartIndex:  int32(e.Start),
			StopIndex:   int32(e.Stop),
			Fragment:    e.Fragment,
		}}
	}
	root := int32(0)
	resp.RootErrorIdx = &root
	resp.Errors = []*pb.FetchErrorDetailsResponse_Error{{
		ErrorTypeHierarchy: e.exception(),
		Message:            e.message(),
		SparkThrowable:     t,
	}}
	return resp, nil
}

func (v service) Config(ctx context.Context, req *pb.ConfigRequest) (*pb.ConfigResponse, error) {
	s := v.s
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.ConfigResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	op := req.GetOperation()
	s.mu.Lock()
	defer s.mu.Unlock()
	get := func(key string, def *string) *pb.KeyValue {
		if v, ok := s.conf[key]; ok {
			return &pb.KeyValue{Key: key, Value: &v}
		}
		return &pb.KeyValue{Key: key, Value: def}
	}
	switch {
	case op.GetSet() != nil:
		for _, kv := range op.GetSet().GetPairs() {
			s.conf[kv.GetKey()] = kv.GetValue()
		}
	case op.GetGet() != nil:
		for _, k := range op.GetGet().GetKeys() {
			if _, ok := s.conf[k]; !ok {
				return nil, s.status(req.GetSessionId(), sparkErr("SQL_CONF_NOT_FOUND", "42K0I", "The SQL config %s cannot be found.", k))
			}
			resp.Pairs = append(resp.Pairs, get(k, nil))
		}
	case op.GetGetOption() != nil:
		for _, k := range op.GetGetOption().GetKeys() {
			resp.Pairs = append(resp.Pairs, get(k, nil))
		}
	case op.GetGetWithDefault() != nil:
		for _, kv := range op.GetGetWithDefault().GetPairs() {
			resp.Pairs = append(resp.Pairs, get(kv.GetKey(), kv.Value))
		}
	case op.GetGetAll() != nil:
		keys := make([]string, 0, len(s.conf))
		for k := range s.conf {
			if strings.HasPrefix(k, op.GetGetAll().GetPrefix()) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			resp.Pairs = append(resp.Pairs, get(k, nil))
		}
	case op.GetUnset() != nil:
		for _, k := range op.GetUnset().GetKeys() {
			delete(s.conf, k)
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "connecttest: config operation %T is not simulated", op.GetOpType())
	}
	return resp, nil
}

// version is the Spark version the fake plays.
func (s *Server) version() string {
	if s.Version == "" {
		return "4.0.1"
	}
	return s.Version
}

// since answers UNIMPLEMENTED, as grpc-java does for an RPC the server
// does not have, when the fake's Version is older than min.
func (s *Server) since(min, method string) error {
	if sparkversion.Compare(s.version(), min) < 0 {
		return status.Errorf(codes.Unimplemented, "Method not found: spark.connect.SparkConnectService/%s", method)
	}
	return nil
}

// CloneSession copies a session like Spark 4.1+: the fake's catalog and
// temporary views are shared by every session, so only the ids are new.
func (v service) CloneSession(ctx context.Context, req *pb.CloneSessionRequest) (*pb.CloneSessionResponse, error) {
	s := v.s
	if err := s.since("4.1", "CloneSession"); err != nil {
		return nil, err
	}
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	id := req.GetNewSessionId()
	if id == "" {
		id = uuid.NewString()
	}
	if !isUUID(id) {
		return nil, s.status(req.GetSessionId(), sparkErr("INVALID_HANDLE.FORMAT", "HY000", "The handle %s is invalid.", id))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[id]; ok {
		return nil, s.status(req.GetSessionId(), sparkErr("INVALID_HANDLE.SESSION_ALREADY_EXISTS", "HY000", "The handle %s is invalid. Session already exists.", id))
	}
	newSS := uuid.NewString()
	s.sessions[id] = newSS
	return &pb.CloneSessionResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss, NewSessionId: id, NewServerSideSessionId: newSS}, nil
}

// GetStatus reports the session's operations like Spark 4.2+: running
// until every response was produced, then succeeded, or cancelled once
// interrupted.
func (v service) GetStatus(ctx context.Context, req *pb.GetStatusRequest) (*pb.GetStatusResponse, error) {
	s := v.s
	if err := s.since("4.2", "GetStatus"); err != nil {
		return nil, err
	}
	ss, err := s.session(req)
	if err != nil {
		return nil, s.status("", err)
	}
	resp := &pb.GetStatusResponse{SessionId: req.GetSessionId(), ServerSideSessionId: ss}
	if req.OperationStatus == nil {
		return resp, nil
	}
	want := req.GetOperationStatus().GetOperationIds()
	s.mu.Lock()
	var ops []*operation
	for id, op := range s.ops {
		if op.session == req.GetSessionId() && (len(want) == 0 || slices.Contains(want, id)) {
			ops = append(ops, op)
		}
	}
	s.mu.Unlock()
	for _, op := range ops { // op.mu without s.mu, as in Interrupt
		state := pb.GetStatusResponse_OperationStatus_OPERATION_STATE_RUNNING
		// Held while a row is made (Gen may wait): then it runs.
		if op.mu.TryLock() {
			switch {
			case op.interrupted:
				state = pb.GetStatusResponse_OperationStatus_OPERATION_STATE_CANCELLED
			case op.done:
				state = pb.GetStatusResponse_OperationStatus_OPERATION_STATE_SUCCEEDED
			}
			op.mu.Unlock()
		}
		resp.OperationStatuses = append(resp.OperationStatuses, &pb.GetStatusResponse_OperationStatus{OperationId: op.id, State: state})
	}
	slices.SortFunc(resp.OperationStatuses, func(a, b *pb.GetStatusResponse_OperationStatus) int {
		return strings.Compare(a.OperationId, b.OperationId)
	})
	return resp, nil
}
