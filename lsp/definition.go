package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
)

// definition answers textDocument/definition with ide.DefinitionAt: names
// the statement itself defines; a catalog table has no location (null).
func (s *Server) definition(ctx context.Context, snap *Snapshot, p *protocol.DefinitionParams) ([]protocol.Location, error) {
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok {
		return nil, nil
	}
	return definitionAt(doc, doc.Offset(p.Position)), nil
}

// definitionAt is the definition of the name at byte offset off of doc.
func definitionAt(doc *Document, off int) []protocol.Location {
	if !doc.InSQL(off) {
		return nil
	}
	sp, ok := ide.DefinitionAt(doc.SQL(), off)
	if !ok {
		return nil
	}
	return []protocol.Location{{URI: doc.URI, Range: doc.Range(sp.Start, sp.End)}}
}
