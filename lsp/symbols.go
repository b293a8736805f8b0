package lsp

import (
	"context"
	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
)

// documentSymbol answers textDocument/documentSymbol with the outline of a
// SQL file (ide.Symbols): cells, statements and their CTEs. A
// client without hierarchical symbols gets the same, flattened, with each
// symbol's container named.
func (s *Server) documentSymbol(ctx context.Context, snap *Snapshot, p *protocol.DocumentSymbolParams) (any, error) {
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok || !doc.SQLFile() {
		return []protocol.DocumentSymbol{}, nil // Python's and Scala's own tools outline and fold those
	}
	syms := documentSymbols(doc)
	if td := s.clientCaps.TextDocument; td == nil || td.DocumentSymbol == nil || !td.DocumentSymbol.HierarchicalDocumentSymbolSupport {
		return flattenSymbols(doc.URI, syms, "", []protocol.SymbolInformation{}), nil
	}
	return syms, nil
}

// Symbol kinds. LSP has none for SQL; these pick icons that read well:
// a cell is a namespace of statements, a query a function (it returns
// something), DML an event (it happens to the data), DDL a struct (it
// shapes the catalog), a session statement a property (SET key=value), a
// CTE a variable (a name for a result within the statement).
var symbolKinds = map[ide.SymbolKind]protocol.SymbolKind{
	ide.SymbolCell:     protocol.SymbolKindNamespace,
	ide.SymbolQuery:    protocol.SymbolKindFunction,
	ide.SymbolDML:      protocol.SymbolKindEvent,
	ide.SymbolDDL:      protocol.SymbolKindStruct,
	ide.SymbolSession:  protocol.SymbolKindProperty,
	ide.SymbolDescribe: protocol.SymbolKindObject,
	ide.SymbolOther:    protocol.SymbolKindObject,
	ide.SymbolCTE:      protocol.SymbolKindVariable,
}

// documentSymbols is the outline of doc as protocol symbols.
func documentSymbols(doc *Document) []protocol.DocumentSymbol {
	return protocolSymbols(doc, ide.Symbols(doc.SQL()))
}

func protocolSymbols(doc *Document, syms []ide.Symbol) []protocol.DocumentSymbol {
	out := make([]protocol.DocumentSymbol, len(syms))
	for i, s := range syms {
		out[i] = protocol.DocumentSymbol{
			Name:           s.Name,
			Detail:         s.Detail,
			Kind:           symbolKinds[s.Kind],
			Range:          doc.Range(s.Span.Start, s.Span.End),
			SelectionRange: doc.Range(s.Selection.Start, s.Selection.End),
		}
		if len(s.Children) > 0 {
			out[i].Children = protocolSymbols(doc, s.Children)
		}
	}
	return out
}

// flattenSymbols lists symbols and their children depth first, as
// SymbolInformation for clients without hierarchical symbols.
func flattenSymbols(uri protocol.DocumentURI, syms []protocol.DocumentSymbol, container string, out []protocol.SymbolInformation) []protocol.SymbolInformation {
	for _, s := range syms {
		out = append(out, protocol.SymbolInformation{
			Name: s.Name, Kind: s.Kind, ContainerName: container,
			Location: protocol.Location{URI: uri, Range: s.Range},
		})
		out = flattenSymbols(uri, s.Children, s.Name, out)
	}
	return out
}
