package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

func (c *testClient) exportCall(a ExportArgs, token string) ExportResult {
	c.t.Helper()
	p := runParams(CommandExport, a)
	if token != "" {
		p["workDoneToken"] = token
	}
	var res ExportResult
	c.callOK(protocol.MethodWorkspaceExecuteCommand, p, &res)
	return res
}

// An export by range and by a run's queryId writes the whole result, with
// progress on the client's token; a bad argument writes nothing.
func TestExport(t *testing.T) {
	fake := newRunFake(t)
	c := startRunClient(t, fake, runSetup{settings: map[string]any{"preview": map[string]any{"rows": 1}}})
	text := "SELECT * FROM sales.orders"
	c.open(runURI, text)
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	res := c.exportCall(ExportArgs{URI: runURI, Format: "CSV", Path: path}, "exp-1")
	if res.Error != nil || res.Rows != 3 || res.Path != path || res.Format != "csv" {
		t.Fatalf("export %+v %+v", res, res.Error)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(string(data), "\n"); len(lines) != 5 || lines[0] != "order_id,status,amount,note" || lines[1] != "1001,shipped,12.50," {
		t.Errorf("csv %q", data)
	}
	if res.Bytes != int64(len(data)) {
		t.Errorf("bytes %d for a file of %d", res.Bytes, len(data))
	}
	c.waitNote(protocol.MethodProgress, func(p json.RawMessage) bool {
		return strings.Contains(string(p), "exp-1") && strings.Contains(string(p), `"end"`) && strings.Contains(string(p), "3 rows")
	})

	doc := newDocument(runURI, "sql", 1, text)
	run := c.runCall(doc, 0, 0)
	path2 := filepath.Join(dir, "orders.parquet")
	if res := c.exportCall(ExportArgs{QueryID: run.QueryID, Format: "parquet", Path: path2}, ""); res.Error != nil || res.Rows != 3 || res.Bytes == 0 {
		t.Fatalf("export of a run: %+v %+v", res, res.Error)
	}
	if b, _ := os.ReadFile(path2); !strings.HasPrefix(string(b), "PAR1") {
		t.Errorf("not a Parquet file")
	}

	for _, bad := range []ExportArgs{
		{URI: runURI, Format: "xlsx", Path: filepath.Join(dir, "x")},
		{URI: runURI, Format: "csv", Path: "relative.csv"},
		{URI: runURI, Format: "csv", Path: filepath.Join(dir, "missing", "x.csv")},
		{QueryID: "nope", Format: "csv", Path: filepath.Join(dir, "y.csv")},
	} {
		if m := c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandExport, bad)); m.Error == nil {
			t.Errorf("%+v: answered %s", bad, m.Result)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the folder holds %d files, want the two exports", len(entries))
	}
}

// Cancelling an export from its progress interrupts it on Spark and leaves
// no file.
func TestExportCancel(t *testing.T) {
	fake := newRunFake(t)
	fake.SetLatency(5 * time.Millisecond)
	c := startRunClient(t, fake, runSetup{})
	c.open(runURI, "SELECT * FROM range(1000000000) r")
	dir := t.TempDir()
	p := runParams(CommandExport, ExportArgs{URI: runURI, Format: "csv", Path: filepath.Join(dir, "r.csv")})
	p["workDoneToken"] = "exp-2"
	_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, p)
	c.waitNote(protocol.MethodProgress, func(p json.RawMessage) bool {
		return strings.Contains(string(p), "exp-2") && strings.Contains(string(p), "rows written")
	})
	c.notify(protocol.MethodWorkDoneProgressCancel, map[string]any{"token": "exp-2"})
	m := c.wait(ch, "the cancelled export")
	var res ExportResult
	if err := json.Unmarshal(m.Result, &res); err != nil || res.Error == nil || res.Error.ErrorClass != ClassCancelled {
		t.Fatalf("export answered %s %v", m.Result, m.Error)
	}
	eventually(t, "the interrupt", func() bool { return len(fake.Interrupted()) > 0 })
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a cancelled export left %v", entries)
	}
}

