package lsp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// sparkls.explain: a query is explained through AnalyzePlan (nothing
// executes); anything else as EXPLAIN <statement>, which Spark plans
// without running the statement.
func TestExplain(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{})
	text := "SELECT * FROM sales.orders;\nCREATE TABLE sales.t (a INT);\nEXPLAIN SELECT 1"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	explain := func(args map[string]any) (ExplainResult, *message) {
		t.Helper()
		m := c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandExplain, args))
		var res ExplainResult
		if m.Error == nil {
			_ = json.Unmarshal(m.Result, &res)
		}
		return res, m
	}
	if res, m := explain(map[string]any{"uri": runURI, "range": doc.Range(3, 3)}); m.Error != nil || !strings.Contains(res.Plan, "Scan connecttest [SELECT * FROM sales.orders]") {
		t.Errorf("query: %+v %+v", res, m.Error)
	}
	if !slices.Contains(fake.Analyzed(), "SELECT * FROM sales.orders") {
		t.Errorf("analyzed %q", fake.Analyzed())
	}
	ddl := strings.Index(text, "CREATE")
	if res, m := explain(map[string]any{"uri": runURI, "range": doc.Range(ddl, ddl), "mode": "formatted"}); m.Error != nil || res.Plan != "== Physical Plan ==\nExecute FORMATTED CREATE TABLE sales.t (a INT)" {
		t.Errorf("DDL: %+v %+v", res, m.Error)
	}
	exp := strings.Index(text, "EXPLAIN")
	if res, m := explain(map[string]any{"uri": runURI, "range": doc.Range(exp, len(text))}); m.Error != nil || res.Plan != "== Physical Plan ==\nExecute SELECT 1" {
		t.Errorf("EXPLAIN itself: %+v %+v", res, m.Error)
	}
	want := []string{"EXPLAIN FORMATTED CREATE TABLE sales.t (a INT)", "EXPLAIN SELECT 1"}
	var executed []string
	for _, s := range fake.Executed() {
		if s != "SHOW CURRENT NAMESPACE" {
			executed = append(executed, s)
		}
	}
	if !slices.Equal(executed, want) {
		t.Errorf("executed %q, want %q (never the CREATE itself)", executed, want)
	}
	if _, m := explain(map[string]any{"uri": runURI, "range": doc.Range(0, len(text))}); m.Error == nil || !strings.Contains(m.Error.Message, "holds 3") {
		t.Errorf("three statements: %+v", m.Error)
	}
	if _, m := explain(map[string]any{"uri": runURI, "mode": "verbose"}); errCode(m) != -32602 {
		t.Errorf("bad mode: %+v", m.Error)
	}
}
