package lsp

import (
	"strconv"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/sqltext"
)

// resultPage calls sparkls/resultPage.
func (c *testClient) resultPage(p ResultPageParams) ResultPage {
	c.t.Helper()
	var page ResultPage
	c.callOK(RequestResultPage, p, &page)
	return page
}

func checkIDs(t *testing.T, page ResultPage, first int64, n int) {
	t.Helper()
	if page.RowCount != n || len(page.Rows) != n {
		t.Fatalf("page of %d rows (%d), want %d: %+v", page.RowCount, len(page.Rows), n, page)
	}
	for i, r := range page.Rows {
		if r[0] == nil || *r[0] != strconv.FormatInt(first+int64(i), 10) {
			t.Fatalf("row %d: %v, want %d", i, r[0], first+int64(i))
		}
	}
	if len(page.Columns) != 1 || page.Columns[0].Name != "id" || page.Columns[0].Type != "bigint" {
		t.Errorf("columns %+v", page.Columns)
	}
}

// A page inside the kept window runs nothing; past it the answer asks for
// a re-run, and with rerun the query runs again from the offset, alone,
// after its plan was checked.
func TestResultPage(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{settings: map[string]any{"preview": map[string]any{"rows": 10, "keepRows": 100}}})
	text := "SELECT * FROM range(1000000000) r"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 0, 0)
	if res.RowCount != 10 || !res.Truncated {
		t.Fatalf("run: %+v", res)
	}
	page := c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 10, Limit: 20})
	checkIDs(t, page, 10, 20)
	if !page.More || page.RerunNeeded || page.Rerun || page.Offset != 10 {
		t.Errorf("page %+v", page)
	}
	page = c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 90, Limit: 20})
	checkIDs(t, page, 90, 10)
	if !page.More || page.RerunNeeded {
		t.Errorf("the window's end: %+v", page)
	}
	if n := runOps(fake); n != 1 {
		t.Fatalf("%d runs, want the first only", n)
	}

	analyzed := len(fake.Analyzed())
	page = c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 100, Limit: 20})
	if !page.RerunNeeded || page.RowCount != 0 || !strings.Contains(page.Reason, "rows 1 to 100") || runOps(fake) != 1 {
		t.Fatalf("past the window: %+v", page)
	}
	page = c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 100, Limit: 20, Rerun: true})
	checkIDs(t, page, 100, 20)
	if !page.Rerun || page.RerunNeeded || !page.More || page.Error != nil {
		t.Errorf("re-run page %+v", page)
	}
	if runOps(fake) != 2 || len(fake.Analyzed()) == analyzed {
		t.Errorf("%d runs, %d analyses: the re-run is one run after a check", runOps(fake), len(fake.Analyzed())-analyzed)
	}
	// The re-run's window is now kept: the next page needs nothing more.
	page = c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 120, Limit: 20})
	checkIDs(t, page, 120, 20)
	if page.Rerun || runOps(fake) != 2 {
		t.Errorf("page after the re-run: %+v, %d runs", page, runOps(fake))
	}

	m := c.call(RequestResultPage, ResultPageParams{QueryID: "nope", Limit: 5})
	if m.Error == nil || !strings.Contains(m.Error.Message, "holds no query result") {
		t.Errorf("unknown queryId: %+v", m)
	}
	m = c.call(RequestResultPage, ResultPageParams{QueryID: res.QueryID, Limit: maxPageRows + 1})
	if m.Error == nil || errCode(m) != -32602 {
		t.Errorf("a too large page: %+v", m)
	}
}

// A result that ran as a command is never run again.
func TestResultPageCommand(t *testing.T) {
	fake := newRunFake(t)
	fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if strings.HasPrefix(stmt, "SHOW") {
			return connecttest.Rows("namespace string", []any{"a"}, []any{"b"}), nil
		}
		return runFakeSQL(stmt)
	})
	c := startRunClient(t, fake, runSetup{settings: map[string]any{"preview": map[string]any{"rows": 1}}})
	c.open(runURI, "SHOW DATABASES")
	doc := newDocument(runURI, "sql", 1, "SHOW DATABASES")
	res := c.runCall(doc, 0, 0)
	if res.Error != nil || res.RowCount != 1 {
		t.Fatalf("run %+v", res)
	}
	m := c.call(RequestResultPage, ResultPageParams{QueryID: res.QueryID, Offset: 1, Limit: 5, Rerun: true})
	if m.Error == nil || !strings.Contains(m.Error.Message, "command, which is never run again") {
		t.Errorf("page of a command's result: %+v", m)
	}
	if len(fake.Executed()) != 1 {
		t.Errorf("executed %v", fake.Executed())
	}
}

