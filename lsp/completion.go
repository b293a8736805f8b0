package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/sqltext"
)

// Completion and completionItem/resolve: package ide works out the items;
// this turns them into protocol items.

// completion answers textDocument/completion from the document and the
// schema cache; it waits for the catalog at most the cache's budget.
func (s *Server) completion(ctx context.Context, snap *Snapshot, p *protocol.CompletionParams) (*protocol.CompletionList, error) {
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok {
		return list, nil
	}
	off := doc.Offset(p.Position)
	if !doc.InSQL(off) {
		return list, nil // Python or another cell: not ours
	}
	cache, online := s.liveCatalog()
	res := ide.Complete(ctx, cache, doc.SQL(), off, ide.CompleteOptions{
		Snippets: s.snippetSupport(), Online: online, Touches: &s.schema.touches,
	})
	// While connecting, the catalog is yet to come: ask again.
	if s.connecting() {
		res.Incomplete, res.Loading = true, true
	}
	list = completionList(doc, off, res)
	if res.Loading && len(list.Items) == 0 {
		list.Items = append(list.Items, loadingItem(doc, off, res.Word))
	}
	return list, nil
}

// connecting tells whether a connection to Spark is on its way: the first
// attempt is about to start or one is being made.
func (s *Server) connecting() bool {
	if s.schema.offline || !s.spark.started.Load() {
		return false
	}
	c := s.spark.cur.Load()
	return c == nil || c.status.State == StateConnecting
}

// loadingItem stands in an empty list while the catalog loads, so that the
// editor shows why there is nothing yet (and, being incomplete, asks again
// as the user types). It matches whatever was typed and inserts nothing.
func loadingItem(doc *Document, off int, word sqltext.Span) protocol.CompletionItem {
	typed := doc.SQL()[word.Start:min(off, word.End)]
	end := word.End
	if strings.ContainsAny(doc.SQL()[word.Start:end], "\r\n") {
		end = off
	}
	return protocol.CompletionItem{
		Label:      LoadingLabel,
		Kind:       protocol.CompletionItemKindText,
		Detail:     "sparkls is loading names from Spark; completion asks again",
		FilterText: typed,
		SortText:   "~",
		TextEdit:   &protocol.TextEdit{Range: doc.Range(word.Start, end), NewText: doc.SQL()[word.Start:end]},
	}
}

// LoadingLabel is the label of the item that says the catalog is loading.
const LoadingLabel = "Loading the Spark catalog…"

func (s *Server) snippetSupport() bool {
	td := s.clientCaps.TextDocument
	return td != nil && td.Completion != nil && td.Completion.CompletionItem != nil && td.Completion.CompletionItem.SnippetSupport
}

// completionList is the wire form of res for a cursor at off of doc.
func completionList(doc *Document, off int, res ide.Completion) *protocol.CompletionList {
	list := &protocol.CompletionList{IsIncomplete: res.Incomplete, Items: make([]protocol.CompletionItem, len(res.Items))}
	start, end := res.Word.Start, res.Word.End
	if strings.ContainsAny(doc.SQL()[start:end], "\r\n") {
		end = off // an unclosed quoted name runs on: replace up to the cursor
	}
	rng := doc.Range(start, end)
	for i, c := range res.Items {
		it := protocol.CompletionItem{
			Label:    c.Label,
			Kind:     itemKinds[c.Kind],
			Detail:   c.Detail,
			SortText: fmt.Sprintf("%04d", i),
			TextEdit: &protocol.TextEdit{Range: rng, NewText: c.Insert},
		}
		if c.Filter != "" && c.Filter != c.Label {
			it.FilterText = c.Filter
		}
		if c.Snippet {
			it.InsertTextFormat = protocol.InsertTextFormatSnippet
		}
		if c.Keyword && c.Insert != c.Label {
			it.InsertText = c.Insert // for clients that ignore textEdit
		}
		if c.Doc != "" {
			it.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: c.Doc}
		}
		if c.Data != nil {
			it.Data = c.Data
		}
		list.Items[i] = it
	}
	return list
}

// resolveParams is a completion item with its data kept raw.
type resolveParams struct {
	protocol.CompletionItem
	Data json.RawMessage `json:"data,omitempty"`
}

// completionItemResolve documents an item from the key in its data: a
// column's comment, a table's columns, a function's usage. It waits for the
// catalog at most the cache's budget.
func (s *Server) completionItemResolve(ctx context.Context, _ *Snapshot, p *resolveParams) (*protocol.CompletionItem, error) {
	item := p.CompletionItem
	if len(p.Data) == 0 {
		return &item, nil
	}
	item.Data = p.Data
	var d ide.ItemData
	if err := json.Unmarshal(p.Data, &d); err != nil {
		return &item, nil
	}
	if md := ide.ResolveDoc(ctx, s.catalog(), d); md != "" {
		item.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: md}
	}
	return &item, nil
}

// itemKinds are the protocol's kinds of ide's items.
var itemKinds = [...]protocol.CompletionItemKind{
	ide.KindKeyword:   protocol.CompletionItemKindKeyword,
	ide.KindModule:    protocol.CompletionItemKindModule,
	ide.KindReference: protocol.CompletionItemKindReference,
	ide.KindStruct:    protocol.CompletionItemKindStruct,
	ide.KindClass:     protocol.CompletionItemKindClass,
	ide.KindFunction:  protocol.CompletionItemKindFunction,
	ide.KindVariable:  protocol.CompletionItemKindVariable,
	ide.KindField:     protocol.CompletionItemKindField,
}
