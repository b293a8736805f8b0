package connect_test

// Unit tests of the client against the in-process fake Spark Connect server.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/connect/internal/pb"
)

func fake(t *testing.T) *connecttest.Server {
	t.Helper()
	s := connecttest.New(t)
	s.Catalog = connecttest.Catalog{Databases: []connecttest.Database{{
		Name: "sales", Description: "Sales data",
		Tables: []connecttest.Table{
			{Name: "orders", Comment: "Orders", Columns: []connecttest.Column{
				{Name: "order_id", Type: "bigint", Comment: "id"},
				{Name: "amount", Type: "decimal(12,2)", Nullable: true},
				{Name: "order_date", Type: "date", Partition: true},
			}},
			{Name: "big_orders", Type: "VIEW", Comment: "Big ones", Columns: []connecttest.Column{{Name: "order_id", Type: "bigint"}}},
		},
	}}}
	return s
}

func dialFake(t *testing.T, s *connecttest.Server, remote string) *connect.Client {
	t.Helper()
	r, err := connect.ParseRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	c, err := connect.Dial(context.Background(), r, connect.Options{Version: "test", Dialer: s.Dialer(), ConnectTimeout: 5 * time.Second, CallTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRunQueryTwoPhases(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if strings.HasPrefix(stmt, "SELECT") {
			return connecttest.Rows("id bigint, name string", []any{int64(1), "a"}, []any{int64(2), nil}), nil
		}
		return connecttest.Result{}, connecttest.ErrNotHandled
	})
	c := dialFake(t, s, "sc://127.0.0.1:15002/;user_id=ana")
	res, err := c.Run(context.Background(), "CREATE TABLE x (a INT); SELECT id, name FROM x", connect.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Columns); got != "[{id bigint} {name string}]" {
		t.Errorf("columns %s", got)
	}
	if got := fmt.Sprint(res.Rows); got != `[["1" "a"] ["2" NULL]]` {
		t.Errorf("rows %s", got)
	}
	if res.Truncated || res.Statements != 2 || res.Statement != "SELECT id, name FROM x" || res.OperationID == "" {
		t.Errorf("result %+v", res)
	}
	if ex := s.Executed(); len(ex) != 1 || ex[0] != "CREATE TABLE x (a INT)" {
		t.Errorf("commands executed: %q, want the CREATE once", ex)
	}
	for _, call := range s.Requests("ExecutePlan") {
		req := call.Request.(*pb.ExecutePlanRequest)
		if req.GetUserContext().GetUserId() != "ana" || !strings.HasPrefix(req.GetClientType(), "sparkls/test ") ||
			req.GetSessionId() != c.SessionID() || req.GetOperationId() == "" || req.GetTags()[0] != "sparkls" {
			t.Errorf("request envelope: %v", req)
		}
		// Spark 3.5 reads the statement only from sql, 4.0+ from input.
		if sc := req.GetPlan().GetCommand().GetSqlCommand(); sc != nil && (sc.GetSql() == "" || sc.GetSql() != sc.GetInput().GetSql().GetQuery()) {
			t.Errorf("SqlCommand sql %q, input %v: want the statement in both", sc.GetSql(), sc.GetInput())
		}
	}
}

func TestRunTruncates(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	res, err := c.Run(context.Background(), "SELECT * FROM range(1000000000)", connect.RunOptions{Limits: connect.Limits{Rows: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 7 || !res.Truncated || res.Rows[6][0].Text != "6" {
		t.Errorf("%d rows truncated=%v", len(res.Rows), res.Truncated)
	}
	reqs := s.Requests("ExecutePlan")
	if len(reqs) != 1 {
		t.Fatalf("%d ExecutePlan calls, want one for a query", len(reqs))
	}
	lim := reqs[0].Request.(*pb.ExecutePlanRequest).GetPlan().GetRoot().GetLimit()
	if lim.GetLimit() != 8 {
		t.Errorf("query read through Limit(%d), want rows+1 = 8", lim.GetLimit())
	}
	if q := lim.GetInput().GetSql().GetQuery(); q != "SELECT * FROM (\nSELECT * FROM range(1000000000)\n\n)" {
		t.Errorf("the limit reads %q, want the enveloped query", q)
	}
}

// A stream cut mid-way is re-attached after the last response: every row
// arrives exactly once.
func TestRunReattachesBrokenStream(t *testing.T) {
	for _, cut := range []error{nil, io.EOF} {
		s := fake(t)
		s.BatchRows = 10
		s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
		s.CutStreams(3, cut)
		c := dialFake(t, s, "sc://127.0.0.1")
		res, err := c.Run(context.Background(), "SELECT id FROM r", connect.RunOptions{Limits: connect.Limits{Rows: 95}})
		if err != nil {
			t.Fatalf("cut with %v: %v", cut, err)
		}
		for i, row := range res.Rows {
			if row[0].Text != fmt.Sprint(i) {
				t.Fatalf("cut with %v: row %d = %s (lost or repeated rows)", cut, i, row[0].Text)
			}
		}
		if len(res.Rows) != 95 || s.Calls("ReattachExecute") == 0 {
			t.Errorf("cut with %v: %d rows, %d reattaches", cut, len(res.Rows), s.Calls("ReattachExecute"))
		}
	}
}

// Cancelling the context interrupts the operation on the server and returns promptly.
func TestRunCancelInterrupts(t *testing.T) {
	s := fake(t)
	s.BatchRows = 1
	s.SetLatency(50 * time.Millisecond)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Run(ctx, "SELECT * FROM slow", connect.RunOptions{Limits: connect.Limits{Rows: 1000}})
	var ce *connect.CanceledError
	if !errors.Is(err, connect.ErrCanceled) || !errors.As(err, &ce) || !ce.Confirmed {
		t.Fatalf("err = %v, want a confirmed *CanceledError", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel took %v", d)
	}
	if len(s.Interrupted()) == 0 {
		t.Error("no Interrupt reached the server")
	}
}

// On a stalled network the cancelled run returns within a second, says
// that Spark did not confirm, and the interrupt lands later.
func TestRunCancelStalledNetwork(t *testing.T) {
	s := fake(t)
	s.BatchRows = 1
	s.SetLatency(50 * time.Millisecond)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, func() {
		s.SetLatency(2 * time.Second)
		cancel()
	})
	start := time.Now()
	_, err := c.Run(ctx, "SELECT * FROM slow", connect.RunOptions{Limits: connect.Limits{Rows: 1000}})
	cancelled := time.Now()
	if d := cancelled.Sub(start) - 300*time.Millisecond; d > time.Second {
		t.Errorf("Run returned %v after the cancel, want within 1 s", d)
	}
	var ce *connect.CanceledError
	if !errors.As(err, &ce) || ce.Confirmed {
		t.Fatalf("err = %v, want an unconfirmed *CanceledError", err)
	}
	if !strings.Contains(err.Error(), "not confirmed") {
		t.Errorf("error %q does not say the interrupt is unconfirmed", err)
	}
	for len(s.Interrupted()) == 0 {
		if time.Since(cancelled) > 5*time.Second {
			t.Fatal("the interrupt never reached the server")
		}
		<-time.After(10 * time.Millisecond)
	}
}

func TestRunProgress(t *testing.T) {
	s := fake(t)
	s.Progress = true
	s.HandleSQL(func(string) (connecttest.Result, error) {
		return connecttest.Rows("x int", []any{1}), nil
	})
	c := dialFake(t, s, "sc://127.0.0.1")
	var mu sync.Mutex
	var got []connect.Progress
	_, err := c.Run(context.Background(), "SELECT 1 AS x", connect.RunOptions{OnProgress: func(p connect.Progress) {
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[0].Done || !got[len(got)-1].Done || got[0].Tasks == 0 {
		t.Errorf("progress %+v", got)
	}
}

func TestSparkErrorPositionInMultiStatementText(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if strings.Contains(stmt, "nope") {
			i := strings.Index(stmt, "nope")
			return connecttest.Result{}, connecttest.SparkErr("UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703", "cannot resolve nope", i, i+3)
		}
		return connecttest.Rows("x int", []any{1}), nil
	})
	c := dialFake(t, s, "sc://127.0.0.1")
	text := "SELECT 1 AS x;\n\nSELECT nope FROM t"
	_, err := c.Run(context.Background(), text, connect.RunOptions{})
	var se *connect.SparkError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	qc, ok := se.Position()
	if !ok || text[qc.Start:qc.Stop] != "nope" || se.ErrorClass != "UNRESOLVED_COLUMN.WITH_SUGGESTION" || se.SQLState != "42703" {
		t.Errorf("error %+v at %+v", se, qc)
	}
	if text[se.Statement.Start:se.Statement.End] != "SELECT nope FROM t" {
		t.Errorf("statement span %+v", se.Statement)
	}
}

// Analysis sends every statement inside the query envelope, so Spark's
// parser, not the client, decides: a command fails to parse and runs nothing.
func TestAnalyzeEnvelopesEverything(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(string) (connecttest.Result, error) {
		return connecttest.Rows("a bigint, b array<string>", []any{int64(1), []any{"x"}}), nil
	})
	c := dialFake(t, s, "sc://127.0.0.1")
	cols, err := c.Schema(context.Background(), "SELECT a, b FROM t")
	if err != nil || fmt.Sprint(cols) != "[{a bigint} {b array<string>}]" {
		t.Errorf("Schema = %v, %v", cols, err)
	}
	for _, stmt := range []string{"DROP TABLE t", "INSERT INTO t VALUES (1)", "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x"} {
		var se *connect.SparkError
		if _, err := c.Schema(context.Background(), stmt); !errors.As(err, &se) || se.ErrorClass != "PARSE_SYNTAX_ERROR" {
			t.Errorf("Schema(%q) = %v, want the parse error of the envelope", stmt, err)
		}
	}
	if _, err := c.Schema(context.Background(), "SELECT 1; SELECT 2"); err == nil {
		t.Error("two statements were analysed")
	}
	if got := s.Analyzed(); len(got) != 4 || got[1] != "SELECT * FROM (\nDROP TABLE t\n\n)" {
		t.Errorf("analyzed %q; want every single statement enveloped", got)
	}
	if got := s.Executed(); len(got) != 0 {
		t.Errorf("executed %q", got)
	}
}

func TestCatalogListings(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		s := fake(t)
		s.NoCatalogRelation = fallback
		c := dialFake(t, s, "sc://127.0.0.1")
		ctx := context.Background()
		dbs, err := c.ListDatabases(ctx, "")
		if err != nil || len(dbs) == 0 {
			t.Fatalf("fallback=%v ListDatabases = %v, %v", fallback, dbs, err)
		}
		tables, err := c.ListTables(ctx, "sales")
		if err != nil || len(tables) != 2 {
			t.Fatalf("fallback=%v ListTables = %v, %v", fallback, tables, err)
		}
		cols, err := c.ListColumns(ctx, "sales", "orders")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, col := range cols {
			got = append(got, fmt.Sprintf("%s:%s:%v", col.Name, col.Type, col.Partition))
		}
		if strings.Join(got, " ") != "order_id:bigint:false amount:decimal(12,2):false order_date:date:true" {
			t.Errorf("fallback=%v columns %v", fallback, got)
		}
		if !fallback && (tables[0].Description != "Orders" || tables[1].Type != "VIEW") {
			t.Errorf("tables %+v", tables)
		}
		if _, err := c.ListColumns(ctx, "sales", "missing"); err == nil {
			t.Errorf("fallback=%v: missing table listed", fallback)
		}
	}
}

func TestAuthAndHeaders(t *testing.T) {
	s := fake(t)
	s.Token = "zzsecret"
	s.RequireHeaders = map[string]string{"x-databricks-cluster-id": "c-1"}
	dial := func(remote string) error {
		r, err := connect.ParseRemote(remote)
		if err != nil {
			return err
		}
		c, err := connect.Dial(context.Background(), r, connect.Options{Dialer: s.Dialer(), ConnectTimeout: 5 * time.Second})
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial("sc://127.0.0.1/;token=zzsecret;use_ssl=false;x-databricks-cluster-id=c-1"); err != nil {
		t.Errorf("right token and header: %v", err)
	}
	err := dial("sc://127.0.0.1/;token=zzwrong;use_ssl=false;x-databricks-cluster-id=c-1")
	if !connect.IsTransport(err) || !strings.Contains(err.Error(), "check the token") || strings.Contains(err.Error(), "zzwrong") {
		t.Errorf("wrong token: %v", err)
	}
	if err := dial("sc://127.0.0.1/;token=zzsecret;use_ssl=false"); !connect.IsTransport(err) {
		t.Errorf("missing header: %v", err)
	}
}

// UNAVAILABLE is retried for analysis; a run is not re-sent but fails clearly.
func TestUnavailable(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Rows("x int", []any{1}), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	s.FailNext(2, nil)
	if _, err := c.Schema(context.Background(), "SELECT 1 AS x"); err != nil {
		t.Errorf("Schema after 2 UNAVAILABLE: %v", err)
	}
	s.FailNext(1, nil)
	_, err := c.Run(context.Background(), "INSERT INTO t VALUES (1)", connect.RunOptions{})
	if !connect.IsTransport(err) || !strings.Contains(err.Error(), "is the Spark Connect server running") {
		t.Errorf("run on an unavailable server: %v", err)
	}
	if len(s.Executed()) != 0 {
		t.Errorf("the INSERT ran: %q", s.Executed())
	}
}

// After a server restart the session is gone: the error says so once, then
// the client works on a fresh session.
func TestSessionLost(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Rows("x int", []any{1}), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	if _, err := c.Run(context.Background(), "SELECT 1 AS x", connect.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	_, err := c.Run(context.Background(), "SELECT 1 AS x", connect.RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "session was lost") {
		t.Fatalf("after restart: %v", err)
	}
	if _, err := c.Run(context.Background(), "SELECT 1 AS x", connect.RunOptions{}); err != nil {
		t.Errorf("next run: %v", err)
	}
}

// Spark cuts a long reattachable stream every two minutes: a result read
// over more cuts than maxReattach still arrives whole, since each re-attached
// stream made progress.
func TestRunReattachesEveryCut(t *testing.T) {
	for _, cut := range []error{nil, io.EOF} {
		s := fake(t)
		s.BatchRows = 10
		s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
		s.CutEveryStream(1, cut)
		c := dialFake(t, s, "sc://127.0.0.1")
		res, err := c.Run(context.Background(), "SELECT id FROM r", connect.RunOptions{Limits: connect.Limits{Rows: 95}})
		if err != nil {
			t.Fatalf("cut with %v: %v", cut, err)
		}
		for i, row := range res.Rows {
			if row[0].Text != fmt.Sprint(i) {
				t.Fatalf("cut with %v: row %d = %s (lost or repeated rows)", cut, i, row[0].Text)
			}
		}
		if len(res.Rows) != 95 || s.Calls("ReattachExecute") < 9 {
			t.Errorf("cut with %v: %d rows, %d reattaches", cut, len(res.Rows), s.Calls("ReattachExecute"))
		}
	}
}

// A re-attach that fails because the network is still down is itself
// retried, with backoff, instead of failing the run.
func TestRunRetriesFailedReattach(t *testing.T) {
	s := fake(t)
	s.BatchRows = 10
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	s.CutStreams(3, nil)
	s.FailMethod("ReattachExecute", 2, nil)
	c := dialFake(t, s, "sc://127.0.0.1")
	res, err := c.Run(context.Background(), "SELECT id FROM r", connect.RunOptions{Limits: connect.Limits{Rows: 95}})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range res.Rows {
		if row[0].Text != fmt.Sprint(i) {
			t.Fatalf("row %d = %s (lost or repeated rows)", i, row[0].Text)
		}
	}
	if len(res.Rows) != 95 || s.Calls("ReattachExecute") != 3 {
		t.Errorf("%d rows, %d reattaches", len(res.Rows), s.Calls("ReattachExecute"))
	}
}

// A session the server closed (idle timeout) is refused forever: the error
// says so once, then the client carries on with a new session id.
func TestSessionClosedRenews(t *testing.T) {
	s := fake(t)
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Rows("x int", []any{1}), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	old := c.SessionID()
	s.ExpireSessions()
	_, err := c.Run(context.Background(), "SELECT 1 AS x", connect.RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "closed by the server") {
		t.Fatalf("after expiry: %v", err)
	}
	if _, err := c.Run(context.Background(), "SELECT 1 AS x", connect.RunOptions{}); err != nil {
		t.Errorf("next run: %v", err)
	}
	if c.SessionID() == old {
		t.Error("the session id was not renewed")
	}
}

// WaitLost returns when the server goes away, with a transport error, and
// keeps waiting while the connection works.
func TestWaitLost(t *testing.T) {
	s := fake(t)
	c := dialFake(t, s, "sc://127.0.0.1:15002")
	lost := make(chan error, 1)
	go func() { lost <- c.WaitLost(context.Background()) }()
	select {
	case err := <-lost:
		t.Fatalf("WaitLost returned %v while the server is up", err)
	case <-time.After(200 * time.Millisecond):
	}
	s.Stop()
	select {
	case err := <-lost:
		var te *connect.TransportError
		if !errors.As(err, &te) {
			t.Errorf("WaitLost = %v, want a *TransportError", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WaitLost did not notice the server going away")
	}

	ctx, cancel := context.WithCancel(context.Background())
	s.Start()
	c2 := dialFake(t, s, "sc://127.0.0.1:15002")
	go func() { lost <- c2.WaitLost(ctx) }()
	cancel()
	select {
	case err := <-lost:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("WaitLost after cancel = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WaitLost did not end with its context")
	}
}
