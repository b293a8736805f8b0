package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
)

// signatureHelp answers textDocument/signatureHelp: the signatures of the
// built-in function whose argument list holds the cursor, from the
// committed list (package ide) of the catalog cache's Spark version, with
// the argument being typed highlighted.
// It needs no Spark connection. A function the list does not know (a
// user's function, a misspelling) gets no help: null.
func (s *Server) signatureHelp(ctx context.Context, snap *Snapshot, p *protocol.SignatureHelpParams) (*ide.SignatureHelp, error) {
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok {
		return nil, nil
	}
	off := doc.Offset(p.Position)
	if !doc.InSQL(off) {
		return nil, nil
	}
	prefer := -1
	if c := p.Context; c != nil && c.IsRetrigger && c.ActiveSignatureHelp != nil {
		prefer = int(c.ActiveSignatureHelp.ActiveSignature) // the signature the user chose
	}
	return ide.SignatureHelpAt(doc.SQL(), off, s.signatureStyle(), prefer, s.sparkVersionSeen()), nil
}

// signatureStyle is what the client can show.
func (s *Server) signatureStyle() ide.SignatureStyle {
	var st ide.SignatureStyle
	if td := s.clientCaps.TextDocument; td != nil && td.SignatureHelp != nil && td.SignatureHelp.SignatureInformation != nil {
		si := td.SignatureHelp.SignatureInformation
		st.LabelOffsets = si.ParameterInformation != nil && si.ParameterInformation.LabelOffsetSupport
		for _, k := range si.DocumentationFormat {
			if k == protocol.Markdown {
				st.Markdown = true
			}
		}
	}
	return st
}
