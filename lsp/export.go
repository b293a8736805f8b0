package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/sqltext"
)

// sparkls.export: a query's whole result (not only the preview) to a local
// file, through Spark Connect (connect/export.go says how each format
// renders values), with work-done progress and cancel. The query is a
// run's (queryId: the statement sparkls kept for paging) or the statement
// at a document's range; either way it goes to Spark as a query only.

// ExportArgs is the argument of sparkls.export: queryId, or uri and range
// (a selection of one statement, or the statement at the cursor) with the
// params of its markers; format csv, parquet or json; path, the absolute
// path of the local file to write (replaced when it exists).
type ExportArgs struct {
	QueryID string                     `json:"queryId,omitempty"`
	URI     protocol.DocumentURI       `json:"uri,omitempty"`
	Range   protocol.Range             `json:"range"`
	Params  map[string]json.RawMessage `json:"params,omitempty"`
	Format  string                     `json:"format"`
	Path    string                     `json:"path"`
}

// ExportResult answers sparkls.export: the file written and its size, or
// Error (Spark's verdict, or OPERATION_CANCELED), when nothing was written.
type ExportResult struct {
	Path      string    `json:"path"`
	Format    string    `json:"format"`
	Rows      int64     `json:"rows"`
	Bytes     int64     `json:"bytes"`
	ElapsedMs int64     `json:"elapsedMs"`
	Error     *RunError `json:"error"`
}

// export is sparkls.export.
func (s *Server) export(ctx context.Context, snap *Snapshot, a ExportArgs, token json.RawMessage) (*ExportResult, error) {
	fail := func(code jsonrpc2.Code, format string, args ...any) error {
		return jsonrpc2.NewError(code, CommandExport+": "+fmt.Sprintf(format, args...))
	}
	format := connect.ExportFormat(strings.ToLower(a.Format))
	if !validExportFormat(format) {
		return nil, fail(jsonrpc2.InvalidParams, "unknown format %q (csv, parquet or json)", a.Format)
	}
	if !filepath.IsAbs(a.Path) {
		return nil, fail(jsonrpc2.InvalidParams, "path %q is not absolute", a.Path)
	}
	if st, err := os.Stat(filepath.Dir(a.Path)); err != nil || !st.IsDir() {
		return nil, fail(jsonrpc2.InvalidParams, "the folder of %s does not exist", a.Path)
	}
	stmt, params, err := s.exportStatement(snap, a)
	if err != nil {
		return nil, err
	}
	client, err := s.waitClient(ctx, snap.Settings.connectTimeout())
	if err != nil {
		return nil, fail(codeRequestFailed, "%v", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	id := uuid.NewString()
	// Registered as a run without a document: sparkls.cancelAll and the
	// progress's cancel stop it.
	run := &activeRun{id: id, cancel: cancel, done: make(chan struct{})}
	rs := s.runs()
	rs.mu.Lock()
	rs.active[id] = run
	rs.mu.Unlock()
	defer rs.end(run)
	prog := s.startProgress(ctx, token, "sparkls-export-"+id, "Spark: exporting", filepath.Base(a.Path), true)
	rs.setToken(run, prog.key())
	s.log.Info("export started", "id", id, "format", format)

	began := time.Now()
	res := &ExportResult{Path: a.Path, Format: string(format)}
	rows, size, err := exportTo(ctx, client, stmt, a.Path, connect.ExportOptions{
		Format: format, Params: params, Tags: []string{"sparkls-export-" + id},
		OnProgress: throttled(func(p connect.ExportProgress) {
			msg := runPlural(int(p.Rows), "row") + " written"
			if sp := p.Spark; sp != nil && sp.Tasks > 0 {
				msg += fmt.Sprintf(" · %d/%d tasks", sp.CompletedTasks, sp.Tasks)
			}
			prog.send(protocol.WorkDoneProgressReport{Kind: protocol.WorkDoneProgressKindReport, Cancellable: true, Message: msg})
		}),
	})
	res.ElapsedMs = time.Since(began).Milliseconds()
	if err != nil {
		res.Error = pageErrorOf(err)
		prog.end("✗ " + res.Error.Message)
		s.log.Info("export failed", "id", id, "err", err)
		return res, nil
	}
	res.Rows, res.Bytes = rows, size
	prog.end(fmt.Sprintf("✓ %s · %s", runPlural(int(rows), "row"), runByteSize(size)))
	s.log.Info("export ended", "id", id, "rows", rows, "bytes", size, "elapsed", time.Since(began).Round(time.Millisecond))
	return res, nil
}

func validExportFormat(f connect.ExportFormat) bool {
	for _, x := range connect.ExportFormats {
		if f == x {
			return true
		}
	}
	return false
}

// exportStatement is the one statement an export runs, and its params.
func (s *Server) exportStatement(snap *Snapshot, a ExportArgs) (string, connect.Params, error) {
	fail := func(format string, args ...any) error {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, CommandExport+": "+fmt.Sprintf(format, args...))
	}
	if a.QueryID != "" {
		kept, _, ok := s.runs().kept.lookup(a.QueryID)
		if !ok {
			return "", connect.Params{}, jsonrpc2.NewError(codeRequestFailed, fmt.Sprintf("%s: sparkls holds no query of run %s "+
				"(it ran as a command, or it is older than the last %d runs); export the statement from its document", CommandExport, a.QueryID, maxKept))
		}
		return kept.stmt, kept.params, nil
	}
	if a.URI == "" {
		return "", connect.Params{}, fail("the argument needs a queryId, or a uri and range")
	}
	doc, ok := snap.Document(a.URI)
	if !ok {
		return "", connect.Params{}, fail("%s is not open", a.URI)
	}
	stmt, err := statementIn(doc, a.Range)
	if err != nil {
		return "", connect.Params{}, jsonrpc2.NewError(codeRequestFailed, CommandExport+": "+err.Error())
	}
	params, err := bindParams(a.Params)
	if err != nil {
		return "", connect.Params{}, fail("%v", err)
	}
	return stmt, params, nil
}

// statementIn is the one statement a range selects, or the statement at
// its start when it is empty.
func statementIn(doc *Document, rng protocol.Range) (string, error) {
	start, end := doc.Span(rng)
	if start < end {
		stmts := sqltext.SplitStatements(doc.SQL()[start:end])
		if len(stmts) != 1 {
			return "", fmt.Errorf("select one statement (the selection holds %d)", len(stmts))
		}
		return stmts[0].Text, nil
	}
	st, ok := ide.StatementAt(doc.SQL(), start)
	if !ok {
		return "", fmt.Errorf("no SQL statement at line %d", rng.Start.Line+1)
	}
	return st.Text, nil
}

// exportTo writes the export to a new file beside path, which replaces
// path once complete; a failed or cancelled export leaves nothing.
func exportTo(ctx context.Context, client *connect.Client, stmt, path string, opt connect.ExportOptions) (rows, size int64, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	cw := &countingWriter{w: f}
	rows, err = client.Export(ctx, stmt, cw, opt)
	if err != nil {
		return rows, cw.n, err
	}
	if err = f.Close(); err != nil {
		return rows, cw.n, err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return rows, cw.n, err
	}
	return rows, cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// throttled passes on at most one report per progressEvery.
func throttled(fn func(connect.ExportProgress)) func(connect.ExportProgress) {
	var mu sync.Mutex
	var last time.Time
	return func(p connect.ExportProgress) {
		mu.Lock()
		now := time.Now()
		if now.Sub(last) < progressEvery {
			mu.Unlock()
			return
		}
		last = now
		mu.Unlock()
		fn(p)
	}
}
