package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
)

// Code actions: "Expand * into columns" on the * (or t.*) of a SELECT
// list, from the text and the catalog cache (ide.ExpandStar).

// titleExpandStar is the action's title.
const titleExpandStar = "Expand * into columns"

// codeAction answers textDocument/codeAction.
func (s *Server) codeAction(ctx context.Context, snap *Snapshot, p *protocol.CodeActionParams) ([]protocol.CodeAction, error) {
	actions := []protocol.CodeAction{}
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok {
		return actions, nil
	}
	off := doc.Offset(p.Range.Start)
	if !doc.InSQL(off) {
		return actions, nil
	}
	span, cols, ok := ide.ExpandStar(ctx, s.catalog(), doc.SQL(), off)
	if !ok {
		return actions, nil
	}
	edit := protocol.TextEdit{Range: doc.Range(span.Start, span.End), NewText: cols}
	return append(actions, protocol.CodeAction{
		Title: titleExpandStar,
		Kind:  protocol.RefactorRewrite,
		Edit:  &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{doc.URI: {edit}}},
	}), nil
}
