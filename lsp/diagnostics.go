package lsp

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/embed"
	"github.com/sparkls/sparkls/pycheck"
	"github.com/sparkls/sparkls/sqltext"
)

// Diagnostics: after an open or an edit (debounced), each query of the
// document is analysed by Spark without running it and the errors are
// published where Spark points; local syntax problems (unclosed quotes,
// comments, parentheses) are found without Spark. Check is the same logic
// for `sparkls check`, so the editor and the CLI report the same problems.
//
// Only queries are ever sent: Spark executes DDL, DML and SET inside a SQL
// relation even when only asked to analyse it. Statements are analysed in
// the session's current namespace, whatever USE statements the document
// holds (sparkls does not run them for diagnostics).

// Sources of a [Problem], shown by editors next to the message.
const (
	SourceSpark = "spark"   // Spark's analysis of a query
	SourceLocal = "sparkls" // found in the text, without Spark
)

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

// Problem is one error found in a SQL text by [Check].
type Problem struct {
	Start, End int // byte span of the text the problem is about
	Line, Col  int // 1-based position of Start; Col counts characters
	Source     string
	Code       string // Spark's error class (UNRESOLVED_COLUMN.WITH_SUGGESTION, ...); empty for local problems
	Message    string
	Warning    bool // a warning (the Spark Connect lint of Python), not an error
}

// pythonLint is the Spark Connect compatibility lint (package pycheck) of
// a Python file or notebook as problems; none for other files.
func pythonLint(uri, languageID, text string) []Problem {
	if embed.KindOf(uri, languageID, "") != embed.Python {
		return nil // .py with any text is Python or a notebook; both are Python code
	}
	var ps []Problem
	for _, f := range pycheck.Check(text) {
		ps = append(ps, Problem{Start: f.Start, End: f.End, Source: SourceLocal, Code: f.Code, Message: f.Message(), Warning: true})
	}
	return ps
}

// Check returns the problems of text: local syntax problems, and, with a
// client, Spark's analysis of every query and unrecognised statement, each
// inside the query envelope (see analysed). It analyses statements one by one, each with the
// client's call timeout. err is why Spark's analysis is incomplete (the
// server could not be reached, ...): the problems found are still returned.
func Check(ctx context.Context, client *connect.Client, text string) ([]Problem, error) {
	return CheckFile(ctx, client, "", text)
}

// CheckFile is Check for the SQL that file's text holds (package embed): a
// .sql file, the %sql cells of a Databricks notebook or the spark.sql
// strings of Python. Positions are in text.
func CheckFile(ctx context.Context, client *connect.Client, file, text string) ([]Problem, error) {
	ck := checker{client: client}
	if client != nil {
		ck.namespace = sessionNamespace(client)
	}
	v := embed.Of(file, "", text)
	ck.opaque = v.Opaque
	ck.lint = pythonLint(file, "", text)
	res := ck.check(ctx, v.Text, text)
	return res.problems, res.err
}

// verdict is Spark's analysis of one statement, in terms of its text.
type verdict struct {
	failed     bool
	class, msg string
	start, end int // byte span in the statement's text
}

// checker checks one text. The zero value checks without Spark and without
// limit.
type checker struct {
	client *connect.Client // nil: local checks only
	// namespace returns the session's current namespace, the other half of
	// the cache key; nil for none (no cache).
	namespace func(context.Context) (string, error)
	cache     map[string]verdict // by namespace + "\x00" + statement text
	limit     int                // most statements sent to Spark; 0 for no limit
	// opaque tells a statement that nothing judges (an f-string with
	// holes that Python fills in); nil for none.
	opaque func(start, end int) bool
	lint   []Problem // more problems to report (pythonLint)
}

type checkResult struct {
	problems   []Problem
	verdicts   map[string]verdict // every verdict this check used: the next cache
	analyzed   int                // statements sent to Spark
	skipped    int                // queries not analysed because of the limit
	skippedUse int                // queries after a USE of another namespace than the session's
	err        error              // the first failure to analyse (not a Spark error)
}

