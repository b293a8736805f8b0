package connect_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
)

// GetStatus (4.2+) lists the session's operations with their states; a
// server without it answers UNIMPLEMENTED once, which is remembered.
func TestOperations(t *testing.T) {
	s := fake(t)
	s.Version = "4.3.0"
	s.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if stmt == "SELECT * FROM endless" {
			return connecttest.Range(), nil
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	c := dialFake(t, s, "sc://127.0.0.1:15002")
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, "SELECT * FROM endless", connect.RunOptions{Limits: connect.Limits{Rows: 1 << 30, Bytes: 1 << 40}, OnOperation: func(id string) { started <- id }})
		done <- err
	}()
	var op string
	select {
	case op = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not start")
	}
	// The id is told as the request goes out: the server knows it soon after.
	var ops []connect.OperationStatus
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ops, err = c.Operations(context.Background()); err != nil || len(ops) > 0 {
			break
		}
	}
	if err != nil || len(ops) != 1 || ops[0] != (connect.OperationStatus{OperationID: op, State: "running"}) {
		t.Errorf("Operations = %+v, %v; want %s running", ops, err, op)
	}
	if caps := c.Capabilities(context.Background()); !caps.Status {
		t.Errorf("Capabilities %+v: no Status after GetStatus answered", caps)
	}
	cancel()
	<-done

	old := fake(t)
	old.Version = "4.1.4"
	c41 := dialFake(t, old, "sc://127.0.0.1:15002")
	for range 2 {
		if _, err := c41.Operations(context.Background()); !errors.Is(err, connect.ErrUnsupported) {
			t.Errorf("Operations on 4.1.4: %v", err)
		}
	}
	if n := old.Calls("GetStatus"); n != 1 {
		t.Errorf("GetStatus asked %d times on 4.1.4; UNIMPLEMENTED must be remembered", n)
	}
	if caps := c41.Capabilities(context.Background()); caps.Status {
		t.Errorf("Capabilities of 4.1.4 = %+v", caps)
	}
}

// CloneSession (4.1+) gives a client on a new session sharing the
// connection; closing it releases only its session. Older servers answer
// UNIMPLEMENTED, remembered for the parent and every clone.
func TestClone(t *testing.T) {
	s := fake(t)
	s.Version = "4.1.4"
	s.HandleSQL(func(stmt string) (connecttest.Result, error) {
		return connecttest.Rows("x int", []any{int32(1)}), nil
	})
	c := dialFake(t, s, "sc://127.0.0.1:15002")
	ctx := context.Background()
	clone, err := c.Clone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if clone.SessionID() == c.SessionID() || clone.SessionID() == "" {
		t.Errorf("clone session %q, parent %q", clone.SessionID(), c.SessionID())
	}
	if _, err := clone.Run(ctx, "SELECT 1", connect.RunOptions{}); err != nil {
		t.Fatalf("a run on the clone: %v", err)
	}
	if err := clone.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, "SELECT 1", connect.RunOptions{}); err != nil {
		t.Errorf("the parent after closing its clone: %v", err)
	}
	if !c.Capabilities(ctx).CloneSession {
		t.Error("CloneSession not known present after it worked")
	}

	old := fake(t)
	old.Version = "4.0.1"
	c40 := dialFake(t, old, "sc://127.0.0.1:15002")
	for range 2 {
		if _, err := c40.Clone(ctx); !errors.Is(err, connect.ErrUnsupported) {
			t.Errorf("Clone on 4.0.1: %v", err)
		}
	}
	if n := old.Calls("CloneSession"); n != 1 {
		t.Errorf("CloneSession asked %d times on 4.0.1", n)
	}
	if c40.Capabilities(ctx).CloneSession {
		t.Error("CloneSession thought present on 4.0.1")
	}
}

// A cancelled read of the catalog is left to finish on the server, not
// interrupted: Spark's embedded Hive metastore loses a pooled connection
// for each operation interrupted inside a metastore call, and after a few
// hundred every catalog call hangs (seen on 4.1.4: the thread holding the
// catalog's lock waits in the pool's borrowObject forever). A cancelled
// run is still interrupted.
func TestCancelledCatalogReadIsNotInterrupted(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if strings.Contains(stmt, "endless") {
			return connecttest.Range(), nil
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	c := dialFake(t, s, "sc://127.0.0.1:15002")
	s.SetLatency(300 * time.Millisecond)
	for _, call := range []func(ctx context.Context) error{
		func(ctx context.Context) error { _, err := c.ListTables(ctx, "sales"); return err },
		func(ctx context.Context) error { _, err := c.ListColumns(ctx, "sales", "orders"); return err },
		func(ctx context.Context) error {
			_, err := c.SchemaSource().Tables(ctx, "spark_catalog", "sales")
			return err
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := call(ctx)
		cancel()
		if err == nil {
			t.Error("a cancelled catalog read succeeded")
		}
	}
	if n := s.Calls("Interrupt"); n != 0 {
		t.Errorf("%d interrupts for cancelled catalog reads", n)
	}
	s.SetLatency(0)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	if _, err := c.Run(ctx, "SELECT * FROM endless", connect.RunOptions{Limits: connect.Limits{Rows: 1 << 30, Bytes: 1 << 40}}); !errors.Is(err, connect.ErrCanceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Calls("Interrupt") == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Calls("Interrupt") == 0 {
		t.Error("a cancelled run was not interrupted")
	}
}
