package connecttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// client is a raw pb client on the fake plus one session, so the tests
// exercise the wire protocol, not package connect.
type client struct {
	pb.SparkConnectServiceClient
	session string
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///fake", grpc.WithContextDialer(s.Dialer()), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &client{pb.NewSparkConnectServiceClient(conn), uuid.NewString()}
}

func sqlRel(q string) *pb.Relation {
	return &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: q}}}
}

func limitRel(in *pb.Relation, n int32) *pb.Relation {
	return &pb.Relation{RelType: &pb.Relation_Limit{Limit: &pb.Limit{Input: in, Limit: n}}}
}

func commandPlan(stmt string) *pb.Plan {
	return &pb.Plan{OpType: &pb.Plan_Command{Command: &pb.Command{CommandType: &pb.Command_SqlCommand{
		SqlCommand: &pb.SqlCommand{Input: sqlRel(stmt)},
	}}}}
}

func rootPlan(rel *pb.Relation) *pb.Plan { return &pb.Plan{OpType: &pb.Plan_Root{Root: rel}} }

func catalogRel(c *pb.Catalog) *pb.Relation {
	return &pb.Relation{RelType: &pb.Relation_Catalog{Catalog: c}}
}

// request builds a reattachable ExecutePlan request with a fresh operation id.
func (c *client) request(plan *pb.Plan, tags ...string) *pb.ExecutePlanRequest {
	return &pb.ExecutePlanRequest{
		SessionId:   c.session,
		UserContext: &pb.UserContext{UserId: "ada"},
		Plan:        plan,
		ClientType:  ptr("test"),
		OperationId: ptr(uuid.NewString()),
		Tags:        tags,
		RequestOptions: []*pb.ExecutePlanRequest_RequestOption{{
			RequestOption: &pb.ExecutePlanRequest_RequestOption_ReattachOptions{ReattachOptions: &pb.ReattachOptions{Reattachable: true}},
		}},
	}
}

// execute runs req to the end of its stream.
func (c *client) execute(ctx context.Context, req *pb.ExecutePlanRequest) ([]*pb.ExecutePlanResponse, error) {
	stream, err := c.ExecutePlan(ctx, req)
	if err != nil {
		return nil, err
	}
	return drain(stream)
}

func drain(stream grpc.ServerStreamingClient[pb.ExecutePlanResponse]) ([]*pb.ExecutePlanResponse, error) {
	var out []*pb.ExecutePlanResponse
	for {
		r, err := stream.Recv()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

func ptr[T any](v T) *T { return &v }

// decode renders every row of an Arrow IPC stream as text cells.
func decode(t *testing.T, data []byte) [][]string {
	t.Helper()
	rd, err := ipc.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("arrow stream: %v", err)
	}
	defer rd.Release()
	var rows [][]string
	for rd.Next() {
		rec := rd.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			var row []string
			for _, col := range rec.Columns() {
				row = append(row, col.ValueStr(i))
			}
			rows = append(rows, row)
		}
	}
	if rd.Err() != nil {
		t.Fatalf("arrow stream: %v", rd.Err())
	}
	return rows
}

// batchRows collects the rows of all arrow batches and checks their
// offsets and counts as PySpark does.
func batchRows(t *testing.T, resps []*pb.ExecutePlanResponse) [][]string {
	t.Helper()
	var rows [][]string
	for _, r := range resps {
		b := r.GetArrowBatch()
		if b == nil {
			continue
		}
		got := decode(t, b.Data)
		if int64(len(got)) != b.RowCount || b.GetStartOffset() != int64(len(rows)) {
			t.Fatalf("batch: %d rows, row_count %d, start_offset %d after %d rows", len(got), b.RowCount, b.GetStartOffset(), len(rows))
		}
		rows = append(rows, got...)
	}
	return rows
}

func sparkInfo(t *testing.T, err error) *errdetails.ErrorInfo {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != codes.Internal {
		t.Fatalf("error %v: want INTERNAL", err)
	}
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return ei
		}
	}
	t.Fatalf("error %v has no ErrorInfo", err)
	return nil
}