// check checks text, the SQL of a document (Document.SQL: as long as
// orig, the document's text, where line and column are counted).
func (ck *checker) check(ctx context.Context, text, orig string) checkResult {
	res := checkResult{verdicts: map[string]verdict{}}
	stmts := sqltext.SplitStatements(text)
	problems, broken := localProblems(text, stmts)
	if ck.opaque != nil {
		// Neither the local checks nor Spark judge SQL that Python completes.
		kept := problems[:0]
		for _, p := range problems {
			if !ck.opaque(statementSpan(stmts, p.Start)) {
				kept = append(kept, p)
			}
		}
		problems = kept
	}

	client := ck.client
	ns, nsKnown := "", ck.namespace == nil
	var useCat, useNS string // what the USE statements before st leave in effect
	var useOK bool
	for i, st := range stmts {
		if client != nil && i > 0 && sqltext.Classify(stmts[i-1].Text) == sqltext.Session {
			// Only a USE or SET moves the namespace: replay them (from the
			// start of the text) only after one, not for every statement.
			useCat, useNS, useOK = sqltext.CurrentNamespace(text, st.Start)
		}
		// A statement with a syntax problem is not sent: Spark would only
		// report the same problem, less precisely.
		if client == nil || broken[i] || !analysed(st.Text) || ck.opaque != nil && ck.opaque(st.Start, st.End) {
			continue
		}
		if !nsKnown {
			var err error
			if ns, err = ck.namespace(ctx); err != nil {
				res.err, client = err, nil // without the key the cache is useless; so is a server that fails this
				continue
			}
			nsKnown = true
		}
		if useOK && !sameNamespace(ns, useCat, useNS) {
			// A USE earlier in the file names another namespace than the
			// session's, where Spark would resolve this statement: its
			// verdict could be wrong either way, so it is not asked.
			res.skippedUse++
			continue
		}
		key := ns + "\x00" + st.Text // a copy: the cache does not keep the document's text alive
		v, ok := res.verdicts[key]
		if !ok {
			v, ok = ck.cache[key]
		}
		if !ok {
			if ck.limit > 0 && res.analyzed >= ck.limit {
				res.skipped++
				continue
			}
			res.analyzed++
			var err error
			if v, err = analyze(ctx, client, st.Text); err != nil {
				if ctx.Err() != nil {
					res.err = ctx.Err()
					return res
				}
				if res.err == nil {
					res.err = err
				}
				if connect.IsTransport(err) {
					client = nil // every further call would fail the same way, each after a timeout
				}
				continue
			}
		}
		res.verdicts[key] = v
		if v.failed {
			problems = append(problems, Problem{Start: st.Start + v.start, End: st.Start + v.end, Source: SourceSpark, Code: v.class, Message: v.msg})
		}
	}
	problems = append(problems, ck.lint...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Start < problems[j].Start })
	if len(problems) > 0 {
		lines := newLineIndex(orig)
		for i := range problems {
			p := &problems[i]
			pos := lines.position(orig, p.Start)
			p.Line = int(pos.Line) + 1
			p.Col = utf8.RuneCountInString(orig[lines[pos.Line]:p.Start]) + 1
		}
	}
	res.problems = problems
	return res
}

// statementSpan is the span of the statement holding off (off alone if
// none does).
func statementSpan(stmts []sqltext.Statement, off int) (start, end int) {
	for _, st := range stmts {
		if st.Start <= off && off <= st.End {
			return st.Start, st.End
		}
	}
	return off, off + 1
}

// analysed tells whether Spark is asked about stmt: what the guess calls a
// query, and what it cannot place (a typo such as SELEC, text with ${…}),
// so that Spark's parse error shows. Safety does not rest on this guess:
// connect sends the statement inside the query envelope, where anything
// Spark reads as a command fails to parse. Commands are left out only
// because the envelope would always report them as syntax errors.
func analysed(stmt string) bool {
	k := sqltext.Classify(stmt)
	return k == sqltext.Query || k == sqltext.Unknown
}