// On a real server: a 10,000-row result is paged from the kept window
// without running again, then past a smaller window with a re-run from the
// offset; a command's result is never run again.
func TestITResultPage(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t), settings: map[string]any{"preview": map[string]any{"rows": 100, "keepRows": 10000}}})
	text := "SELECT id, CAST(id * 2 AS STRING) AS twice, IF(id % 1000 = 0, NULL, id / 4) AS q FROM range(10000)"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	res := c.runCall(doc, 0, 0)
	if res.Error != nil || res.RowCount != 100 || !res.Truncated {
		t.Fatalf("run: %+v %+v", res, res.Error)
	}
	page := c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 9900, Limit: 200})
	if page.RowCount != 100 || page.More || page.Rerun || page.RerunNeeded {
		t.Fatalf("last page: %d rows %+v", page.RowCount, page)
	}
	if r := page.Rows[0]; *r[0] != "9900" || *r[1] != "19800" || *r[2] != "2475.0" {
		t.Errorf("row 9900: %v %v %v", *r[0], *r[1], *r[2])
	}
	if got := []string{page.Columns[0].Type, page.Columns[1].Type, page.Columns[2].Type}; strings.Join(got, ",") != "bigint,string,double" {
		t.Errorf("types %v", got)
	}
	page = c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 5000, Limit: 1})
	if page.RowCount != 1 || *page.Rows[0][0] != "5000" || page.Rows[0][2] != nil || !page.More {
		t.Errorf("row 5000: %+v", page)
	}

	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"sparkls": map[string]any{
		"remote": itRemote(t), "preview": map[string]any{"rows": 10, "keepRows": 50}}}})
	eventually(t, "the new keepRows", func() bool { return c.srv.snapshot().Settings.Preview.KeepRows == 50 })
	res = c.runCall(doc, 0, 0)
	page = c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 7000, Limit: 20})
	if !page.RerunNeeded || page.RowCount != 0 {
		t.Fatalf("past the window: %+v", page)
	}
	page = c.resultPage(ResultPageParams{QueryID: res.QueryID, Offset: 7000, Limit: 20, Rerun: true})
	if page.Error != nil || !page.Rerun || page.RowCount != 20 || *page.Rows[0][0] != "7000" || *page.Rows[19][1] != "14038" || !page.More {
		t.Fatalf("re-run from 7000: %+v %+v", page, page.Error)
	}

	// An INSERT's result is never paged: nothing runs it again.
	setup := "DROP TABLE IF EXISTS sparkls_it_page;\nCREATE TABLE sparkls_it_page (a INT) USING parquet;\nINSERT INTO sparkls_it_page VALUES (1);\nSELECT count(*) FROM sparkls_it_page;\nDROP TABLE sparkls_it_page"
	c.open("file:///work/page.sql", setup)
	pdoc := newDocument("file:///work/page.sql", "sql", 1, setup)
	stmts := sqltext.SplitStatements(setup)
	for _, st := range stmts[:3] {
		if res := c.runCall(pdoc, st.Start, st.Start); res.Error != nil {
			t.Fatalf("%s: %+v", st.Text, res.Error)
		}
	}
	res = c.runCall(pdoc, stmts[2].Start, stmts[2].Start)
	m := c.call(RequestResultPage, ResultPageParams{QueryID: res.QueryID, Offset: 0, Limit: 5, Rerun: true})
	if m.Error == nil || !strings.Contains(m.Error.Message, "never run again") {
		t.Errorf("page of a command's result: %+v", m)
	}
	if res := c.runCall(pdoc, stmts[3].Start, stmts[3].Start); res.Error != nil || *res.Rows[0][0] != "2" {
		t.Errorf("after two INSERTs and a page: %+v %+v", res, res.Error)
	}
	c.runCall(pdoc, stmts[4].Start, stmts[4].Start)
}

// sparkls keeps the rows of the last maxKeptRows results and the
// statements of the last maxKept: an older one needs a re-run, a much older
// one is gone.
func TestResultPageEviction(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{settings: map[string]any{"preview": map[string]any{"rows": 5, "keepRows": 50}}})
	text := "SELECT * FROM range(1000000000) r"
	c.open(runURI, text)
	doc := newDocument(runURI, "sql", 1, text)
	var ids []string
	for range maxKept + 1 {
		ids = append(ids, c.runCall(doc, 0, 0).QueryID)
	}
	if page := c.resultPage(ResultPageParams{QueryID: ids[len(ids)-maxKeptRows], Offset: 5, Limit: 5}); page.RowCount != 5 || page.RerunNeeded {
		t.Errorf("the 5th newest result: %+v", page)
	}
	page := c.resultPage(ResultPageParams{QueryID: ids[len(ids)-maxKeptRows-1], Offset: 5, Limit: 5})
	if !page.RerunNeeded || page.RowCount != 0 || !strings.Contains(page.Reason, "let this result go") {
		t.Errorf("the 6th newest result: %+v", page)
	}
	if m := c.call(RequestResultPage, ResultPageParams{QueryID: ids[0], Limit: 5}); m.Error == nil {
		t.Errorf("the oldest result answered %s", m.Result)
	}
}
