package lsp

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
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
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
