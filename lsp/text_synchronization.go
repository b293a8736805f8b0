package lsp

import (
	"context"

	"go.lsp.dev/protocol"
)

// The document notifications run in order on the reading goroutine: a
// request that arrives after a didChange sees the changed text.

func (s *Server) didOpen(ctx context.Context, p *protocol.DidOpenTextDocumentParams) error {
	td := p.TextDocument
	s.docs.open(newDocument(td.URI, string(td.LanguageID), td.Version, td.Text))
	return nil
}

// didChangeParams: see textChange for why not protocol's type.
type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []textChange                             `json:"contentChanges"`
}

func (s *Server) didChange(ctx context.Context, p *didChangeParams) error {
	_, err := s.docs.change(p.TextDocument.URI, p.TextDocument.Version, p.ContentChanges)
	return err
}

func (s *Server) didClose(ctx context.Context, p *protocol.DidCloseTextDocumentParams) error {
	s.docs.close(p.TextDocument.URI)
	return nil
}

// didSave changes nothing: the text arrived with didChange (the server asks
// for no text on save). Features that act on save hook in here.
func (s *Server) didSave(ctx context.Context, p *protocol.DidSaveTextDocumentParams) error {
	return nil
}
