package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sparkls/sparkls/lsp"
)

// editorPage measures "fetch more rows" as an editor does it, over stdio
// against `BIN serve`: after a 100-row run of pageQuery (keepRows 10,000),
// page i is sparkls/resultPage {offset 100+100i, limit 100}, answered from
// the kept window; the baseline re-runs the query with sparkls.run after
// raising preview.rows to 200+100i, what an editor without paging does. The
// medians of n pages each, in milliseconds, in one process.
func editorPage(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sparkls-bench page-editor", flag.ContinueOnError)
	bin := fs.String("sparkls", "bin/sparkls", "the sparkls binary to serve")
	remote := fs.String("remote", "sc://127.0.0.1:15002", "Spark Connect remote")
	runs := fs.Int("runs", 20, "pages measured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	settings := func(rows int) map[string]any {
		return map[string]any{"remote": *remote, "preview": map[string]any{"rows": rows, "keepRows": 10000}}
	}
	ed, shutdown, err := serveEditor(ctx, wait, *bin, settings(100))
	if err != nil {
		return err
	}
	defer shutdown()
	const uri = "file:///bench/page.sql"
	if err := ed.Open(uri, pageQuery); err != nil {
		return err
	}
	pos := map[string]int{"line": 0, "character": 0}
	runParams := map[string]any{"command": lsp.CommandRun, "arguments": []any{map[string]any{"uri": uri, "range": map[string]any{"start": pos, "end": pos}}}}
	runOnce := func() (lsp.RunResult, error) {
		var r lsp.RunResult
		err := ed.CallResult(wait, "workspace/executeCommand", runParams, &r)
		if err == nil && r.Error != nil {
			err = fmt.Errorf("run: %s", r.Error.Message)
		}
		return r, err
	}
	for i := 0; i < 3; i++ { // warm-up
		if _, err := runOnce(); err != nil {
			return err
		}
	}
	first, err := runOnce()
	if err != nil {
		return err
	}
	// The pages first: each baseline run below is a new result, and
	// sparkls keeps the rows of the last 5 only.
	var kept, rerun []time.Duration
	for i := 0; i < *runs; i++ {
		off := 100 + 100*i
		start := time.Now()
		var page lsp.ResultPage
		if err := ed.CallResult(wait, lsp.RequestResultPage, lsp.ResultPageParams{QueryID: first.QueryID, Offset: int64(off), Limit: 100}, &page); err != nil {
			return err
		}
		kept = append(kept, time.Since(start))
		if page.RowCount != 100 || page.Rerun || *page.Rows[0][0] != fmt.Sprint(off) {
			return fmt.Errorf("page at %d: %d rows, rerun %v", off, page.RowCount, page.Rerun)
		}
	}
	for i := 0; i < *runs; i++ {
		off := 100 + 100*i
		if err := ed.Notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"sparkls": settings(off + 100)}}); err != nil {
			return err
		}
		start := time.Now()
		r, err := runOnce()
		if err != nil {
			return err
		}
		rerun = append(rerun, time.Since(start))
		if r.RowCount != off+100 {
			return fmt.Errorf("re-run to %d rows: %d", off+100, r.RowCount)
		}
	}
	k, b := median(kept), median(rerun)
	if err := shutdown(); err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]float64{
		"resultPage_kept_median_ms":   k,
		"run_larger_limit_median_ms":  b,
		"ratio_rerun_over_resultPage": b / k,
		"pages":                       float64(len(kept)),
	})
}
