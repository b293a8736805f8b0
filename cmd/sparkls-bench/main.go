// Command sparkls-bench measures sparkls against a Spark Connect server,
// for scripts that compare it with PySpark's client on the same server; it
// prints medians as JSON. It is a development tool, kept out of the sparkls
// binary users get.
//
//	sparkls-bench [--remote R] [--runs N]              round trips of connect's Run (scripts/bench-roundtrip)
//	sparkls-bench run --sparkls BIN [--remote R] [--runs N]  sparkls.run as an editor sends it to `BIN serve` (scripts/bench-run)
//	sparkls-bench page [--remote R] [--runs N]         "fetch more rows" on a 10,000-row result: a page of the kept
//	                                                   window (connect's Pager) vs re-running with a larger limit
//	sparkls-bench page-editor --sparkls BIN [--remote R] [--runs N]  the same over stdio: sparkls/resultPage vs
//	                                                   sparkls.run with a larger preview.rows
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/sparkls/sparkls/connect"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sparkls-bench:", err)
		os.Exit(1)
	}
}

// benchQueries are the round trips the issue asks to compare with PySpark's
// Connect client (scripts/bench-roundtrip runs both on the same server).
var benchQueries = []struct{ name, sql string }{
	{"select1", "SELECT 1"},
	{"preview100", "SELECT id, id * 2 AS twice, concat('row ', id) AS label, id % 7 = 0 AS lucky FROM range(1000)"},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "run" {
		return editorRun(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "page" {
		return pagePaging(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "page-editor" {
		return editorPage(ctx, args[1:], stdout)
	}
	return roundTrip(ctx, args, stdout)
}

// roundTrip measures the median wall time of whole Run calls over N runs in
// one process, after a warm-up.
func roundTrip(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sparkls-bench", flag.ContinueOnError)
	remote := fs.String("remote", "sc://127.0.0.1:15002", "Spark Connect remote")
	runs := fs.Int("runs", 50, "measured runs per query")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := dial(ctx, *remote)
	if err != nil {
		return err
	}
	defer c.Close()
	out := map[string]float64{}
	for _, q := range benchQueries {
		var times []time.Duration
		for i := -5; i < *runs; i++ { // 5 warm-up runs
			start := time.Now()
			res, err := c.Run(ctx, q.sql, connect.RunOptions{Limits: connect.Limits{Rows: 100}})
			if err != nil {
				return err
			}
			if i >= 0 {
				times = append(times, time.Since(start))
			}
			if len(res.Rows) == 0 {
				return fmt.Errorf("bench %s: empty result", q.name)
			}
		}
		out[q.name+"_median_ms"] = median(times)
	}
	return json.NewEncoder(stdout).Encode(out)
}

// dial connects to remote as the benchmarks' client.
func dial(ctx context.Context, remote string) (*connect.Client, error) {
	r, err := connect.ParseRemote(remote)
	if err != nil {
		return nil, err
	}
	return connect.Dial(ctx, r, connect.Options{Version: "bench"})
}

// pagePaging dials the remote and runs pageBench.
func pagePaging(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sparkls-bench page", flag.ContinueOnError)
	remote := fs.String("remote", "sc://127.0.0.1:15002", "Spark Connect remote")
	runs := fs.Int("runs", 20, "pages measured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := dial(ctx, *remote)
	if err != nil {
		return err
	}
	defer c.Close()
	return pageBench(ctx, c, *runs, stdout)
}

// pageQuery is the 10,000-row result "fetch more rows" pages.
const pageQuery = "SELECT id, id * 2 AS twice, concat('row ', id) AS label, id % 7 = 0 AS lucky FROM range(10000)"

// pageBench measures "fetch more rows" as a grid asks for it: page i is
// rows [100+100i, 200+100i) after a 100-row preview. Kept: Pager.Page on the
// window the run kept (10,000 rows: the whole result), which is what
// sparkls/resultPage does without a re-run. Baseline: running the query again
// with a larger limit (200+100i rows), what a client without paging does.
// Also: a re-run from the offset (ReadFrom, resultPage's rerun), for pages
// past the window. Medians of n pages each, one process, one server.
func pageBench(ctx context.Context, c *connect.Client, n int, stdout io.Writer) error {
	median := func(ts []time.Duration) float64 {
		slices.Sort(ts)
		return float64(ts[len(ts)/2].Nanoseconds()) / 1e6
	}
	for i := 0; i < 3; i++ { // warm-up
		if _, err := c.Run(ctx, pageQuery, connect.RunOptions{Limits: connect.Limits{Rows: 100}}); err != nil {
			return err
		}
	}
	res, err := c.Run(ctx, pageQuery, connect.RunOptions{Limits: connect.Limits{Rows: 100}, Keep: 10000})
	if err != nil {
		return err
	}
	defer res.Pager.Close()
	var kept, rerun, from []time.Duration
	for i := 0; i < n; i++ {
		off := int64(100 + 100*i)
		start := time.Now()
		rows, _, err := res.Pager.Page(ctx, off, 100)
		if err != nil {
			return err
		}
		kept = append(kept, time.Since(start))
		if len(rows) != 100 || rows[0][0].Text != fmt.Sprint(off) {
			return fmt.Errorf("page at %d: %d rows", off, len(rows))
		}

		start = time.Now()
		r, err := c.Run(ctx, pageQuery, connect.RunOptions{Limits: connect.Limits{Rows: int(off) + 100}})
		if err != nil {
			return err
		}
		rerun = append(rerun, time.Since(start))
		if len(r.Rows) != int(off)+100 {
			return fmt.Errorf("re-run to %d: %d rows", off+100, len(r.Rows))
		}

		start = time.Now()
		r, err = c.ReadFrom(ctx, pageQuery, off, connect.RunOptions{Limits: connect.Limits{Rows: 100}, Keep: 100})
		if err != nil {
			return err
		}
		from = append(from, time.Since(start))
		r.Pager.Close()
		if len(r.Rows) != 100 || r.Rows[0][0].Text != fmt.Sprint(off) {
			return fmt.Errorf("re-run from %d: %d rows", off, len(r.Rows))
		}
	}
	k, b, f := median(kept), median(rerun), median(from)
	return json.NewEncoder(stdout).Encode(map[string]float64{
		"page_kept_median_ms":          k,
		"rerun_larger_limit_median_ms": b,
		"rerun_from_offset_median_ms":  f,
		"speedup_kept_vs_rerun":        b / k,
		"pages":                        float64(n),
	})
}
