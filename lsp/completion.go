package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"
)

// completion answers with the SQL keywords that start with the word before
// the cursor. It is a placeholder that exercises the whole path (document,
// position mapping, snapshot); the real completion (catalog names, aliases,
// CTE columns) replaces it and keeps this signature.
func (s *Server) completion(ctx context.Context, snap *Snapshot, p *protocol.CompletionParams) (*protocol.CompletionList, error) {
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	doc, ok := snap.Document(p.TextDocument.URI)
	if !ok {
		return list, nil
	}
	prefix := wordBefore(doc.Text, doc.Offset(p.Position))
	lower := prefix != "" && prefix == strings.ToLower(prefix)
	for _, kw := range keywords {
		if !hasPrefixFold(kw, prefix) {
			continue
		}
		item := protocol.CompletionItem{Label: kw, Kind: protocol.CompletionItemKindKeyword}
		if lower {
			item.InsertText = strings.ToLower(kw) // follow the user's case
		}
		list.Items = append(list.Items, item)
	}
	return list, nil
}

// wordBefore is the identifier characters just before off.
func wordBefore(text string, off int) string {
	i := off
	for i > 0 && isWordByte(text[i-1]) {
		i--
	}
	return text[i:off]
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// keywords are common Spark SQL keywords, enough for the placeholder.
var keywords = []string{
	"ADD", "ALL", "ALTER", "ANALYZE", "AND", "ANTI", "AS", "ASC", "BETWEEN", "BY",
	"CACHE", "CASE", "CAST", "CLUSTER", "COLUMN", "COLUMNS", "CREATE", "CROSS", "CUBE",
	"DATABASE", "DELETE", "DESC", "DESCRIBE", "DISTINCT", "DISTRIBUTE", "DROP",
	"ELSE", "END", "EXCEPT", "EXISTS", "EXPLAIN", "FALSE", "FILTER", "FIRST", "FOR",
	"FROM", "FULL", "FUNCTION", "GROUP", "GROUPING", "HAVING", "IF", "IN", "INNER",
	"INSERT", "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "LAST", "LATERAL", "LEFT",
	"LIKE", "LIMIT", "MERGE", "NATURAL", "NOT", "NULL", "NULLS", "OFFSET", "ON", "OR",
	"ORDER", "OUTER", "OVER", "OVERWRITE", "PARTITION", "PIVOT", "QUALIFY", "RANGE",
	"REPLACE", "RIGHT", "RLIKE", "ROLLUP", "ROW", "ROWS", "SCHEMA", "SELECT", "SEMI",
	"SET", "SHOW", "SORT", "TABLE", "TABLES", "TABLESAMPLE", "TEMPORARY", "THEN", "TRUE",
	"TRUNCATE", "UNION", "UNPIVOT", "UPDATE", "USE", "USING", "VALUES", "VIEW", "WHEN",
	"WHERE", "WINDOW", "WITH",
}