// sessionNamespace asks the session for its current "catalog.namespace".
func sessionNamespace(client *connect.Client) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		catalog, db, err := client.CurrentDatabase(ctx)
		return catalog + "." + db, err
	}
}

// sameNamespace tells whether the session's "catalog.namespace" is the one
// a USE in the file left (catalog "" means the session's catalog). An
// unknown session namespace matches nothing.
func sameNamespace(session, catalog, namespace string) bool {
	scat, sns, ok := strings.Cut(session, ".")
	if !ok {
		return false
	}
	return (catalog == "" || strings.EqualFold(catalog, scat)) && (namespace == "" || strings.EqualFold(namespace, sns))
}

// analyze asks Spark to analyse one query. A Spark error about the query is
// a failed verdict; any other error (transport, a lost session) is returned.
func analyze(ctx context.Context, client *connect.Client, stmt string) (verdict, error) {
	_, err := client.Schema(ctx, stmt)
	var se *connect.SparkError
	switch {
	case err == nil:
		return verdict{}, nil
	case !errors.As(err, &se) || strings.HasPrefix(se.ErrorClass, "INVALID_HANDLE"):
		// INVALID_HANDLE is about the session (the client starts a new one
		// on the next call), not about the query.
		return verdict{}, err
	}
	if se.ErrorClass == "UNBOUND_SQL_PARAMETER" {
		// A parameter marker (:name, ?) gets its value only when the
		// statement runs: not an error in the text.
		return verdict{}, nil
	}
	v := verdict{failed: true, class: se.ErrorClass, msg: sparkMessage(se)}
	ok := false
	if qc, has := se.Position(); has {
		v.start, v.end, ok = contextSpan(stmt, qc)
	}
	if !ok {
		v.start, v.end = firstLine(stmt)
	}
	return v, nil
}

// sparkMessage is the first line of a Spark error's message, without what
// the diagnostic shows elsewhere (the error class) or not at all: SQLSTATE,
// the position, generic hints on the next lines and the plan.
func sparkMessage(se *connect.SparkError) string {
	msg := strings.TrimSpace(se.Message)
	if i := strings.Index(msg, " SQLSTATE: "); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	// Spark 3.5 has no SQLSTATE to cut at: its position follows the text.
	msg = position35.ReplaceAllString(msg, "")
	msg = strings.TrimPrefix(msg, "["+se.ErrorClass+"]")
	msg = strings.Join(strings.Fields(msg), " ")
	if msg == "" {
		return se.Error()
	}
	return msg
}

// position35 is the position a Spark 3.5 message ends in: ".(line 1, pos
// 0)" for a parse error, ".; line 1 pos 7" for an analysis error.
var position35 = regexp.MustCompile(`(;? line \d+ pos \d+|\(line \d+, pos \d+\))$`)

// contextSpan is a Spark query context as a span of stmt, if it lies within
// it (connect already maps Spark's code point indices to bytes).
func contextSpan(stmt string, qc connect.QueryContext) (start, end int, ok bool) {
	if qc.Start < 0 || qc.Stop < qc.Start || qc.Stop > len(stmt) {
		return 0, 0, false
	}
	return qc.Start, qc.Stop, true
}

// firstLine is where an error without a position is shown: from the
// statement's first word (past leading comments) to the end of its line.
func firstLine(stmt string) (start, end int) {
	for t := range sqltext.Tokens(stmt) {
		if t.Kind != sqltext.Comment && t.Kind != sqltext.Hint {
			start = t.Start
			break
		}
	}
	end = len(stmt)
	if i := strings.IndexAny(stmt[start:], "\r\n"); i >= 0 {
		end = start + i
	}
	end = start + len(strings.TrimRight(stmt[start:end], " \t\f\v"))
	return start, end
}