func TestQueryTwoPhase(t *testing.T) {
	s := New(t)
	s.AddTable("people", Rows("id bigint, name string", []any{1, "ada"}, []any{2, "bob"}))
	c := dial(t, s)
	ctx := context.Background()

	// Phase 1: a query's SqlCommand runs nothing and hands back the relation.
	resps, err := c.execute(ctx, c.request(commandPlan("SELECT * FROM people")))
	if err != nil {
		t.Fatal(err)
	}
	if len(resps) != 2 || resps[0].GetSqlCommandResult() == nil || resps[1].GetResultComplete() == nil {
		t.Fatalf("SqlCommand stream = %v", resps)
	}
	next := resps[0].GetSqlCommandResult().GetRelation()
	if next.GetSql().GetQuery() != "SELECT * FROM people" {
		t.Fatalf("SqlCommand relation = %v, want the SQL relation back", next)
	}
	if len(s.Executed()) != 0 {
		t.Fatalf("a query was executed as a command: %v", s.Executed())
	}

	// Phase 2: read it through a Limit.
	req := c.request(rootPlan(limitRel(next, 101)), "sparkls")
	resps, err = c.execute(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resps[0].GetSchema().GetStruct() == nil || resps[len(resps)-1].GetResultComplete() == nil {
		t.Fatalf("stream shape: want schema first and result_complete last, got %v", resps)
	}
	if got := batchRows(t, resps); !slices.EqualFunc(got, [][]string{{"1", "ada"}, {"2", "bob"}}, slices.Equal) {
		t.Fatalf("rows = %v", got)
	}
	ids := map[string]bool{}
	serverSession := resps[0].ServerSideSessionId
	for _, r := range resps {
		if ids[r.ResponseId] || r.SessionId != c.session || r.OperationId != req.GetOperationId() || r.ServerSideSessionId != serverSession || serverSession == "" {
			t.Fatalf("response envelope: %v", r)
		}
		ids[r.ResponseId] = true
	}
	calls := s.Requests("ExecutePlan")
	last := calls[len(calls)-1].Request.(*pb.ExecutePlanRequest)
	if len(calls) != 2 || last.GetUserContext().GetUserId() != "ada" || !slices.Equal(last.Tags, []string{"sparkls"}) || last.GetClientType() != "test" {
		t.Fatalf("recorded requests: %v", calls)
	}
}

func TestCommandRunsOnce(t *testing.T) {
	s := New(t)
	c := dial(t, s)
	ctx := context.Background()
	resps, err := c.execute(ctx, c.request(commandPlan("-- make it\nCREATE TABLE t (id INT)")))
	if err != nil {
		t.Fatal(err)
	}
	if resps[0].GetSqlCommandResult().GetRelation().GetLocalRelation() == nil {
		t.Fatalf("a command must answer with a local relation: %v", resps[0])
	}
	if got := s.Executed(); len(got) != 1 || !strings.HasSuffix(got[0], "CREATE TABLE t (id INT)") {
		t.Fatalf("Executed = %q", got)
	}

	// A hook decides a command's rows; they come back inline.
	s.HandleSQL(func(stmt string) (Result, error) {
		if strings.HasPrefix(stmt, "SET") {
			return Rows("key string, value string", []any{"spark.sql.ansi.enabled", "true"}), nil
		}
		return Result{}, ErrNotHandled
	})
	resps, err = c.execute(ctx, c.request(commandPlan("SET spark.sql.ansi.enabled")))
	if err != nil {
		t.Fatal(err)
	}
	rows := decode(t, resps[0].GetSqlCommandResult().GetRelation().GetLocalRelation().GetData())
	if len(rows) != 1 || rows[0][1] != "true" {
		t.Fatalf("SET rows = %v", rows)
	}
	if len(s.Executed()) != 2 || len(s.Analyzed()) != 0 {
		t.Fatalf("Executed = %q, Analyzed = %q", s.Executed(), s.Analyzed())
	}
}

func TestLimitAndBatches(t *testing.T) {
	s := New(t)
	s.BatchRows = 1000
	r := Rows("n int")
	for i := range 2500 {
		r.Rows = append(r.Rows, []any{i})
	}
	s.AddTable("db.nums", r)
	c := dial(t, s)
	for _, tc := range []struct {
		limit   int32
		batches []int64
	}{
		{1201, []int64{1000, 201}},
		{5000, []int64{1000, 1000, 500}},
		{0, []int64{0}}, // at least one (empty) batch, as Spark sends
	} {
		resps, err := c.execute(context.Background(), c.request(rootPlan(limitRel(sqlRel("select * from DB.NUMS"), tc.limit))))
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int64
		for _, r := range resps {
			if b := r.GetArrowBatch(); b != nil {
				sizes = append(sizes, b.RowCount)
			}
		}
		if !slices.Equal(sizes, tc.batches) {
			t.Errorf("limit %d: batches %v, want %v", tc.limit, sizes, tc.batches)
		}
		batchRows(t, resps)
	}
}

func TestInfiniteWithLimit(t *testing.T) {
	s := New(t)
	s.Progress = true
	s.HandleSQL(func(string) (Result, error) { return Range(), nil })
	c := dial(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resps, err := c.execute(ctx, c.request(rootPlan(limitRel(sqlRel("SELECT id FROM range(1000000000000)"), 101))))
	if err != nil {
		t.Fatal(err)
	}
	rows := batchRows(t, resps)
	if len(rows) != 101 || rows[100][0] != "100" {
		t.Fatalf("got %d rows, last %v", len(rows), rows[len(rows)-1])
	}
	var progress []*pb.ExecutePlanResponse_ExecutionProgress
	for _, r := range resps {
		if p := r.GetExecutionProgress(); p != nil {
			progress = append(progress, p)
		}
	}
	if len(progress) != 2 || progress[0].Stages[0].Done || !progress[1].Stages[0].Done {
		t.Fatalf("progress = %v", progress)
	}
}

func TestCatalog(t *testing.T) {
	s := New(t)
	s.Catalog = Catalog{
		Databases: []Database{{Name: "default"}, {Name: "sales", Description: "money", Tables: []Table{{
			Name: "orders", Comment: "all orders",
			Columns: []Column{{Name: "id", Type: "bigint"}, {Name: "day", Type: "date", Nullable: true, Partition: true}},
		}}}},
		Functions: []Function{{Name: "abs", ClassName: "org.apache.spark.sql.catalyst.expressions.Abs"}},
	}
	s.AddTable("people", Rows("id int, tags array<string>"))
	c := dial(t, s)
	list := func(cat *pb.Catalog) ([][]string, error) {
		resps, err := c.execute(context.Background(), c.request(rootPlan(catalogRel(cat))))
		if err != nil {
			return nil, err
		}
		return batchRows(t, resps), nil
	}
	for _, tc := range []struct {
		cat  *pb.Catalog
		want [][]string
	}{
		{&pb.Catalog{CatType: &pb.Catalog_ListCatalogs{ListCatalogs: &pb.ListCatalogs{}}}, [][]string{{"spark_catalog", "(null)"}}},
		{&pb.Catalog{CatType: &pb.Catalog_ListDatabases{ListDatabases: &pb.ListDatabases{}}}, [][]string{
			{"default", "spark_catalog", "(null)", ""}, {"sales", "spark_catalog", "money", ""}}},
		{&pb.Catalog{CatType: &pb.Catalog_ListTables{ListTables: &pb.ListTables{DbName: ptr("spark_catalog.sales")}}}, [][]string{
			{"orders", "spark_catalog", `["sales"]`, "all orders", "MANAGED", "false"}}},
		{&pb.Catalog{CatType: &pb.Catalog_ListTables{ListTables: &pb.ListTables{}}}, [][]string{
			{"people", "spark_catalog", `["default"]`, "(null)", "MANAGED", "false"}}},
		{&pb.Catalog{CatType: &pb.Catalog_ListColumns{ListColumns: &pb.ListColumns{TableName: "orders", DbName: ptr("sales")}}}, [][]string{
			{"id", "(null)", "bigint", "false", "false", "false", "false"}, {"day", "(null)", "date", "true", "true", "false", "false"}}},
		{&pb.Catalog{CatType: &pb.Catalog_ListColumns{ListColumns: &pb.ListColumns{TableName: "people"}}}, [][]string{
			{"id", "(null)", "int", "true", "false", "false", "false"}, {"tags", "(null)", "array<string>", "true", "false", "false", "false"}}},
		{&pb.Catalog{CatType: &pb.Catalog_ListFunctions{ListFunctions: &pb.ListFunctions{}}}, [][]string{
			{"abs", "(null)", "(null)", "(null)", "org.apache.spark.sql.catalyst.expressions.Abs", "true"}}},
		{&pb.Catalog{CatType: &pb.Catalog_CurrentDatabase{CurrentDatabase: &pb.CurrentDatabase{}}}, [][]string{{"default"}}},
	} {
		got, err := list(tc.cat)
		if err != nil {
			t.Fatalf("%v: %v", tc.cat, err)
		}
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("%v:\n got %q\nwant %q", tc.cat, got, tc.want)
		}
	}

	_, err := list(&pb.Catalog{CatType: &pb.Catalog_ListColumns{ListColumns: &pb.ListColumns{TableName: "nope"}}})
	if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "TABLE_OR_VIEW_NOT_FOUND" {
		t.Fatalf("unknown table: %v", ei)
	}

	// Without catalog relations the client falls back to SQL.
	s.NoCatalogRelation = true
	_, err = list(&pb.Catalog{CatType: &pb.Catalog_ListTables{ListTables: &pb.ListTables{}}})
	if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "UNSUPPORTED_FEATURE.CATALOG_OPERATION" {
		t.Fatalf("NoCatalogRelation: %v", ei)
	}
	steps := []struct {
		stmt string
		want [][]string
		err  string
	}{
		{"SHOW TABLES IN sales", [][]string{{"sales", "orders", "false"}}, ""},
		{"DESCRIBE TABLE orders", nil, "TABLE_OR_VIEW_NOT_FOUND"},
		{"USE sales", nil, ""},
		{"describe orders", [][]string{{"id", "bigint", "(null)"}, {"day", "date", "(null)"}, {"# Partition Information", "", ""}, {"# col_name", "data_type", "comment"}, {"day", "date", "(null)"}}, ""},
		{"SHOW CURRENT NAMESPACE", [][]string{{"spark_catalog", "sales"}}, ""},
	}
	for _, st := range steps {
		resps, err := c.execute(context.Background(), c.request(commandPlan(st.stmt)))
		if st.err != "" {
			if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != st.err {
				t.Errorf("%s: %v, want %s", st.stmt, ei, st.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.stmt, err)
		}
		got := decode(t, resps[0].GetSqlCommandResult().GetRelation().GetLocalRelation().GetData())
		if !slices.EqualFunc(got, st.want, slices.Equal) {
			t.Errorf("%s:\n got %q\nwant %q", st.stmt, got, st.want)
		}
	}
}

// readAll reads an operation to its result_complete the way a reattaching
// client does, and returns the ids it saw and how often it reattached.
func readAll(t *testing.T, c *client, req *pb.ExecutePlanRequest) ([]string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := c.ExecutePlan(ctx, req)
	var ids []string
	last, reattaches := "", 0
	for {
		if err != nil {
			t.Fatal(err)
		}
		resps, rerr := drain(stream)
		for _, r := range resps {
			last = r.ResponseId
			if r.GetResultComplete() != nil {
				if rerr != nil {
					t.Fatal(rerr)
				}
				return ids, reattaches
			}
			if b := r.GetArrowBatch(); b != nil {
				for _, row := range decode(t, b.Data) {
					ids = append(ids, row[0])
				}
			}
		}
		if rerr != nil && status.Code(rerr) != codes.Unavailable {
			t.Fatal(rerr)
		}
		reattaches++
		if reattaches > 5 {
			t.Fatal("too many reattaches")
		}
		stream, err = c.ReattachExecute(ctx, &pb.ReattachExecuteRequest{SessionId: c.session, OperationId: req.GetOperationId(), LastResponseId: &last})
	}
}

func TestCutAndReattach(t *testing.T) {
	for _, cut := range []error{nil, io.EOF} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			s := New(t)
			s.BatchRows = 10
			s.CutStreams(2, cut)
			s.HandleSQL(func(string) (Result, error) { return Range(), nil })
			c := dial(t, s)
			req := c.request(rootPlan(limitRel(sqlRel("SELECT * FROM r"), 95)))
			ids, reattaches := readAll(t, c, req)
			if reattaches != 1 || s.Calls("ReattachExecute") != 1 {
				t.Fatalf("reattached %d times, server saw %d", reattaches, s.Calls("ReattachExecute"))
			}
			if len(ids) != 95 {
				t.Fatalf("got %d rows, want 95", len(ids))
			}
			for i, id := range ids {
				if id != fmt.Sprint(i) {
					t.Fatalf("row %d is %s: lost or repeated rows", i, id)
				}
			}
			// Released operations are gone.
			if _, err := c.ReleaseExecute(context.Background(), &pb.ReleaseExecuteRequest{SessionId: c.session, OperationId: req.GetOperationId(),
				Release: &pb.ReleaseExecuteRequest_ReleaseAll_{ReleaseAll: &pb.ReleaseExecuteRequest_ReleaseAll{}}}); err != nil {
				t.Fatal(err)
			}
			stream, _ := c.ReattachExecute(context.Background(), &pb.ReattachExecuteRequest{SessionId: c.session, OperationId: req.GetOperationId()})
			_, err := drain(stream)
			if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "INVALID_HANDLE.OPERATION_NOT_FOUND" {
				t.Fatalf("reattach after release: %v", ei)
			}
		})
	}
}

