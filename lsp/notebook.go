package lsp

import (
	"context"
	"fmt"

	"go.lsp.dev/protocol"
)

// Notebook documents (LSP 3.17 notebookDocument/*), for Jupyter .ipynb:
// each code cell is a text document of its own, under its own URI, opened,
// changed and closed through the notebook's notifications. sparkls keeps
// every cell as a Document and serves it like any other: a cell whose
// first line is %%sql is SQL (package embed), a Python cell has its
// spark.sql strings. Requests (completion, hover, run) name the cell's URI;
// diagnostics are published per cell. go.lsp.dev/protocol v0.12.0 predates
// notebooks: the types are here.

// notebookSync is the server's notebookDocumentSync capability: Jupyter
// notebooks, their Python and SQL cells.
var notebookSync = map[string]any{
	"notebookSelector": []any{map[string]any{
		"notebook": map[string]any{"notebookType": "jupyter-notebook"},
		"cells":    []any{map[string]any{"language": "python"}, map[string]any{"language": "sql"}, map[string]any{"language": "sparksql"}},
	}},
}

// cellKindCode is NotebookCellKind.Code (Markup is 1).
const cellKindCode = 2

type notebookCell struct {
	Kind     int                  `json:"kind"`
	Document protocol.DocumentURI `json:"document"`
}

type didOpenNotebookParams struct {
	NotebookDocument struct {
		URI   protocol.DocumentURI `json:"uri"`
		Cells []notebookCell       `json:"cells"`
	} `json:"notebookDocument"`
	CellTextDocuments []protocol.TextDocumentItem `json:"cellTextDocuments"`
}

type didChangeNotebookParams struct {
	NotebookDocument struct {
		URI protocol.DocumentURI `json:"uri"`
	} `json:"notebookDocument"`
	Change struct {
		Cells *struct {
			Structure *struct {
				Array struct {
					Cells []notebookCell `json:"cells"`
				} `json:"array"`
				DidOpen  []protocol.TextDocumentItem       `json:"didOpen"`
				DidClose []protocol.TextDocumentIdentifier `json:"didClose"`
			} `json:"structure"`
			TextContent []struct {
				Document protocol.VersionedTextDocumentIdentifier `json:"document"`
				Changes  []textChange                             `json:"changes"`
			} `json:"textContent"`
		} `json:"cells"`
	} `json:"change"`
}

type didCloseNotebookParams struct {
	CellTextDocuments []protocol.TextDocumentIdentifier `json:"cellTextDocuments"`
}

// openCells opens the code cells among docs (markup cells are not ours).
func (s *Server) openCells(docs []protocol.TextDocumentItem, kinds map[protocol.DocumentURI]int) {
	for _, td := range docs {
		if k, ok := kinds[td.URI]; ok && k != cellKindCode {
			continue
		}
		s.docs.open(newDocument(td.URI, string(td.LanguageID), td.Version, td.Text))
		s.diags.changed(td.URI)
	}
}

func cellKinds(cells []notebookCell) map[protocol.DocumentURI]int {
	m := make(map[protocol.DocumentURI]int, len(cells))
	for _, c := range cells {
		m[c.Document] = c.Kind
	}
	return m
}

func (s *Server) notebookDidOpen(ctx context.Context, p *didOpenNotebookParams) error {
	s.openCells(p.CellTextDocuments, cellKinds(p.NotebookDocument.Cells))
	return nil
}

func (s *Server) notebookDidChange(ctx context.Context, p *didChangeNotebookParams) error {
	cells := p.Change.Cells
	if cells == nil {
		return nil // metadata only
	}
	if st := cells.Structure; st != nil {
		for _, td := range st.DidClose {
			s.closeCell(td.URI)
		}
		s.openCells(st.DidOpen, cellKinds(st.Array.Cells))
	}
	var err error
	for _, tc := range cells.TextContent {
		if _, ok := s.docs.load()[tc.Document.URI]; !ok {
			continue // a markup cell
		}
		if _, e := s.docs.change(tc.Document.URI, tc.Document.Version, tc.Changes); e != nil && err == nil {
			err = fmt.Errorf("notebook cell: %w", e)
		}
		s.diags.changed(tc.Document.URI)
	}
	return err
}

func (s *Server) notebookDidClose(ctx context.Context, p *didCloseNotebookParams) error {
	for _, td := range p.CellTextDocuments {
		s.closeCell(td.URI)
	}
	return nil
}

func (s *Server) closeCell(uri protocol.DocumentURI) {
	if _, ok := s.docs.load()[uri]; !ok {
		return
	}
	s.docs.close(uri)
	s.diags.closed(uri)
}

// notebookDidSave changes nothing: the text came with didChange.
func (s *Server) notebookDidSave(ctx context.Context, p *struct{}) error { return nil }