// localProblems finds what is wrong in the text without Spark: unclosed
// strings, quoted identifiers and comments, and parentheses that do not
// pair up within a statement. broken[i] tells whether statement i has any.
//
// Each statement's tokens are read as a stream, never held: a large
// document (or one 20 MB INSERT) would take about twelve times its size in
// tokens. An unclosed token runs to the end of the text, so it is in the
// last statement or in the comments after it.
func localProblems(text string, stmts []sqltext.Statement) (problems []Problem, broken []bool) {
	broken = make([]bool, len(stmts))
	// unclosed reports an unterminated token of the text at base.
	unclosed := func(base int, tok sqltext.Token) {
		for _, p := range sqltext.Problems([]sqltext.Token{tok}) {
			// Underline the token without the line breaks it ran over.
			start := base + p.Start
			end := start + len(strings.TrimRight(text[start:base+p.End], " \t\n\r\f\v"))
			problems = append(problems, Problem{Start: start, End: max(end, start+1), Source: SourceLocal, Message: p.Message})
		}
	}
	for i, st := range stmts {
		var open []int // offsets of the unclosed '('
		for tok := range sqltext.Tokens(st.Text) {
			switch {
			case tok.Unterminated:
				unclosed(st.Start, tok)
				broken[i] = true
			case tok.Is("("):
				open = append(open, st.Start+tok.Start)
			case tok.Is(")") && len(open) > 0:
				open = open[:len(open)-1]
			case tok.Is(")"):
				problems = append(problems, Problem{Start: st.Start + tok.Start, End: st.Start + tok.End, Source: SourceLocal, Message: "unmatched ')'"})
				broken[i] = true
			}
		}
		for _, off := range open {
			problems = append(problems, Problem{Start: off, End: off + 1, Source: SourceLocal, Message: "unclosed '('"})
			broken[i] = true
		}
	}
	tail := 0
	if len(stmts) > 0 {
		tail = stmts[len(stmts)-1].End
	}
	for tok := range sqltext.Tokens(text[tail:]) {
		if tok.Unterminated {
			unclosed(tail, tok)
		}
	}
	return problems, broken
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
	cache  map[string]verdict
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
	client, _ := d.s.client()
	ck := checker{client: client, limit: maxAnalyzed}
	if client != nil {
		ck.namespace = sessionNamespace(client)
		d.mu.Lock()
		if dc.client == client {
			ck.cache = dc.cache
		}
		d.mu.Unlock()
	}
	start := time.Now()
	ck.opaque = doc.view.Opaque
	ck.lint = pythonLint(string(doc.URI), doc.LanguageID, doc.Text)
	res := ck.check(ctx, doc.SQL(), doc.Text)
	log := d.s.log.With("uri", string(doc.URI), "version", doc.Version)

	d.mu.Lock()
	defer d.mu.Unlock()
	if ctx.Err() != nil || dc.gen != gen || d.docs[doc.URI] != dc {
		// Superseded: keep what Spark answered so far for the next check.
		// Cache maps are never changed once stored: a check may be reading
		// this one.
		if client != nil && dc.client == client && len(res.verdicts) > 0 {
			merged := maps.Clone(dc.cache)
			maps.Copy(merged, res.verdicts)
			dc.cache = merged
		}
		return
	}
	dc.client, dc.cache = client, res.verdicts
	switch {
	case res.err != nil && connect.IsTransport(res.err):
		// Not the document's fault: the status notification says why.
		log.Info("diagnostics: Spark did not answer; showing the local problems only", "err", res.err)
	case res.err != nil:
		log.Warn("diagnostics: a statement could not be analysed", "err", res.err)
	}
	if res.skipped > 0 {
		log.Info("diagnostics: analysis limit reached; the other queries are checked after the next edits", "analyzed", res.analyzed, "skipped", res.skipped)
	}
	log.Debug("diagnostics", "problems", len(res.problems), "analyzed", res.analyzed, "took", time.Since(start))
	if d.s.state.Load() == stateShutdown {
		return
	}
	d.publish(doc, res.problems)
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
