package lsp

import (
	"fmt"
	"maps"
	"sync"
	"sync/atomic"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/embed"
)

// Document is one version of an open document. It is immutable: an edit
// makes a new Document, so a handler can read the one it was given for as
// long as it likes while edits go on.
type Document struct {
	URI        protocol.DocumentURI
	LanguageID string
	Version    int32
	Text       string
	lines      lineIndex // computed once per version
	view       embed.View
}

func newDocument(uri protocol.DocumentURI, languageID string, version int32, text string) *Document {
	return &Document{URI: uri, LanguageID: languageID, Version: version, Text: text, lines: newLineIndex(text),
		view: embed.Of(string(uri), languageID, text)}
}

// SQL is the document's SQL as package embed sees it: Text itself for a
// SQL file; for a notebook or Python, a text as long as Text with all but
// the SQL blanked. Offsets in it are offsets in Text, so every feature
// reads SQL() and answers at the document's positions.
func (d *Document) SQL() string { return d.view.Text }

// InSQL tells whether a cursor at off is in the SQL (always, in a SQL
// file): completion, hover and the like answer nothing elsewhere, so that
// a Python file keeps its own tooling.
func (d *Document) InSQL(off int) bool { return d.view.In(off) }

// Kind is what the document is: SQL, a notebook, Python or none.
func (d *Document) Kind() embed.Kind { return d.view.Kind }

// SQLFile tells whether the whole document is SQL (a .sql file or .sql
// notebook): only there do outline and folding speak, not over Python or
// Scala.
func (d *Document) SQLFile() bool { return d.view.Kind == embed.SQL }

// Offset converts an LSP position to a byte offset in Text (clamped to the
// line and the text; see position.go).
func (d *Document) Offset(p protocol.Position) int { return d.lines.offset(d.Text, p) }

// Position converts a byte offset in Text to an LSP position.
func (d *Document) Position(off int) protocol.Position { return d.lines.position(d.Text, off) }

// Span converts an LSP range to a byte span [start, end) of Text.
func (d *Document) Span(r protocol.Range) (start, end int) { return d.lines.span(d.Text, r) }

// Range converts a byte span of Text to an LSP range.
func (d *Document) Range(start, end int) protocol.Range { return d.lines.rangeOf(d.Text, start, end) }

// LineCount is the number of lines (a text ending in a line break has an
// empty last line).
func (d *Document) LineCount() int { return len(d.lines) }

// textChange is one entry of didChange's contentChanges. protocol v0.12.0's
// TextDocumentContentChangeEvent has a non-pointer Range, which cannot tell
// a full replacement from an insertion at 0:0; this can.
type textChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

// apply returns the document after changes, applied in order: each range is
// in the text that the previous changes left (UTF-16 positions). The line
// index is updated, not rebuilt, so that typing in a large document costs
// a copy of the text and of the index, not a scan of the text.
func (d *Document) apply(version int32, changes []textChange) *Document {
	text, lines := d.Text, d.lines
	for _, ch := range changes {
		if ch.Range == nil {
			text, lines = ch.Text, newLineIndex(ch.Text)
			continue
		}
		start, end := lines.span(text, *ch.Range)
		lines = lines.edit(text, start, end, ch.Text)
		text = text[:start] + ch.Text + text[end:]
	}
	return &Document{URI: d.URI, LanguageID: d.LanguageID, Version: version, Text: text, lines: lines,
		view: embed.Of(string(d.URI), d.LanguageID, text)}
}

// docMap is an immutable map of the open documents: writers copy it.
type docMap = map[protocol.DocumentURI]*Document

// documents is the store of open documents. Readers take the current map
// without locking (an atomic load); writers, which are the in-order
// notification handlers, copy the map, change the copy and swap it in.
type documents struct {
	mu sync.Mutex // serializes writers
	m  atomic.Pointer[docMap]
}

// load returns the current immutable map (never nil). Do not modify it.
func (ds *documents) load() docMap {
	if m := ds.m.Load(); m != nil {
		return *m
	}
	return nil
}

// update swaps in a copy of the map changed by fn.
func (ds *documents) update(fn func(m docMap) error) error {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	next := maps.Clone(ds.load())
	if next == nil {
		next = docMap{}
	}
	if err := fn(next); err != nil {
		return err
	}
	ds.m.Store(&next)
	return nil
}

func (ds *documents) open(d *Document) {
	_ = ds.update(func(m docMap) error { m[d.URI] = d; return nil })
}

func (ds *documents) change(uri protocol.DocumentURI, version int32, changes []textChange) (*Document, error) {
	var doc *Document
	err := ds.update(func(m docMap) error {
		old, ok := m[uri]
		if !ok {
			return fmt.Errorf("didChange for %s, which is not open", uri)
		}
		doc = old.apply(version, changes)
		m[uri] = doc
		return nil
	})
	return doc, err
}

func (ds *documents) close(uri protocol.DocumentURI) {
	_ = ds.update(func(m docMap) error { delete(m, uri); return nil })
}
