// Command sparkls-bench measures sparkls against a Spark Connect server,
// for scripts that compare it with PySpark's client on the same server; it
// prints medians as JSON. It is a development tool, kept out of the sparkls
// binary users get.
//
//	sparkls-bench [--remote R] [--runs N]              round trips of connect's Run (scripts/bench-roundtrip)
//	sparkls-bench run --sparkls BIN [--remote R] [--runs N]  sparkls.run as an editor sends it to `BIN serve` (scripts/bench-run)
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
	r, err := connect.ParseRemote(*remote)
	if err != nil {
		return err
	}
	c, err := connect.Dial(ctx, r, connect.Options{Version: "bench"})
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
		slices.Sort(times)
		out[q.name+"_median_ms"] = float64(times[len(times)/2].Microseconds()) / 1000
	}
	return json.NewEncoder(stdout).Encode(out)
}
