package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/sparkls/sparkls/connect"
)

// benchQueries are the round trips the issue asks to compare with PySpark's
// Connect client (scripts/bench-roundtrip runs both on the same server).
var benchQueries = []struct{ name, sql string }{
	{"select1", "SELECT 1"},
	{"preview100", "SELECT id, id * 2 AS twice, concat('row ', id) AS label, id % 7 = 0 AS lucky FROM range(1000)"},
}

// cmdBench measures the median wall time of whole Run calls (statement sent,
// preview decoded) over N runs in one process, after a warm-up.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	remote := remoteFlag(fs)
	runs := fs.Int("runs", 50, "measured runs per query")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := dial(ctx, *remote, stderr)
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
