package connect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// The session RPCs of newer servers: CloneSession (4.1+) and GetStatus
// (4.2+). Each is learned from the server's answer: one that answered
// UNIMPLEMENTED is remembered (capabilities.go) and not asked again, and
// the caller falls back.

// ErrUnsupported is returned for an RPC the server answered UNIMPLEMENTED
// (now or before): it is older than the feature.
var ErrUnsupported = errors.New("not supported by this Spark server")

// OperationStatus is one operation of the session as GetStatus reports it.
type OperationStatus struct {
	OperationID string
	// State is "running", "terminating", "succeeded", "failed",
	// "cancelled" or "unknown".
	State string
}

// Operations reports the states of the session's operations that the
// server still knows (GetStatus, Spark 4.2+), or ErrUnsupported.
func (c *Client) Operations(ctx context.Context) ([]OperationStatus, error) {
	if missing, _ := c.unimplemented("GetStatus"); missing {
		return nil, fmt.Errorf("GetStatus: %w", ErrUnsupported)
	}
	req := &pb.GetStatusRequest{
		SessionId: c.SessionID(), UserContext: c.userContext(), ClientType: &c.clientType,
		ClientObservedServerSideSessionId: c.observed(),
		OperationStatus:                   &pb.GetStatusRequest_OperationStatusRequest{},
	}
	var resp *pb.GetStatusResponse
	err := retry(ctx, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
		defer cancel()
		var err error
		resp, err = c.rpc.GetStatus(ctx, req)
		return err
	})
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			c.remember("GetStatus", err)
			return nil, fmt.Errorf("GetStatus: %w", ErrUnsupported)
		}
		return nil, c.classify(ctx, "GetStatus", err)
	}
	c.remember("GetStatus", nil)
	c.observe(resp.ServerSideSessionId)
	out := make([]OperationStatus, 0, len(resp.OperationStatuses))
	for _, o := range resp.OperationStatuses {
		state := strings.ToLower(strings.TrimPrefix(o.State.String(), "OPERATION_STATE_"))
		if o.State == pb.GetStatusResponse_OperationStatus_OPERATION_STATE_UNSPECIFIED {
			state = "unknown"
		}
		out = append(out, OperationStatus{OperationID: o.OperationId, State: state})
	}
	return out, nil
}

// Clone returns a client on a copy of this client's session (CloneSession,
// Spark 4.1+): the same configuration, temporary views and functions, and
// current catalog and namespace, from then on independent of this one. It
// shares the connection; closing it releases only its session. A server
// without CloneSession answers ErrUnsupported.
func (c *Client) Clone(ctx context.Context) (*Client, error) {
	if missing, _ := c.unimplemented("CloneSession"); missing {
		return nil, fmt.Errorf("CloneSession: %w", ErrUnsupported)
	}
	newID := uuid.NewString()
	req := &pb.CloneSessionRequest{
		SessionId: c.SessionID(), UserContext: c.userContext(), ClientType: &c.clientType,
		NewSessionId: &newID, ClientObservedServerSideSessionId: c.observed(),
	}
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	resp, err := c.rpc.CloneSession(cctx, req)
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			c.remember("CloneSession", err)
			return nil, fmt.Errorf("CloneSession: %w", ErrUnsupported)
		}
		return nil, c.classify(ctx, "CloneSession", err)
	}
	c.remember("CloneSession", nil)
	c.observe(resp.ServerSideSessionId)
	if resp.NewSessionId != "" {
		newID = resp.NewSessionId
	}
	c.mu.Lock()
	clone := &Client{
		remote: c.remote, opts: c.opts, conn: c.conn, rpc: c.rpc, userID: c.userID, clientType: c.clientType,
		ready: c.ready, serverSideSessionID: resp.NewServerSideSessionId, version: c.version, parent: c,
	}
	c.mu.Unlock()
	clone.sessionID.Store(&newID)
	return clone, nil
}
