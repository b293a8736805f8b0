package lsp

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/ide"
)

// Diagnostics: after an open or an edit (debounced), the document is
// checked by ide.Checker (local problems, then Spark's analysis of each
// query without running it) and the problems are published where they
// point. sparkAnalyzer adapts a connect.Client to ide.Spark; Check and
// CheckFile are the same check for `sparkls check`.

const (
	// diagnosticsDelay is how long a document must stay unchanged before it
	// is checked: typing does not send a request per keystroke.
	diagnosticsDelay = 300 * time.Millisecond
	// maxAnalyzed bounds the statements one check of a document version
	// sends to Spark, one at a time. Results are cached per statement, so a
	// document with more queries is covered over the next edits.
	maxAnalyzed = 200
	// maxPublished bounds the diagnostics of one document sent to the editor.
	maxPublished = 1000
	// connectionPoll is how often the server looks for a new Spark
	// connection, to re-check the open documents with it.
	connectionPoll = 250 * time.Millisecond
)

// Problem and its sources are ide's: `sparkls check` prints them.
type Problem = ide.Problem

// Sources of a [Problem], shown by editors next to the message.
const (
	SourceSpark = ide.SourceSpark
	SourceLocal = ide.SourceLocal
)

// Check returns the problems of text (see ide.Check), with Spark's
// analysis when client is not nil.
func Check(ctx context.Context, client *connect.Client, text string) ([]Problem, error) {
	return ide.Check(ctx, sparkOf(client), text)
}

// CheckFile is Check for the SQL that file's text holds (see ide.CheckFile).
func CheckFile(ctx context.Context, client *connect.Client, file, text string) ([]Problem, error) {
	return ide.CheckFile(ctx, sparkOf(client), file, text)
}

// sparkOf is client as ide.Spark; nil (not a typed nil) for no client.
func sparkOf(client *connect.Client) ide.Spark {
	if client == nil {
		return nil
	}
	return sparkAnalyzer{client}
}

// sparkAnalyzer is a Spark Connect session as ide.Spark.
type sparkAnalyzer struct{ client *connect.Client }

// Namespace asks the session for its current "catalog.namespace".
func (a sparkAnalyzer) Namespace(ctx context.Context) (string, error) {
	catalog, db, err := a.client.CurrentDatabase(ctx)
	return catalog + "." + db, err
}

// Unreachable: a transport error.
func (a sparkAnalyzer) Unreachable(err error) bool { return connect.IsTransport(err) }

// Analyze asks Spark to analyse one query. A Spark error about the query is
// a failed verdict; any other error (transport, a lost session) is returned.
func (a sparkAnalyzer) Analyze(ctx context.Context, stmt string) (ide.Verdict, error) {
	_, err := a.client.Schema(ctx, stmt)
	var se *connect.SparkError
	switch {
	case err == nil:
		return ide.Verdict{}, nil
	case !errors.As(err, &se) || strings.HasPrefix(se.ErrorClass, "INVALID_HANDLE"):
		// INVALID_HANDLE is about the session (the client starts a new one
		// on the next call), not about the query.
		return ide.Verdict{}, err
	}
	if se.ErrorClass == "UNBOUND_SQL_PARAMETER" {
		// A parameter marker (:name, ?) gets its value only when the
		// statement runs: not an error in the text.
		return ide.Verdict{}, nil
	}
	v := ide.Verdict{Failed: true, Class: se.ErrorClass, Message: se.Summary()}
	if qc, has := se.Position(); has {
		v.Start, v.End, v.Placed = contextSpan(stmt, qc)
	}
	return v, nil // ide shows an error without a position on the statement's first line
}

// contextSpan is a Spark query context as a span of stmt, if it lies within
// it (connect already maps Spark's code point indices to bytes).
func contextSpan(stmt string, qc connect.QueryContext) (start, end int, ok bool) {
	if qc.Start < 0 || qc.Stop < qc.Start || qc.Stop > len(stmt) {
		return 0, 0, false
	}
	return qc.Start, qc.Stop, true
}

// ---------------------------------------------------------------------------
// The server side: when to check, and publishing.

