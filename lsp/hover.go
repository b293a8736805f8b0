package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
)

// Hover: the last run of a statement (hover_result.go) on its first line;
// elsewhere what package ide says of the name under the cursor.

// hover answers textDocument/hover.
func (s *Server) hover(ctx context.Context, snap *Snapshot, p *protocol.HoverParams) (*protocol.Hover, error) {
	if h, ok := s.resultHover(snap, p.TextDocument.URI, p.Position); ok {
		return h, nil
	}
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok {
		return nil, nil
	}
	off := doc.Offset(p.Position)
	if !doc.InSQL(off) {
		return nil, nil
	}
	md, span, ok := ide.HoverAt(ctx, s.catalog(), doc.SQL(), off, ide.HoverOptions{
		Params: s.knownParams(doc.URI), Analyzer: s.analyzer(), SessionVars: s.sessionVars(),
	})
	if !ok {
		return nil, nil
	}
	r := doc.Range(span.Start, span.End)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: md}, Range: &r}, nil
}
