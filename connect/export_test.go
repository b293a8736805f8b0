package connect_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
)

func exportFake(t *testing.T) (*connecttest.Server, *connect.Client) {
	s := fake(t)
	s.BatchRows = 2
	s.HandleSQL(func(stmt string) (connecttest.Result, error) {
		if strings.HasPrefix(stmt, "SELECT to_json(struct(*))") {
			return connecttest.Rows("json string", []any{`{"id":1,"s":"a,b"}`}, []any{`{"id":2}`}), nil
		}
		return connecttest.Rows("id bigint, s string, d decimal(10,2)",
			[]any{int64(1), "a,b", "1.50"},
			[]any{int64(2), nil, nil},
			[]any{int64(3), "", "0.00"},
			[]any{int64(4), "say \"hi\"\nbye", "-2.00"},
			[]any{int64(5), " pad", "3.10"},
		), nil
	})
	return s, dialFake(t, s, "sc://127.0.0.1")
}

// CSV holds Spark's CAST text, NULL as an empty field and "" for an empty
// string; every batch is written.
func TestExportCSV(t *testing.T) {
	s, c := exportFake(t)
	var buf bytes.Buffer
	var seen []int64
	n, err := c.Export(context.Background(), "SELECT * FROM t", &buf, connect.ExportOptions{Format: connect.ExportCSV,
		OnProgress: func(p connect.ExportProgress) { seen = append(seen, p.Rows) }})
	if err != nil || n != 5 {
		t.Fatalf("%d rows, %v", n, err)
	}
	want := "id,s,d\n1,\"a,b\",1.50\n2,,\n3,\"\",0.00\n4,\"say \"\"hi\"\"\nbye\",-2.00\n5,\" pad\",3.10\n"
	if buf.String() != want {
		t.Errorf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
	if len(seen) < 3 || seen[len(seen)-1] != 5 {
		t.Errorf("progress %v", seen)
	}
	if len(s.Analyzed()) == 0 {
		t.Error("the export did not check the plan first")
	}
}

// JSON Lines come from Spark's to_json over the enveloped query.
func TestExportJSON(t *testing.T) {
	s, c := exportFake(t)
	var buf bytes.Buffer
	n, err := c.Export(context.Background(), "SELECT * FROM t", &buf, connect.ExportOptions{Format: connect.ExportJSON})
	if err != nil || n != 2 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if buf.String() != "{\"id\":1,\"s\":\"a,b\"}\n{\"id\":2}\n" {
		t.Errorf("json %q", buf.String())
	}
	reqs := s.Requests("ExecutePlan")
	q := reqs[len(reqs)-1].Request.(interface{ String() string }).String()
	if !strings.Contains(q, `SELECT to_json(struct(*)) AS json FROM (SELECT * FROM (\n`) {
		t.Errorf("request %s", q)
	}
}

// Parquet holds the Arrow batches as they came; it reads back.
func TestExportParquet(t *testing.T) {
	_, c := exportFake(t)
	var buf bytes.Buffer
	n, err := c.Export(context.Background(), "SELECT * FROM t", &buf, connect.ExportOptions{Format: connect.ExportParquet})
	if err != nil || n != 5 {
		t.Fatalf("%d rows, %v", n, err)
	}
	rd, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(rd, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 5 || tbl.Schema().Field(2).Type.String() != "decimal(10, 2)" {
		t.Fatalf("%d rows, schema %v", tbl.NumRows(), tbl.Schema())
	}
	ids := tbl.Column(0).Data().Chunk(0).(*array.Int64)
	if ids.Value(0) != 1 {
		t.Errorf("first id %d", ids.Value(0))
	}
}

// Cancelling an export of an endless result interrupts it on Spark.
func TestExportCancel(t *testing.T) {
	s := fake(t)
	s.BatchRows = 100
	s.HandleSQL(func(string) (connecttest.Result, error) { return connecttest.Range(), nil })
	c := dialFake(t, s, "sc://127.0.0.1")
	ctx, cancel := context.WithCancel(context.Background())
	var buf bytes.Buffer
	_, err := c.Export(ctx, "SELECT * FROM range(1000000000000)", &buf, connect.ExportOptions{Format: connect.ExportCSV,
		OnProgress: func(p connect.ExportProgress) {
			if p.Rows >= 1000 {
				cancel()
			}
		}})
	if !errors.Is(err, connect.ErrCanceled) {
		t.Fatalf("err %v, want cancelled", err)
	}
	waitFor(t, "the interrupt", 5*time.Second, func() bool { return len(s.Interrupted()) > 0 })
}

// A command never runs through an export: it is refused by the envelope.
func TestExportRefusesCommand(t *testing.T) {
	s, c := exportFake(t)
	_, err := c.Export(context.Background(), "DROP TABLE t", &bytes.Buffer{}, connect.ExportOptions{Format: connect.ExportCSV})
	if err == nil || len(s.Executed()) != 0 {
		t.Errorf("err %v, executed %v", err, s.Executed())
	}
}
