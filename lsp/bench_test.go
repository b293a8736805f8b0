package lsp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/internal/ittest"
)

// BenchmarkCompletionRoundTrip measures one completion request from the
// client's write to the client's read of the answer, over the pipe, on a
// 1,000-line document. It reports the latency percentiles.
func BenchmarkCompletionRoundTrip(b *testing.B) {
	c := startServer(b, testOptions{})
	c.initialize(nil, false)
	c.open(docURI, strings.Repeat("SELECT a, b FROM some_table WHERE x = 1;\n", 1000)+"SEL")
	params := map[string]any{
		"textDocument": map[string]any{"uri": docURI},
		"position":     map[string]any{"line": 1000, "character": 3},
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		begin := time.Now()
		m := c.call(protocol.MethodTextDocumentCompletion, params)
		lat = append(lat, time.Since(begin))
		if m.Error != nil {
			b.Fatal(m.Error)
		}
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkCompletionLargeDocument measures a keystroke in a 10 MB
// document: a didChange typing one character in a statement in the middle,
// then completion there, from the client's write of the change to its read
// of the answer. It reports the latency percentiles; the item
// asks for a p99 under 20 ms. scripts/bench-memory measures the same from
// another process, with the memory.
func BenchmarkCompletionLargeDocument(b *testing.B) {
	var doc strings.Builder
	for i := 0; doc.Len() < 5<<20; i++ {
		fmt.Fprintf(&doc, "-- report %d\nWITH r AS (\n  SELECT o.id, o.amount FROM sales.orders o WHERE o.day >= '2024-01-01'\n)\n"+
			"SELECT id, sum(amount) AS total FROM r GROUP BY id ORDER BY total DESC;\n", i)
	}
	line := strings.Count(doc.String(), "\n")
	const cursor = "WITH q AS (SELECT 1 AS alpha, 2 AS beta) SELECT q. FROM q;\n"
	char := strings.Index(cursor, "q.") + 2
	text := doc.String() + cursor + doc.String()
	c := startServer(b, testOptions{})
	c.initialize(nil, false)
	c.open(docURI, text)
	pos := func(char int) map[string]any { return map[string]any{"line": line, "character": char} }
	lat := make([]time.Duration, 0, b.N)
	typed := 0
	b.ResetTimer()
	for i := range b.N {
		change := map[string]any{"range": map[string]any{"start": pos(char + typed), "end": pos(char + typed)}, "text": "a"}
		typed++
		if typed > 20 { // delete the word, start again
			change = map[string]any{"range": map[string]any{"start": pos(char), "end": pos(char + 20)}, "text": ""}
			typed = 0
		}
		begin := time.Now()
		c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
			"textDocument":   map[string]any{"uri": docURI, "version": i + 2},
			"contentChanges": []any{change},
		})
		m := c.call(protocol.MethodTextDocumentCompletion, map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": pos(char + typed)})
		lat = append(lat, time.Since(begin))
		if m.Error != nil {
			b.Fatal(m.Error)
		}
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkITCheck is one diagnostics check of a demo-catalog document of
// five queries (one with an error) against the real server: what an edit
// costs once the debounce fires. Reports the median and the Spark calls.
func BenchmarkITCheck(b *testing.B) {
	client := ittest.Client(b)
	text := "SELECT order_id, amount FROM sales.orders WHERE amount > 10;\n" +
		"SELECT c.name, count(*) FROM sales.orders o JOIN sales.customers c ON o.customer_id = c.customer_id GROUP BY c.name;\n" +
		"SELECT amount_typo FROM sales.orders;\n" +
		"WITH big AS (SELECT * FROM sales.orders WHERE amount > 100) SELECT count(*) FROM big;\n" +
		"SELECT status, sum(amount) FROM sales.orders GROUP BY status ORDER BY 2 DESC"
	ck := ide.Checker{Spark: sparkOf(client)}
	lat := make([]time.Duration, 0, b.N)
	analyzed := 0
	b.ResetTimer()
	for i := range b.N {
		edited := text + fmt.Sprintf("\n-- edit %d", i)
		begin := time.Now()
		res := ck.Check(context.Background(), edited, edited)
		lat = append(lat, time.Since(begin))
		if res.Err != nil || len(res.Problems) != 1 {
			b.Fatalf("check: %v %+v", res.Err, res.Problems)
		}
		analyzed += res.Analyzed
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(analyzed)/float64(b.N)+1, "spark-calls/check") // + the namespace lookup
}

// reportLatency reports the median and 99th percentile of lat (sorted in
// place) in microseconds: the figures the completion benchmarks compare.
func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