// diagnostics checks the open documents of one server. Each document has at
// most one check at a time: a newer edit (or close) cancels the check of the
// older version, wherever it is (waiting out the delay or talking to Spark).
type diagnostics struct {
	s     *Server
	delay time.Duration
	watch sync.Once

	// mu guards docs and is held while publishing, so that a superseded
	// check never publishes over a newer one or over a close.
	mu   sync.Mutex
	docs map[protocol.DocumentURI]*docCheck
}

type docCheck struct {
	gen    uint64 // the newest check scheduled
	cancel context.CancelFunc
	// The verdicts of the last check, valid for that client only; the
	// map is replaced, never changed.
	client *connect.Client
	cache  map[string]ide.Verdict
}

func newDiagnostics(s *Server) *diagnostics {
	return &diagnostics{s: s, delay: diagnosticsDelay, docs: map[protocol.DocumentURI]*docCheck{}}
}

// after runs a document notification handler, then (if it succeeded)
// then with the document's URI.
func after[P any](h func(context.Context, *P) error, uri func(*P) protocol.DocumentURI, then func(protocol.DocumentURI)) func(context.Context, *P) error {
	return func(ctx context.Context, p *P) error {
		if err := h(ctx, p); err != nil {
			return err
		}
		then(uri(p))
		return nil
	}
}

// afterOpen, afterChange and afterClose wrap the text synchronization
// handlers in the route table.
func (d *diagnostics) afterOpen(h func(context.Context, *protocol.DidOpenTextDocumentParams) error) func(context.Context, *protocol.DidOpenTextDocumentParams) error {
	return after(h, func(p *protocol.DidOpenTextDocumentParams) protocol.DocumentURI { return p.TextDocument.URI }, d.changed)
}

func (d *diagnostics) afterChange(h func(context.Context, *didChangeParams) error) func(context.Context, *didChangeParams) error {
	return after(h, func(p *didChangeParams) protocol.DocumentURI { return p.TextDocument.URI }, d.changed)
}

func (d *diagnostics) afterClose(h func(context.Context, *protocol.DidCloseTextDocumentParams) error) func(context.Context, *protocol.DidCloseTextDocumentParams) error {
	return after(h, func(p *protocol.DidCloseTextDocumentParams) protocol.DocumentURI { return p.TextDocument.URI }, d.closed)
}

// changed schedules a check of the document's new version after the delay.
func (d *diagnostics) changed(uri protocol.DocumentURI) {
	d.watch.Do(func() { d.s.goBackground(d.watchConnection) })
	d.schedule(uri, d.delay)
}

// closed cancels the document's check and clears its diagnostics.
func (d *diagnostics) closed(uri protocol.DocumentURI) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if dc := d.docs[uri]; dc != nil {
		dc.cancel()
		delete(d.docs, uri)
	}
	// Its run errors and last analysis were about this text; a reopened
	// document (at version 1 again) must not show them. Under d.mu, so that
	// no check publishing now stores them again.
	d.s.runs().forgetClosed(d.s.docs.load())
	d.s.notify(protocol.MethodTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: uri, Diagnostics: []protocol.Diagnostic{}})
}

