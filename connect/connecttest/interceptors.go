package connecttest

import (
	"context"
	"path"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Interceptors: what happens before a call reaches Spark proper.

// admit counts a call, then applies injected failures, the token and the
// required headers, in the order a proxy and Spark's interceptor would.
func (s *Server) admit(ctx context.Context, method string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	s.mu.Lock()
	s.calls[method]++
	if s.failN > 0 || s.failMethod[method] > 0 {
		if s.failMethod[method] > 0 {
			s.failMethod[method]--
		} else {
			s.failN--
		}
		err := s.failErr
		s.mu.Unlock()
		if err == nil {
			err = status.Error(codes.Unavailable, "connecttest: injected failure")
		}
		return err
	}
	s.mu.Unlock()
	if s.Token != "" {
		auth := md.Get("authorization")
		switch {
		case len(auth) == 0:
			return status.Error(codes.Unauthenticated, "No authentication token provided")
		case auth[0] != "Bearer "+s.Token:
			return status.Error(codes.Unauthenticated, "Invalid authentication token")
		}
	}
	for k, v := range s.RequireHeaders {
		if got := md.Get(k); len(got) == 0 || got[0] != v {
			return status.Errorf(codes.PermissionDenied, "connecttest: header %q missing or wrong", k)
		}
	}
	return nil
}

func (s *Server) record(ctx context.Context, method string, req any) {
	md, _ := metadata.FromIncomingContext(ctx)
	m, _ := req.(proto.Message)
	if m != nil {
		m = proto.Clone(m)
	}
	s.mu.Lock()
	s.requests = append(s.requests, Call{Method: method, Header: md.Copy(), Request: m})
	s.mu.Unlock()
}

func (s *Server) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	method := path.Base(info.FullMethod)
	if err := s.admit(ctx, method); err != nil {
		return nil, err
	}
	s.record(ctx, method, req)
	if err := s.pause(ctx, nil); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	return handler(ctx, req)
}

func (s *Server) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	method := path.Base(info.FullMethod)
	if err := s.admit(ss.Context(), method); err != nil {
		return err
	}
	return handler(srv, &recordingStream{ServerStream: ss, s: s, method: method})
}

// recordingStream records the request of a server-streaming call when the
// handler reads it.
type recordingStream struct {
	grpc.ServerStream
	s      *Server
	method string
}

func (r *recordingStream) RecvMsg(m any) error {
	err := r.ServerStream.RecvMsg(m)
	if err == nil {
		r.s.record(r.Context(), r.method, m)
	}
	return err
}

// pause waits out the injected latency; it ends early, without error, when
// the operation is stopped, so the caller notices that at once.
func (s *Server) pause(ctx context.Context, op *operation) error {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	var stopped <-chan struct{}
	if op != nil {
		stopped = op.ctx.Done()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-stopped:
	case <-t.C:
	}
	return nil
}