func TestInterruptEndsInfiniteStream(t *testing.T) {
	for _, kind := range []string{"id", "tag", "all"} {
		t.Run(kind, func(t *testing.T) {
			s := New(t)
			s.BatchRows = 100
			s.HandleSQL(func(string) (Result, error) { return Range(), nil })
			c := dial(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req := c.request(rootPlan(sqlRel("SELECT * FROM endless")), "job-1")
			stream, err := c.ExecutePlan(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			for range 5 { // it is running
				if _, err := stream.Recv(); err != nil {
					t.Fatal(err)
				}
			}
			ir := &pb.InterruptRequest{SessionId: c.session}
			switch kind {
			case "id":
				ir.InterruptType = pb.InterruptRequest_INTERRUPT_TYPE_OPERATION_ID
				ir.Interrupt = &pb.InterruptRequest_OperationId{OperationId: req.GetOperationId()}
			case "tag":
				ir.InterruptType = pb.InterruptRequest_INTERRUPT_TYPE_TAG
				ir.Interrupt = &pb.InterruptRequest_OperationTag{OperationTag: "job-1"}
			case "all":
				ir.InterruptType = pb.InterruptRequest_INTERRUPT_TYPE_ALL
			}
			start := time.Now()
			resp, err := c.Interrupt(ctx, ir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(resp.InterruptedIds, []string{req.GetOperationId()}) || !slices.Equal(s.Interrupted(), resp.InterruptedIds) {
				t.Fatalf("interrupted %v, recorded %v", resp.InterruptedIds, s.Interrupted())
			}
			_, err = drain(stream)
			if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "OPERATION_CANCELED" {
				t.Fatalf("stream ended with %v", ei)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("the stream took %v to stop", d)
			}
		})
	}
}

func TestAuthAndHeaders(t *testing.T) {
	s := New(t)
	s.Token = "s3cret"
	s.RequireHeaders = map[string]string{"x-databricks-cluster-id": "c1"}
	c := dial(t, s)
	version := func(md ...string) error {
		ctx := metadata.AppendToOutgoingContext(context.Background(), md...)
		_, err := c.AnalyzePlan(ctx, &pb.AnalyzePlanRequest{SessionId: c.session, Analyze: &pb.AnalyzePlanRequest_SparkVersion_{SparkVersion: &pb.AnalyzePlanRequest_SparkVersion{}}})
		return err
	}
	for _, tc := range []struct {
		md   []string
		code codes.Code
		msg  string
	}{
		{nil, codes.Unauthenticated, "No authentication token provided"},
		{[]string{"authorization", "Bearer nope"}, codes.Unauthenticated, "Invalid authentication token"},
		{[]string{"authorization", "Bearer s3cret"}, codes.PermissionDenied, ""},
		{[]string{"authorization", "Bearer s3cret", "x-databricks-cluster-id", "c1"}, codes.OK, ""},
	} {
		st, _ := status.FromError(version(tc.md...))
		if st.Code() != tc.code || tc.msg != "" && st.Message() != tc.msg {
			t.Errorf("%v: %v, want %v %q", tc.md, st, tc.code, tc.msg)
		}
	}
	if s.Calls("AnalyzePlan") != 4 || len(s.Requests("AnalyzePlan")) != 1 {
		t.Fatalf("calls %d, accepted %d", s.Calls("AnalyzePlan"), len(s.Requests("AnalyzePlan")))
	}
}

func TestSparkErrorRoundTrip(t *testing.T) {
	s := New(t)
	const q = "SELECT foo FROM t"
	s.HandleSQL(func(stmt string) (Result, error) {
		return Result{}, SparkErr("UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703", "A column `foo` cannot be resolved.", 7, 9)
	})
	c := dial(t, s)
	ctx := context.Background()
	_, err := c.AnalyzePlan(ctx, &pb.AnalyzePlanRequest{SessionId: c.session, Analyze: &pb.AnalyzePlanRequest_Schema_{
		Schema: &pb.AnalyzePlanRequest_Schema{Plan: rootPlan(sqlRel(q))},
	}})
	ei := sparkInfo(t, err)
	if ei.Domain != "org.apache.spark" || ei.Reason != "org.apache.spark.sql.AnalysisException" ||
		ei.Metadata["errorClass"] != "UNRESOLVED_COLUMN.WITH_SUGGESTION" || ei.Metadata["sqlState"] != "42703" || ei.Metadata["messageParameters"] != "{}" {
		t.Fatalf("ErrorInfo = %v", ei)
	}
	if !slices.Equal(s.Analyzed(), []string{q}) {
		t.Fatalf("Analyzed = %q", s.Analyzed())
	}
	fetch := func() *pb.FetchErrorDetailsResponse {
		resp, err := c.FetchErrorDetails(ctx, &pb.FetchErrorDetailsRequest{SessionId: c.session, ErrorId: ei.Metadata["errorId"]})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := fetch()
	if resp.RootErrorIdx == nil || len(resp.Errors) != 1 {
		t.Fatalf("details = %v", resp)
	}
	e := resp.Errors[0]
	qc := e.GetSparkThrowable().GetQueryContexts()
	if !strings.Contains(e.Message, "`foo` cannot be resolved") || e.GetSparkThrowable().GetErrorClass() != "UNRESOLVED_COLUMN.WITH_SUGGESTION" ||
		len(qc) != 1 || qc[0].StartIndex != 7 || qc[0].StopIndex != 9 || qc[0].Fragment != "foo" {
		t.Fatalf("details = %v", resp)
	}
	if fetch().RootErrorIdx != nil {
		t.Fatal("an error id must answer only once")
	}

	// The same error fails the first phase of a run, as session.sql analyzes eagerly.
	_, err = c.execute(ctx, c.request(commandPlan(q)))
	if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "UNRESOLVED_COLUMN.WITH_SUGGESTION" {
		t.Fatalf("SqlCommand: %v", ei)
	}
}

func TestAnalyzeSchemaTypes(t *testing.T) {
	s := New(t)
	s.AddTable("all_types", Rows("a tinyint, b smallint, c int, d bigint, e float, f double, g boolean, h string, i binary, "+
		"j date, k timestamp, l timestamp_ntz, m decimal(10,2), n array<int>, o map<string,bigint>, p struct<x:int,y:string>",
		[]any{1, 2, 3, 4, 1.5, 2.5, true, "s", []byte("b"), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Unix(0, 0), time.Unix(0, 0),
			"12.34", []int{1, 2}, map[string]int64{"k": 1}, []any{1, "y"}}))
	c := dial(t, s)
	resp, err := c.AnalyzePlan(context.Background(), &pb.AnalyzePlanRequest{SessionId: c.session, Analyze: &pb.AnalyzePlanRequest_Schema_{
		Schema: &pb.AnalyzePlanRequest_Schema{Plan: rootPlan(sqlRel("TABLE all_types"))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range resp.GetSchema().GetSchema().GetStruct().GetFields() {
		kinds = append(kinds, fmt.Sprintf("%T", f.GetDataType().GetKind()))
	}
	want := []string{"Byte_", "Short_", "Integer_", "Long_", "Float_", "Double_", "Boolean_", "String_", "Binary_",
		"Date_", "Timestamp_", "TimestampNtz", "Decimal_", "Array_", "Map_", "Struct_"}
	for i := range want {
		want[i] = "*pb.DataType_" + want[i]
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("kinds:\n got %v\nwant %v", kinds, want)
	}
	// The rows encode too.
	resps, err := c.execute(context.Background(), c.request(rootPlan(sqlRel("TABLE all_types"))))
	if err != nil {
		t.Fatal(err)
	}
	if rows := batchRows(t, resps); len(rows) != 1 || rows[0][12] != "12.34" {
		t.Fatalf("rows = %v", rows)
	}
}

func TestSessionsAndFaults(t *testing.T) {
	s := New(t)
	c := dial(t, s)
	ctx := context.Background()
	versionReq := func(session string, observed *string) *pb.AnalyzePlanRequest {
		return &pb.AnalyzePlanRequest{SessionId: session, ClientObservedServerSideSessionId: observed,
			Analyze: &pb.AnalyzePlanRequest_SparkVersion_{SparkVersion: &pb.AnalyzePlanRequest_SparkVersion{}}}
	}
	_, err := c.AnalyzePlan(ctx, versionReq("not-a-uuid", nil))
	if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "INVALID_HANDLE.FORMAT" {
		t.Fatalf("bad session id: %v", ei)
	}
	resp, err := c.AnalyzePlan(ctx, versionReq(c.session, nil))
	if err != nil || resp.GetSparkVersion().GetVersion() != "4.0.1" || resp.SessionId != c.session {
		t.Fatalf("version: %v, %v", resp, err)
	}
	s.Restart()
	_, err = c.AnalyzePlan(ctx, versionReq(c.session, &resp.ServerSideSessionId))
	if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "INVALID_HANDLE.SESSION_CHANGED" {
		t.Fatalf("after restart: %v", ei)
	}

	s.FailNext(2, nil)
	for i := range 3 {
		_, err := c.AnalyzePlan(ctx, versionReq(c.session, nil))
		if want := map[bool]codes.Code{true: codes.Unavailable, false: codes.OK}[i < 2]; status.Code(err) != want {
			t.Fatalf("call %d: %v, want %v", i, err, want)
		}
	}

	s.SetLatency(time.Hour)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.AnalyzePlan(short, versionReq(c.session, nil)); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("latency: %v", err)
	}
	s.SetLatency(0)

	// A plain error from the hook is Spark's INTERNAL_ERROR; a status passes through.
	s.HandleSQL(func(stmt string) (Result, error) {
		if stmt == "boom" {
			return Result{}, errors.New("boom")
		}
		return Result{}, status.Error(codes.ResourceExhausted, "too big")
	})
	_, err = c.execute(ctx, c.request(commandPlan("boom")))
	if ei := sparkInfo(t, err); ei.Metadata["errorClass"] != "INTERNAL_ERROR" {
		t.Fatalf("plain error: %v", ei)
	}
	_, err = c.execute(ctx, c.request(commandPlan("SELECT 1")))
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("status error: %v", err)
	}
}