// On a real server: a million-row result exported whole in each format
// with bounded memory; CSV values are Spark's CAST text, JSON is Spark's
// to_json; a cancelled export is interrupted and leaves nothing; a
// command is never run by an export.
func TestITExport(t *testing.T) {
	c := startRunClient(t, nil, runSetup{remote: itRemote(t)})
	c.slow = true // a million rows take seconds
	text := "SELECT id, id / 3 AS third, IF(id % 2 = 0, NULL, named_struct('a', id, 'b', array(1, 2))) AS s, DATE'2024-01-01' + CAST(id % 100 AS INT) AS d FROM range(1000000)"
	c.open(runURI, text)
	dir := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := c.exportCall(ExportArgs{URI: runURI, Format: "csv", Path: filepath.Join(dir, "r.csv")}, "")
	runtime.GC()
	runtime.ReadMemStats(&after)
	if res.Error != nil || res.Rows != 1000000 {
		t.Fatalf("csv: %+v %+v", res, res.Error)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<20 {
		t.Errorf("the heap grew by %d MiB for a %d MiB file", grew>>20, res.Bytes>>20)
	}
	f, _ := os.Open(filepath.Join(dir, "r.csv"))
	head := make([]byte, 512)
	n, _ := f.Read(head)
	f.Close()
	lines := strings.Split(string(head[:n]), "\n")
	if lines[0] != "id,third,s,d" || lines[1] != "0,0.0,,2024-01-01" || lines[2] != `1,0.3333333333333333,"{1, [1, 2]}",2024-01-02` {
		t.Errorf("csv head %q", lines[:3])
	}
	// The oracle: Spark's own CAST text of the same row.
	cast := "SELECT CAST(id / 3 AS STRING), CAST(named_struct('a', id, 'b', array(1, 2)) AS STRING) FROM range(1, 2)"
	c.open("file:///work/cast.sql", cast)
	want := c.runCall(newDocument("file:///work/cast.sql", "sql", 1, cast), 0, 0)
	if want.Error != nil || lines[2] != "1,"+*want.Rows[0][0]+`,"`+*want.Rows[0][1]+`",2024-01-02` {
		t.Errorf("csv row %q, Spark's CAST %v %v", lines[2], *want.Rows[0][0], *want.Rows[0][1])
	}

	res = c.exportCall(ExportArgs{URI: runURI, Format: "json", Path: filepath.Join(dir, "r.json")}, "")
	if res.Error != nil || res.Rows != 1000000 {
		t.Fatalf("json: %+v %+v", res, res.Error)
	}
	f, _ = os.Open(filepath.Join(dir, "r.json"))
	n, _ = f.Read(head)
	f.Close()
	if lines := strings.Split(string(head[:n]), "\n"); lines[0] != `{"id":0,"third":0.0,"d":"2024-01-01"}` || lines[1] != `{"id":1,"third":0.3333333333333333,"s":{"a":1,"b":[1,2]},"d":"2024-01-02"}` {
		t.Errorf("json head %q", lines[:2])
	}
	res = c.exportCall(ExportArgs{URI: runURI, Format: "parquet", Path: filepath.Join(dir, "r.parquet")}, "")
	if res.Error != nil || res.Rows != 1000000 || res.Bytes == 0 {
		t.Fatalf("parquet: %+v %+v", res, res.Error)
	}
	// Spark reads the Parquet file back: the same rows.
	check := "SELECT count(*), sum(id), count(s), max(d) FROM parquet.`" + filepath.Join(dir, "r.parquet") + "`"
	c.open("file:///work/check.sql", check)
	got := c.runCall(newDocument("file:///work/check.sql", "sql", 1, check), 0, 0)
	if got.Error != nil || strings.Join(derefAll(got.Rows[0]), ",") != "1000000,499999500000,500000,2024-04-09" {
		t.Errorf("Spark read back %v %+v", derefAll(got.Rows[0]), got.Error)
	}

	// Cancel.
	endless := "SELECT id, repeat('x', 100) AS pad FROM range(0, 100000000000, 1, 1000000)" // small partitions: Spark 3.5 holds a partition's batches at once
	c.open("file:///work/endless.sql", endless)
	p := runParams(CommandExport, ExportArgs{URI: "file:///work/endless.sql", Format: "csv", Path: filepath.Join(dir, "endless.csv")})
	p["workDoneToken"] = "exp-it"
	_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, p)
	c.waitNote(protocol.MethodProgress, func(p json.RawMessage) bool {
		return strings.Contains(string(p), "exp-it") && strings.Contains(string(p), "rows written")
	})
	c.notify(protocol.MethodWorkDoneProgressCancel, map[string]any{"token": "exp-it"})
	m := c.wait(ch, "the cancelled export")
	var cres ExportResult
	if err := json.Unmarshal(m.Result, &cres); err != nil || cres.Error == nil || cres.Error.ErrorClass != ClassCancelled {
		t.Fatalf("export answered %s %v", m.Result, m.Error)
	}
	if _, err := os.Stat(filepath.Join(dir, "endless.csv")); !os.IsNotExist(err) {
		t.Errorf("a cancelled export left a file: %v", err)
	}

	// Hostile statements: each fails inside the envelope, nothing runs.
	setup := "CREATE OR REPLACE TEMPORARY VIEW sparkls_it_export AS SELECT 1 AS a"
	c.open("file:///work/setup.sql", setup)
	if r := c.runCall(newDocument("file:///work/setup.sql", "sql", 1, setup), 0, 0); r.Error != nil {
		t.Fatal(r.Error)
	}
	for i, hostile := range []string{
		"DROP VIEW sparkls_it_export",
		"SELECT 1) ; DROP VIEW sparkls_it_export ; SELECT * FROM (SELECT 1",
		"EXECUTE IMMEDIATE 'DROP VIEW sparkls_it_export'",
		"/* /*+ */ DROP VIEW sparkls_it_export -- */",
	} {
		uri := protocol.DocumentURI("file:///work/hostile" + string(rune('a'+i)) + ".sql")
		c.open(string(uri), hostile)
		r := c.exportCall(ExportArgs{URI: uri, Format: "csv", Path: filepath.Join(dir, "h.csv")}, "")
		if r.Error == nil {
			t.Errorf("%q exported %d rows", hostile, r.Rows)
		}
	}
	still := "SELECT a FROM sparkls_it_export"
	c.open("file:///work/still.sql", still)
	if r := c.runCall(newDocument("file:///work/still.sql", "sql", 1, still), 0, 0); r.Error != nil || *r.Rows[0][0] != "1" {
		t.Errorf("the view is gone: %+v", r.Error)
	}
}

func derefAll(row []*string) []string {
	out := make([]string, len(row))
	for i, v := range row {
		if v != nil {
			out[i] = *v
		}
	}
	return out
}
