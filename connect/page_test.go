package connect_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/connect/internal/pb"
)

func ids(t *testing.T, rows [][]connect.Cell, first int64) {
	t.Helper()
	for i, r := range rows {
		if want := strconv.FormatInt(first+int64(i), 10); r[0].Text != want {
			t.Fatalf("row %d is %q, want %s", i, r[0].Text, want)
		}
	}
}

// A run keeps the window of its query's result: pages inside it come from
// memory (no second ExecutePlan); past it, a NotKeptError; the query was
// read through Limit(keep+1), so an endless result stays bounded.
func TestPagerKeepsWindow(t *testing.T) {
	s := fake(t)
	s.BatchRows = 300
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	ctx := context.Background()
	res, err := c.Run(ctx, "SELECT id FROM range(1000000000)", connect.RunOptions{Limits: connect.Limits{Rows: 10}, Keep: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 10 || !res.Truncated || res.Pager == nil {
		t.Fatalf("%d rows truncated=%v pager=%v", len(res.Rows), res.Truncated, res.Pager)
	}
	defer res.Pager.Close()
	ids(t, res.Rows, 0)
	rows, more, err := res.Pager.Page(ctx, 500, 100)
	if err != nil || len(rows) != 100 || !more {
		t.Fatalf("page 500+100: %d rows more=%v err=%v", len(rows), more, err)
	}
	ids(t, rows, 500)
	rows, more, err = res.Pager.Page(ctx, 950, 100)
	if err != nil || len(rows) != 50 || !more {
		t.Fatalf("page 950+100: %d rows more=%v err=%v, want the window's last 50 and more", len(rows), more, err)
	}
	ids(t, rows, 950)
	_, _, err = res.Pager.Page(ctx, 1000, 100)
	var nk *connect.NotKeptError
	if !errors.As(err, &nk) || nk.From != 0 || nk.To != 1000 || !errors.Is(err, connect.ErrNotKept) {
		t.Fatalf("page past the window: %v, want NotKeptError [0,1000)", err)
	}
	reqs := s.Requests("ExecutePlan")
	if len(reqs) != 1 {
		t.Fatalf("%d ExecutePlan calls, want the run's only", len(reqs))
	}
	if lim := reqs[0].Request.(*pb.ExecutePlanRequest).GetPlan().GetRoot().GetLimit().GetLimit(); lim != 1001 {
		t.Errorf("read through Limit(%d), want keep+1 = 1001", lim)
	}
	if got := res.Pager.Columns(); len(got) != 1 || got[0].Type != "bigint" {
		t.Errorf("columns %v", got)
	}
	// A closed pager holds nothing and says so (never an empty last page).
	res.Pager.Close()
	if rows, _, err := res.Pager.Page(ctx, 0, 10); err == nil {
		t.Errorf("a closed pager answered %d rows and no error", len(rows))
	}
}

// A result shorter than the window is complete: the last page says no more.
func TestPagerCompleteResult(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(string) (connecttest.Result, error) {
		rows := make([][]any, 250)
		for i := range rows {
			rows[i] = []any{int64(i)}
		}
		return connecttest.Rows("id bigint", rows...), nil
	})
	c := dialFake(t, s, "sc://127.0.0.1")
	ctx := context.Background()
	res, err := c.Run(ctx, "SELECT id FROM t", connect.RunOptions{Limits: connect.Limits{Rows: 100}, Keep: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Pager.Close()
	if !res.Truncated {
		t.Error("a 250-row result with a 100-row preview is truncated")
	}
	rows, more, err := res.Pager.Page(ctx, 200, 100)
	if err != nil || len(rows) != 50 || more {
		t.Fatalf("last page: %d rows more=%v err=%v", len(rows), more, err)
	}
	ids(t, rows, 200)
	rows, more, err = res.Pager.Page(ctx, 300, 100)
	if err != nil || len(rows) != 0 || more {
		t.Fatalf("after the end: %d rows more=%v err=%v", len(rows), more, err)
	}
}

// ReadFrom re-runs the query alone from a row offset, through the query
// checks (explain first) and the envelope, with Spark's Offset.
func TestReadFromOffset(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	ctx := context.Background()
	res, err := c.ReadFrom(ctx, "SELECT id FROM range(1000000000)", 5000, connect.RunOptions{Limits: connect.Limits{Rows: 100}, Keep: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Pager.Close()
	ids(t, res.Rows, 5000)
	rows, _, err := res.Pager.Page(ctx, 5900, 100)
	if err != nil || len(rows) != 100 {
		t.Fatalf("page: %d rows, %v", len(rows), err)
	}
	ids(t, rows, 5900)
	if _, _, err := res.Pager.Page(ctx, 10, 10); !errors.Is(err, connect.ErrNotKept) {
		t.Errorf("a page before the re-run's offset: %v, want ErrNotKept", err)
	}
	if len(s.Analyzed()) == 0 {
		t.Error("ReadFrom did not check the plan before running")
	}
	root := s.Requests("ExecutePlan")[0].Request.(*pb.ExecutePlanRequest).GetPlan().GetRoot()
	if off := root.GetLimit().GetInput().GetOffset(); off.GetOffset() != 5000 || off.GetInput().GetSql().GetQuery() != "SELECT * FROM (\nSELECT id FROM range(1000000000)\n\n)" {
		t.Errorf("plan %v, want Limit(Offset(5000, envelope))", root)
	}
}

// Closing a pager whose read still runs interrupts the operation.
func TestPagerCloseInterrupts(t *testing.T) {
	s := fake(t)
	s.BatchRows = 10
	s.SetLatency(20 * time.Millisecond)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	res, err := c.Run(context.Background(), "SELECT id FROM range(1000000000)", connect.RunOptions{Limits: connect.Limits{Rows: 5}, Keep: 100000})
	if err != nil {
		t.Fatal(err)
	}
	res.Pager.Close()
	waitFor(t, "the interrupt of the pager's read", 5*time.Second, func() bool { return len(s.Interrupted()) > 0 })
}

func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
