package connect

import (
	"context"
	"errors"
	"fmt"

	"github.com/sparkls/sparkls/connect/internal/pb"
	"github.com/sparkls/sparkls/sqltext"
)

// Schema returns the output columns of a query without running it. The
// statement goes inside the query envelope (see envelope.go), so a
// statement Spark does not read as a query fails with its parse error and
// nothing runs. Analysis errors come back as *SparkError with positions in
// query.
func (c *Client) Schema(ctx context.Context, query string) ([]Column, error) {
	plan, stmt, err := queryPlan(query)
	if err != nil {
		return nil, err
	}
	resp, err := c.analyze(ctx, &pb.AnalyzePlanRequest{Analyze: &pb.AnalyzePlanRequest_Schema_{
		Schema: &pb.AnalyzePlanRequest_Schema{Plan: plan},
	}})
	if err != nil {
		return nil, inStatement(err, stmt)
	}
	fields := resp.GetSchema().GetSchema().GetStruct().GetFields()
	cols := make([]Column, len(fields))
	for i, f := range fields {
		cols[i] = Column{Name: f.GetName(), Type: typeName(f.GetDataType())}
	}
	return cols, nil
}

// ExplainMode selects how much of the plan Explain prints.
type ExplainMode int32

// Explain modes, as Spark numbers them.
const (
	ExplainSimple    ExplainMode = 1
	ExplainExtended  ExplainMode = 2
	ExplainCodegen   ExplainMode = 3
	ExplainCost      ExplainMode = 4
	ExplainFormatted ExplainMode = 5
)

// Explain returns the plan of a query as text without running it: the
// AnalyzePlan explain of the enveloped query, never Spark's EXPLAIN
// statement (EXPLAIN EXECUTE IMMEDIATE … runs what it explains). The plan
// shows the envelope as a Project over a subquery alias.
func (c *Client) Explain(ctx context.Context, query string, mode ExplainMode) (string, error) {
	plan, stmt, err := queryPlan(query)
	if err != nil {
		return "", err
	}
	resp, err := c.analyze(ctx, &pb.AnalyzePlanRequest{Analyze: &pb.AnalyzePlanRequest_Explain_{
		Explain: &pb.AnalyzePlanRequest_Explain{Plan: plan, ExplainMode: pb.AnalyzePlanRequest_Explain_ExplainMode(mode)},
	}})
	if err != nil {
		return "", inStatement(err, stmt)
	}
	return resp.GetExplain().GetExplainString(), nil
}

// inStatement maps a Spark error about the enveloped statement onto the
// caller's text.
func inStatement(err error, stmt sqltext.Statement) error {
	var se *SparkError
	if errors.As(err, &se) {
		se.fromEnvelope(stmt.Text)
		se.shift(stmt.Start)
		se.Statement = Span{Start: stmt.Start, End: stmt.End}
	}
	return err
}

// queryPlan builds the plan of one statement inside the query envelope. It
// returns the statement sent, to map error positions back.
func queryPlan(query string) (*pb.Plan, sqltext.Statement, error) {
	stmts := sqltext.SplitStatements(query)
	if len(stmts) != 1 {
		return nil, sqltext.Statement{}, fmt.Errorf("analyze takes exactly one statement, got %d", len(stmts))
	}
	s := stmts[0]
	return &pb.Plan{OpType: &pb.Plan_Root{Root: enveloped(s.Text)}}, s, nil
}

// enveloped is the SQL relation of stmt inside the query envelope.
func enveloped(stmt string) *pb.Relation {
	return &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: envelope(stmt)}}}
}
