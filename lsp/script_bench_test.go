package lsp

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// BenchmarkCompletionScriptPipe measures, over the pipe with a warm catalog
// of 2,000 tables, a keystroke (an edit of a comment on line 2, then a
// completion of a column prefix) inside a 200-line SQL script (BEGIN … END
// with DECLAREs, FOR loops and IFs) and after the 5th step of a pipe
// query, against the same in a 200-line file of plain SELECTs (the
// baseline, in the same run). It reports p50 and p99.
func BenchmarkCompletionScriptPipe(b *testing.B) {
	cache := syntheticCache(b, 2_000)
	for _, f := range []struct{ name, text string }{
		{"select-200-lines", benchSelects(200)},
		{"script-200-lines", benchScript(200)},
		{"pipe-step-5", benchPipe(200)},
	} {
		b.Run(f.name, func(b *testing.B) {
			const uri = "file:///work/bench_script.sql"
			cursor := strings.Index(f.text, "$0")
			text := strings.Replace(f.text, "$0", "", 1)
			before := text[:cursor]
			line, char := strings.Count(before, "\n"), len(before)-strings.LastIndexByte(before, '\n')-1
			if n := strings.Count(text, "\n") + 1; n < 200 {
				b.Fatalf("%d lines", n)
			}
			c := startServer(b, testOptions{setup: func(s *Server) { s.schema.pinned = cache }})
			c.initialize(nil, false)
			c.open(uri, text)
			params := map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}
			var list protocol.CompletionList
			if err := json.Unmarshal(c.call(protocol.MethodTextDocumentCompletion, params).Result, &list); err != nil ||
				!slices.Contains(labels(list), "orders_col_0") {
				b.Fatalf("completion: %v, %v", err, labels(list)[:min(5, len(list.Items))])
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				c.ResetReceived()
				begin := time.Now()
				// Type, then delete, one character of the comment on line 2.
				rng := protocol.Range{Start: protocol.Position{Line: 1, Character: 3}, End: protocol.Position{Line: 1, Character: 3}}
				change := ""
				if i%2 == 0 {
					change = "x"
				} else {
					rng.End.Character = 4
				}
				c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
					"textDocument":   map[string]any{"uri": uri, "version": i + 2},
					"contentChanges": []any{map[string]any{"range": rng, "text": change}},
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

// benchSelects is about n lines of plain SELECTs over the synthetic
// catalog; $0 marks a column prefix in the middle.
func benchSelects(n int) string {
	var b strings.Builder
	b.WriteString("-- bench\n-- a comment line the benchmark edits\n")
	for i := 0; strings.Count(b.String(), "\n") < n; i++ {
		cursor := ""
		if strings.Count(b.String(), "\n") > n/2 && !strings.Contains(b.String(), "$0") {
			cursor = "$0"
		}
		fmt.Fprintf(&b, "SELECT o.orders_col_0, o.customers_col_1, count(*) AS n\nFROM big.orders_eu_00042 o\nWHERE o.events_col_2 > %d AND ord%s\nGROUP BY 1, 2;\n", i, cursor)
	}
	return b.String()
}

// benchScript is a SQL script of about n lines: one BEGIN … END block
// with local variables, FOR loops over queries and IFs; $0 marks a column
// prefix in a query in the middle.
func benchScript(n int) string {
	var b strings.Builder
	b.WriteString("-- bench\n-- a comment line the benchmark edits\nBEGIN\n  DECLARE total BIGINT DEFAULT 0;\n")
	for i := 0; strings.Count(b.String(), "\n") < n-2; i++ {
		cursor := ""
		if strings.Count(b.String(), "\n") > n/2 && !strings.Contains(b.String(), "$0") {
			cursor = "$0"
		}
		fmt.Fprintf(&b, "  DECLARE v%d INT DEFAULT %d;\n  step%d: FOR r%d AS (SELECT o.orders_col_0 AS id FROM big.orders_eu_00042 o WHERE ord%s) DO\n    IF r%d.id > v%d THEN\n      SET total = total + 1;\n    END IF;\n  END FOR step%d;\n", i, i, i, i, cursor, i, i, i)
	}
	b.WriteString("  SELECT total;\nEND\n")
	return b.String()
}

// benchPipe is about n lines of pipe queries of five steps; $0 marks a
// column prefix after the 5th step of one in the middle.
func benchPipe(n int) string {
	var b strings.Builder
	b.WriteString("-- bench\n-- a comment line the benchmark edits\n")
	for i := 0; strings.Count(b.String(), "\n") < n; i++ {
		cursor := ""
		if strings.Count(b.String(), "\n") > n/2 && !strings.Contains(b.String(), "$0") {
			cursor = "$0"
		}
		fmt.Fprintf(&b, "FROM big.orders_eu_00042\n|> WHERE events_col_2 > %d\n|> EXTEND customers_col_1 AS c1\n|> SELECT orders_col_0, c1, events_col_2\n|> AGGREGATE count(*) AS n GROUP BY orders_col_0, c1\n|> WHERE ord%s;\n", i, cursor)
	}
	return b.String()
}
