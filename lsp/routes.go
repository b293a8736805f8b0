package lsp

import (
	"go.lsp.dev/protocol"
)

// routeTable is every method the server handles: the one place a feature
// plugs in. A feature file (hover.go, ...) defines its handler as a Server
// method named after the LSP method, with the signature
//
//	func (s *Server) hover(ctx context.Context, snap *Snapshot, p *protocol.HoverParams) (*protocol.Hover, error)
//
// adds one line here, and fills in its capability in capabilities below.
// The handler reads the document with snap.Document(uri), the settings with
// snap.Settings and the Spark client with s.client(); none of these block.
func (s *Server) routeTable() map[string]route {
	diags := newDiagnostics(s) // diagnostics.go: checks documents after open and change
	s.diags = diags
	routes := map[string]route{
		// lifecycle.go
		protocol.MethodInitialize:  inline(request(s.initialize)),
		protocol.MethodInitialized: notification(s.initialized),
		protocol.MethodShutdown:    inline(request(s.shutdown)),

		// text_synchronization.go
		protocol.MethodTextDocumentDidOpen:   notification(diags.afterOpen(s.didOpen)),
		protocol.MethodTextDocumentDidChange: notification(diags.afterChange(s.didChange)),
		protocol.MethodTextDocumentDidClose:  notification(diags.afterClose(s.didClose)),
		protocol.MethodTextDocumentDidSave:   notification(s.didSave),

		// notebook.go: Jupyter notebooks, one document per cell
		"notebookDocument/didOpen":   notification(s.notebookDidOpen),
		"notebookDocument/didChange": notification(s.notebookDidChange),
		"notebookDocument/didSave":   notification(s.notebookDidSave),
		"notebookDocument/didClose":  notification(s.notebookDidClose),

		// workspace.go
		protocol.MethodWorkspaceDidChangeConfiguration: notification(s.didChangeConfiguration),

		// signature_help.go, definition.go, symbols.go, folding.go: from the text alone
		protocol.MethodTextDocumentSignatureHelp:  request(s.signatureHelp),
		protocol.MethodTextDocumentDefinition:     request(s.definition),
		protocol.MethodTextDocumentDocumentSymbol: request(s.documentSymbol),
		protocol.MethodTextDocumentFoldingRange:   request(s.foldingRange),

		// completion.go, hover.go: package ide, from the text and the schema cache (schema.go)
		protocol.MethodTextDocumentCompletion: request(s.completion),
		protocol.MethodCompletionItemResolve:  request(s.completionItemResolve),
		protocol.MethodTextDocumentHover:      request(s.hover), // the last run's preview first (hover_result.go)

		// command.go, run.go, code_lens.go: sparkls.run and the other commands
		protocol.MethodWorkspaceExecuteCommand: request(s.executeCommand),
		protocol.MethodWorkDoneProgressCancel:  notification(s.workDoneProgressCancel),
		protocol.MethodTextDocumentCodeLens:    request(s.codeLens),
	}
	// command.go: the custom requests (sparkls/resultPage in result_page.go)
	for _, r := range requestTable {
		routes[r.Name] = r.route(s)
	}
	return routes
}

// serverCapabilities adds what protocol v0.12.0 lacks.
type serverCapabilities struct {
	protocol.ServerCapabilities
	NotebookDocumentSync any `json:"notebookDocumentSync,omitempty"`
}

// initializeResult is protocol.InitializeResult with serverCapabilities.
type initializeResult struct {
	Capabilities serverCapabilities   `json:"capabilities"`
	ServerInfo   *protocol.ServerInfo `json:"serverInfo,omitempty"`
}

// capabilities is what the server advertises in its initialize result.
func (s *Server) capabilities() serverCapabilities {
	return serverCapabilities{ServerCapabilities: s.textCapabilities(), NotebookDocumentSync: notebookSync}
}

func (s *Server) textCapabilities() protocol.ServerCapabilities {
	return protocol.ServerCapabilities{
		TextDocumentSync: &protocol.TextDocumentSyncOptions{
			OpenClose: true,
			Change:    protocol.TextDocumentSyncKindIncremental,
			Save:      &protocol.SaveOptions{IncludeText: false},
		},
		CompletionProvider:     &protocol.CompletionOptions{TriggerCharacters: []string{"."}, ResolveProvider: true},
		ExecuteCommandProvider: &protocol.ExecuteCommandOptions{Commands: Commands},
		CodeLensProvider:       &protocol.CodeLensOptions{},
		SignatureHelpProvider:  &protocol.SignatureHelpOptions{TriggerCharacters: []string{"(", ","}},
		DefinitionProvider:     true,
		DocumentSymbolProvider: true,
		FoldingRangeProvider:   true,
		HoverProvider:          true,
	}
}
