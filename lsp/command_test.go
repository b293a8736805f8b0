package lsp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/lsp/lsptest"
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
	explain := func(args map[string]any) (ExplainResult, *lsptest.Message) {
		t.Helper()
		m := c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandExplain, args))
		var res ExplainResult
		if m.Error == nil {
			_ = json.Unmarshal(m.Result, &res)
		}
		return res, m
	}
	if res, m := explain(map[string]any{"uri": runURI, "range": doc.Range(3, 3)}); m.Error != nil || !strings.Contains(res.Plan, "Scan connecttest [SELECT * FROM (\nSELECT * FROM sales.orders\n\n)]") {
		t.Errorf("query: %+v %+v", res, m.Error)
	}
	if !slices.Contains(fake.Analyzed(), "SELECT * FROM (\nSELECT * FROM sales.orders\n\n)") {
		t.Errorf("analyzed %q", fake.Analyzed())
	}
	// Anything Spark does not read as a query fails to parse inside the
	// envelope: never the EXPLAIN statement, which runs EXECUTE IMMEDIATE.
	for _, at := range []string{"CREATE", "EXPLAIN"} {
		i := strings.Index(text, at)
		if _, m := explain(map[string]any{"uri": runURI, "range": doc.Range(i, i), "mode": "formatted"}); m.Error == nil || !strings.Contains(m.Error.Message, "PARSE_SYNTAX_ERROR") {
			t.Errorf("%s: %+v, want Spark's parse error", at, m.Error)
		}
	}
	for _, s := range fake.Executed() {
		if s != "SHOW CURRENT NAMESPACE" {
			t.Errorf("executed %q: explain runs nothing", s)
		}
	}
	if _, m := explain(map[string]any{"uri": runURI, "range": doc.Range(0, len(text))}); m.Error == nil || !strings.Contains(m.Error.Message, "holds 3") {
		t.Errorf("three statements: %+v", m.Error)
	}
	if _, m := explain(map[string]any{"uri": runURI, "mode": "verbose"}); errCode(m) != -32602 {
		t.Errorf("bad mode: %+v", m.Error)
	}
}
