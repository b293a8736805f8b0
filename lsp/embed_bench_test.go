package lsp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// BenchmarkCompletionEmbedded measures, over the pipe with a warm catalog
// of 2,000 tables, what one keystroke costs in SQL embedded in other files:
// an edit elsewhere in the file (so the document and its SQL view are
// rebuilt) then a completion at a qualified table prefix. Inside a %sql
// cell of a 2,000-line Databricks notebook, and inside a spark.sql string
// of a 5,000-line Python file. It reports p50 and p99 of the pair.
func BenchmarkCompletionEmbedded(b *testing.B) {
	cache := syntheticCache(b, 2_000)
	for _, f := range []struct {
		name, uri, text string
	}{
		{"notebook-2000-lines", "file:///work/bench_nb.py", benchNotebook(2_000)},
		{"python-5000-lines", "file:///work/bench_job.py", benchPython(5_000)},
	} {
		b.Run(f.name, func(b *testing.B) {
			cursor := strings.Index(f.text, "FROM big.ord$0")
			text := strings.Replace(f.text, "$0", "", 1)
			before := text[:cursor+len("FROM big.ord")]
			line, char := strings.Count(before, "\n"), len(before)-strings.LastIndexByte(before, '\n')-1
			if n := strings.Count(text, "\n") + 1; n < 2_000 {
				b.Fatalf("%d lines", n)
			}
			c := startServer(b, testOptions{setup: func(s *Server) { s.schema.pinned = cache }})
			c.initialize(nil, false)
			c.open(f.uri, text)
			params := map[string]any{"textDocument": map[string]any{"uri": f.uri}, "position": map[string]any{"line": line, "character": char}}
			m := c.call(protocol.MethodTextDocumentCompletion, params)
			var list protocol.CompletionList
			if err := json.Unmarshal(m.Result, &list); err != nil || len(list.Items) == 0 || !strings.HasPrefix(list.Items[0].Label, "ord") {
				b.Fatalf("completion: %v, %d items %v", err, len(list.Items), labels(list)[:min(3, len(list.Items))])
			}
			lat := make([]time.Duration, 0, b.N)
			version := 1
			b.ResetTimer()
			for i := range b.N {
				c.ResetReceived()
				begin := time.Now()
				version++
				// A keystroke on the first line, a comment in both files.
				edit := map[string]any{"range": protocol.Range{Start: protocol.Position{Line: 1, Character: 1}, End: protocol.Position{Line: 1, Character: uint32(1 + i%2)}}, "text": ""}
				if i%2 == 0 {
					edit["text"] = "#"
					edit["range"] = protocol.Range{Start: protocol.Position{Line: 1, Character: 1}, End: protocol.Position{Line: 1, Character: 1}}
				}
				c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
					"textDocument": map[string]any{"uri": f.uri, "version": version}, "contentChanges": []any{edit},
				})
				m := c.call(protocol.MethodTextDocumentCompletion, params)
				lat = append(lat, time.Since(begin))
				if m.Error != nil {
					b.Fatal(m.Error)
				}
			}
			b.StopTimer()
			reportLatency(b, lat)
		})
	}
}

// benchNotebook is a Databricks notebook of about n lines: Python cells and
// %sql cells in turn; $0 marks a cursor in a %sql cell in the middle.
func benchNotebook(n int) string {
	var b strings.Builder
	b.WriteString("# Databricks notebook source\n# a comment line the benchmark edits\n")
	for cell := 0; strings.Count(b.String(), "\n") < n; cell++ {
		b.WriteString("\n# COMMAND ----------\n\n")
		if cell%2 == 0 {
			for i := range 12 {
				fmt.Fprintf(&b, "df_%d_%d = spark.table(\"big.orders_eu_%05d\").where(\"amount > %d\")  # step %d\n", cell, i, i, i, i)
			}
			continue
		}
		cursor := ""
		if strings.Count(b.String(), "\n") > n/2 && !strings.Contains(b.String(), "$0") {
			cursor = "$0"
		}
		fmt.Fprintf(&b, "# MAGIC %%sql\n# MAGIC -- cell %d\n# MAGIC SELECT o.order_id, o.amount, c.name\n# MAGIC FROM big.ord%s\n# MAGIC   o JOIN big.customers_%05d c ON o.customer_id = c.id\n# MAGIC WHERE o.amount > %d\n# MAGIC ORDER BY o.amount DESC\n# MAGIC LIMIT 10\n", cell, cursor, cell, cell)
	}
	return b.String()
}

// benchPython is a Python file of about n lines with a spark.sql call every
// few lines (plain, triple-quoted and f-strings); $0 marks a cursor in one
// in the middle.
func benchPython(n int) string {
	var b strings.Builder
	b.WriteString("from pyspark.sql import SparkSession\n# a comment line the benchmark edits\nspark = SparkSession.builder.getOrCreate()\n")
	for fn := 0; strings.Count(b.String(), "\n") < n; fn++ {
		cursor := ""
		if strings.Count(b.String(), "\n") > n/2 && !strings.Contains(b.String(), "$0") {
			cursor = "$0"
		}
		fmt.Fprintf(&b, `

def job_%d(day: str, limit: int = 10) -> list:
    """Loads day %d: a docstring with spark.sql("SELECT no") inside."""
    rows = spark.sql("SELECT order_id, amount FROM big.orders_eu_%05d WHERE day = '" + day + "'").collect()
    top = spark.sql(f"""
        SELECT o.order_id, o.amount
        FROM big.ord%s o
        WHERE o.amount > {limit} AND o.note <> 'it''s'
        ORDER BY o.amount DESC
    """).collect()
    totals = spark.read.table("big.orders_eu_%05d").groupBy("day").sum("amount")
    return [r["order_id"] for r in rows + top] + [len(totals.columns), 0x%x, 1e-%d]
`, fn, fn, fn%2000, cursor, fn%2000, fn, fn%9+1)
	}
	return b.String()
}
