package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/sqltext"
)

// definition answers textDocument/definition for names the statement itself
// defines: a CTE name goes to the CTE, an alias or a table used as a
// qualifier (o.id) to its FROM reference, a column of a CTE, subquery or
// lateral view to where that names it (see sqltext.Definition). Catalog
// tables and their columns are defined elsewhere: no location (null). A
// name that is itself a definition answers its own place, so that the
// editor shows it rather than "no definition found".
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
	sp, ok := sqltext.Definition(doc.SQL(), off)
	if !ok {
		return nil
	}
	return []protocol.Location{{URI: doc.URI, Range: doc.Range(sp.Start, sp.End)}}
}