// schedule cancels the document's current check and starts a new one of
// its current version.
func (d *diagnostics) schedule(uri protocol.DocumentURI, delay time.Duration) {
	// The document is read under d.mu: a close (which removes it from the
	// store before calling closed) then either comes first, and there is
	// nothing to check, or after, and cancels this check.
	d.mu.Lock()
	doc, ok := d.s.docs.load()[uri]
	if !ok {
		d.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(d.s.ctx)
	dc := d.docs[uri]
	if dc == nil {
		dc = &docCheck{}
		d.docs[uri] = dc
	} else {
		dc.cancel()
	}
	dc.gen++
	dc.cancel = cancel
	gen := dc.gen
	d.mu.Unlock()
	d.s.goBackground(func() {
		defer cancel()
		d.run(ctx, dc, gen, doc, delay)
	})
}

// run waits out the delay, checks doc and publishes, unless superseded.
func (d *diagnostics) run(ctx context.Context, dc *docCheck, gen uint64, doc *Document, delay time.Duration) {
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	client, _ := d.s.analysisClient(ctx) // a copy of the session, where the server has one
	ck := ide.Checker{Spark: sparkOf(client), Limit: maxAnalyzed}
	if client != nil {
		d.mu.Lock()
		if dc.client == client {
			ck.Cache = dc.cache
		}
		d.mu.Unlock()
	}
	start := time.Now()
	ck.Opaque = doc.view.Opaque
	ck.Lint = ide.PythonLint(string(doc.URI), doc.LanguageID, doc.Text)
	res := ck.Check(ctx, doc.SQL(), doc.Text)
	log := d.s.log.With("uri", string(doc.URI), "version", doc.Version)

	d.mu.Lock()
	defer d.mu.Unlock()
	if ctx.Err() != nil || dc.gen != gen || d.docs[doc.URI] != dc {
		// Superseded: keep what Spark answered so far for the next check.
		// Cache maps are never changed once stored: a check may be reading
		// this one.
		if client != nil && dc.client == client && len(res.Verdicts) > 0 {
			merged := maps.Clone(dc.cache)
			maps.Copy(merged, res.Verdicts)
			dc.cache = merged
		}
		return
	}
	dc.client, dc.cache = client, res.Verdicts
	switch {
	case res.Err != nil && connect.IsTransport(res.Err):
		// Not the document's fault: the status notification says why.
		log.Info("diagnostics: Spark did not answer; showing the local problems only", "err", res.Err)
	case res.Err != nil:
		log.Warn("diagnostics: a statement could not be analysed", "err", res.Err)
	}
	if res.Skipped > 0 {
		log.Info("diagnostics: analysis limit reached; the other queries are checked after the next edits", "analyzed", res.Analyzed, "skipped", res.Skipped)
	}
	log.Debug("diagnostics", "problems", len(res.Problems), "analyzed", res.Analyzed, "took", time.Since(start))
	if d.s.state.Load() == stateShutdown {
		return
	}
	d.publish(doc, res.Problems)
}

// publish sends the document's diagnostics; d.mu is held.
func (d *diagnostics) publish(doc *Document, problems []Problem) {
	if len(problems) > maxPublished {
		problems = problems[:maxPublished]
	}
	diags := make([]protocol.Diagnostic, 0, len(problems))
	for _, p := range problems {
		dg := protocol.Diagnostic{
			Range:    doc.Range(p.Start, p.End),
			Severity: protocol.DiagnosticSeverityError,
			Source:   p.Source,
			Message:  p.Message,
		}
		if p.Warning {
			dg.Severity = protocol.DiagnosticSeverityWarning
		}
		if p.Code != "" {
			dg.Code = p.Code
		}
		diags = append(diags, dg)
	}
	diags = d.s.withRunDiagnostics(doc, diags) // a failed run's error stays until the text changes
	d.s.notify(protocol.MethodTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{
		URI: doc.URI, Version: uint32(max(doc.Version, 0)), Diagnostics: diags,
	})
}

// watchConnection re-checks the open documents whenever a new Spark
// connection comes up: what was checked offline (or against another
// server) is checked again. It polls an atomic pointer; the connection
// code has no hook to call.
func (d *diagnostics) watchConnection() {
	last, _ := d.s.client()
	t := time.NewTicker(connectionPoll)
	defer t.Stop()
	for {
		select {
		case <-d.s.ctx.Done():
			return
		case <-t.C:
		}
		c, ok := d.s.client()
		if !ok || c == last {
			last = c
			continue
		}
		last = c
		d.recheckAll()
	}
}

// recheckAll checks every open document again from scratch, forgetting the
// verdicts kept for unchanged statements: the connection or the catalog
// changed (a run created the table a query names), so they may be wrong.
func (d *diagnostics) recheckAll() {
	d.mu.Lock()
	uris := make([]protocol.DocumentURI, 0, len(d.docs))
	for uri, dc := range d.docs {
		dc.client, dc.cache = nil, nil
		uris = append(uris, uri)
	}
	d.mu.Unlock()
	for _, uri := range uris {
		d.schedule(uri, 0)
	}
}
