package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/sparkls/sparkls/lsp"
	"github.com/sparkls/sparkls/lsp/lsptest"
)

// editorRun measures sparkls.run (workspace/executeCommand over stdio, as an
// editor sends it: request written → preview decoded → answer read and
// decoded) against `BIN serve` in a process of its own, with package
// lsptest as the editor: the median over N runs of each query, after 5
// warm-ups, in milliseconds.
func editorRun(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sparkls-bench run", flag.ContinueOnError)
	bin := fs.String("sparkls", "bin/sparkls", "the sparkls binary to serve")
	remote := fs.String("remote", "sc://127.0.0.1:15002", "Spark Connect remote")
	runs := fs.Int("runs", 50, "measured runs per query")
	if err := fs.Parse(args); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	settings := map[string]any{"remote": *remote, "preview": map[string]any{"rows": 100}}
	ed, shutdown, err := serveEditor(ctx, wait, *bin, settings)
	if err != nil {
		return err
	}
	defer shutdown()
	const uri = "file:///bench/run.sql"
	sqls := make([]string, len(benchQueries))
	for i, q := range benchQueries {
		sqls[i] = q.sql
	}
	if err := ed.Open(uri, strings.Join(sqls, ";\n")); err != nil {
		return err
	}
	res := map[string]float64{}
	for line, q := range benchQueries {
		pos := map[string]int{"line": line, "character": 0}
		params := map[string]any{"command": lsp.CommandRun, "arguments": []any{map[string]any{"uri": uri, "range": map[string]any{"start": pos, "end": pos}}}}
		var times []time.Duration
		for i := -5; i < *runs; i++ { // 5 warm-up runs
			start := time.Now()
			var r lsp.RunResult
			if err := ed.CallResult(wait, "workspace/executeCommand", params, &r); err != nil {
				return err
			}
			if i >= 0 {
				times = append(times, time.Since(start))
			}
			if r.Error != nil {
				return fmt.Errorf("%s: %s", q.name, r.Error.Message)
			}
			if len(r.Rows) == 0 {
				return fmt.Errorf("%s: empty result", q.name)
			}
		}
		res[q.name+"_median_ms"] = median(times)
	}
	if err := shutdown(); err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(res)
}

// serveEditor starts `bin serve` and drives it with package lsptest as the
// editor, initialised with settings (the sparkls section) and connected
// within wait. shutdown shuts the server down and waits for it to exit; it
// may be called again (a deferred call after a checked one does nothing).
func serveEditor(ctx, wait context.Context, bin string, settings map[string]any) (ed *lsptest.Editor, shutdown func() error, err error) {
	ctx, stop := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, bin, "serve")
	in, err := cmd.StdinPipe()
	if err != nil {
		stop()
		return nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		stop()
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		stop()
		return nil, nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ed = lsptest.New(out, in, lsptest.Options{})
	closed := false
	shutdown = func() error {
		if closed {
			return nil
		}
		closed = true
		defer stop() // ends a server that did not exit
		err := ed.Shutdown(wait)
		in.Close()
		select {
		case werr := <-exited:
			if err == nil && werr != nil {
				err = fmt.Errorf("sparkls serve: %w", werr)
			}
		case <-time.After(10 * time.Second):
			if err == nil {
				err = errors.New("sparkls serve did not exit")
			}
		}
		return err
	}
	if _, err := ed.Initialize(wait, nil, map[string]any{"sparkls": settings}); err != nil {
		shutdown()
		return nil, nil, err
	}
	var st lsp.Status
	if _, err := ed.WaitNote(wait, lsp.NotifyStatus, func(p json.RawMessage) bool {
		_ = json.Unmarshal(p, &st)
		return st.State == lsp.StateConnected || st.State == lsp.StateError
	}); err != nil {
		shutdown()
		return nil, nil, err
	}
	if st.State != lsp.StateConnected {
		shutdown()
		return nil, nil, fmt.Errorf("sparkls could not connect: %s", st.Message)
	}
	return ed, shutdown, nil
}

// median in milliseconds: the middle time, or the mean of the two middle
// ones (as Python's statistics.median, which the PySpark side uses).
func median(times []time.Duration) float64 {
	slices.Sort(times)
	n := len(times)
	m := times[n/2]
	if n%2 == 0 {
		m = (times[n/2-1] + times[n/2]) / 2
	}
	return float64(m.Microseconds()) / 1000
}
