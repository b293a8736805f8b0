package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
)

// foldingRange answers textDocument/foldingRange with ide.Folds: cells,
// statements, comments and parenthesized groups that span lines. Ranges
// are whole lines, which every client can fold.
func (s *Server) foldingRange(ctx context.Context, snap *Snapshot, p *protocol.FoldingRangeParams) ([]protocol.FoldingRange, error) {
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok || !doc.SQLFile() {
		return []protocol.FoldingRange{}, nil // Python's and Scala's own tools outline and fold those
	}
	return foldingRanges(doc), nil
}

// foldingRanges are the folds of doc as protocol ranges, by the document's
// line index.
func foldingRanges(doc *Document) []protocol.FoldingRange {
	folds := ide.Folds(doc.SQL(), doc.lines.line)
	out := make([]protocol.FoldingRange, len(folds))
	for i, f := range folds {
		out[i] = protocol.FoldingRange{StartLine: uint32(f.StartLine), EndLine: uint32(f.EndLine), Kind: protocol.FoldingRangeKind(f.Kind)}
	}
	return out
}
