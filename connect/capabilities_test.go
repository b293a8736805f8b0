package connect_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/internal/pb"
)

func TestCapabilitiesOfA40Server(t *testing.T) {
	s := fake(t)
	c := dialFake(t, s, "sc://127.0.0.1:15002")
	ctx := context.Background()
	// GetStatus came with 4.2: the only lack. CloneSession (4.1) is
	// learned when first asked, not probed.
	want := connect.Capabilities{Version: "4.0.1", ErrorDetails: true, Progress: true, ReleaseSession: true, CloneSession: true}
	for range 2 {
		if got := c.Capabilities(ctx); got != want || len(got.Lacks()) != 1 {
			t.Fatalf("Capabilities = %+v (lacks %q), want %+v", got, got.Lacks(), want)
		}
	}
	if n := s.Calls("FetchErrorDetails"); n != 1 {
		t.Errorf("FetchErrorDetails probed %d times, want once", n)
	}
}

// A Spark 3.5 server answers UNIMPLEMENTED for FetchErrorDetails and
// ReleaseSession (what a real 3.5.7 server does): both are remembered, and
// closing interrupts the session's operations instead of releasing it.
func TestCapabilitiesOfA35Server(t *testing.T) {
	s := fake(t)
	s.Version = "3.5.7"
	unimpl := status.Error(codes.Unimplemented, "Method not found")
	s.FailMethod("FetchErrorDetails", 100, unimpl)
	s.FailMethod("ReleaseSession", 100, unimpl)
	r, _ := connect.ParseRemote("sc://127.0.0.1:15002")
	c, err := connect.Dial(context.Background(), r, connect.Options{Dialer: s.Dialer(), CallTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got := c.Capabilities(ctx)
	if got != (connect.Capabilities{Version: "3.5.7", ReleaseSession: true, CloneSession: true}) || len(got.Lacks()) != 3 {
		t.Fatalf("Capabilities = %+v (lacks %q)", got, got.Lacks())
	}
	c.Capabilities(ctx)
	if n := s.Calls("FetchErrorDetails"); n != 1 {
		t.Errorf("FetchErrorDetails asked %d times, want once (UNIMPLEMENTED is remembered)", n)
	}
	c.Close()
	reqs := s.Requests("Interrupt")
	if s.Calls("ReleaseSession") != 1 || len(reqs) != 1 || reqs[0].Request.(*pb.InterruptRequest).GetInterruptType() != pb.InterruptRequest_INTERRUPT_TYPE_ALL {
		t.Errorf("Close: %d ReleaseSession, Interrupt %v; want one of each, interrupting all", s.Calls("ReleaseSession"), reqs)
	}
	if c.Capabilities(ctx).ReleaseSession {
		t.Error("ReleaseSession is still thought present after UNIMPLEMENTED")
	}
}
