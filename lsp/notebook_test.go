package lsp

import (
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// A Jupyter notebook through notebookDocument/*: the server advertises
// notebook sync; a %%sql cell completes from the catalog and gets its
// diagnostics under its own URI; a Python cell completes only inside
// spark.sql; cells added, edited and closed follow.
func TestNotebookDocument(t *testing.T) {
	cache := demoCache(t, demoSource(), "warm")
	c := startServer(t, testOptions{setup: func(s *Server) { s.schema.pinned = cache }})
	var res struct {
		Capabilities struct {
			NotebookDocumentSync struct {
				NotebookSelector []struct {
					Notebook struct{ NotebookType string } `json:"notebook"`
				} `json:"notebookSelector"`
			} `json:"notebookDocumentSync"`
		} `json:"capabilities"`
	}
	c.callOK(protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}}, &res)
	if sel := res.Capabilities.NotebookDocumentSync.NotebookSelector; len(sel) != 1 || sel[0].Notebook.NotebookType != "jupyter-notebook" {
		t.Fatalf("notebookDocumentSync: %+v", res.Capabilities.NotebookDocumentSync)
	}
	c.notify(protocol.MethodInitialized, map[string]any{})

	const nb = "file:///work/nb.ipynb"
	sqlCell := "vscode-notebook-cell:/work/nb.ipynb#W0"
	pyCell := "vscode-notebook-cell:/work/nb.ipynb#W1"
	mdCell := "vscode-notebook-cell:/work/nb.ipynb#W2"
	cell := func(uri, lang, text string) map[string]any {
		return map[string]any{"uri": uri, "languageId": lang, "version": 1, "text": text}
	}
	c.notify("notebookDocument/didOpen", map[string]any{
		"notebookDocument": map[string]any{"uri": nb, "notebookType": "jupyter-notebook", "version": 1, "cells": []any{
			map[string]any{"kind": 2, "document": sqlCell}, map[string]any{"kind": 2, "document": pyCell}, map[string]any{"kind": 1, "document": mdCell},
		}},
		"cellTextDocuments": []any{
			cell(sqlCell, "python", "%%sql\nSELECT * FROM sales.\n"),
			cell(pyCell, "python", "df = spark.sql(\"SELECT * FROM sales.\")\nx = df."),
			cell(mdCell, "markdown", "SELECT (\n"),
		},
	})
	complete := func(uri string, line, char int) []string {
		var list protocol.CompletionList
		c.callOK(protocol.MethodTextDocumentCompletion, map[string]any{
			"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char},
		}, &list)
		return labels(list)
	}
	if got := complete(sqlCell, 1, len("SELECT * FROM sales.")); !strings.Contains(strings.Join(got, " "), "orders") {
		t.Errorf("%%%%sql cell: %v", got)
	}
	if got := complete(pyCell, 0, len(`df = spark.sql("SELECT * FROM sales.`)); !strings.Contains(strings.Join(got, " "), "orders") {
		t.Errorf("spark.sql in a Python cell: %v", got)
	}
	if got := complete(pyCell, 1, len("x = df.")); len(got) != 0 {
		t.Errorf("Python code in a cell: %v", got)
	}
	if got := complete(mdCell, 0, 3); len(got) != 0 {
		t.Errorf("markdown cell: %v", got)
	}

	// An edit of the %%sql cell, then a new cell with a syntax problem.
	c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": map[string]any{"uri": nb, "version": 2},
		"change": map[string]any{"cells": map[string]any{"textContent": []any{map[string]any{
			"document": map[string]any{"uri": sqlCell, "version": 2},
			"changes":  []any{map[string]any{"range": protocol.Range{Start: protocol.Position{Line: 1, Character: 20}, End: protocol.Position{Line: 1, Character: 20}}, "text": "orders o WHERE o."}},
		}}}},
	})
	if got := complete(sqlCell, 1, len("SELECT * FROM sales.orders o WHERE o.")); !strings.Contains(strings.Join(got, " "), "order_id") {
		t.Errorf("edited %%%%sql cell: %v", got)
	}
	newCell := "vscode-notebook-cell:/work/nb.ipynb#W3"
	c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": map[string]any{"uri": nb, "version": 3},
		"change": map[string]any{"cells": map[string]any{"structure": map[string]any{
			"array":   map[string]any{"start": 3, "deleteCount": 0, "cells": []any{map[string]any{"kind": 2, "document": newCell}}},
			"didOpen": []any{cell(newCell, "python", "%%sql\nSELECT (1\n")},
		}}},
	})
	_, got := c.waitPublished(0, protocol.DocumentURI(newCell), 1)
	b, _ := json.Marshal(got[len(got)-1].Diagnostics)
	if !strings.Contains(string(b), `"line":1,"character":7`) || !strings.Contains(string(b), "unclosed '('") {
		t.Errorf("new cell's diagnostics: %s", b)
	}

	c.notify("notebookDocument/didClose", map[string]any{
		"notebookDocument":  map[string]any{"uri": nb},
		"cellTextDocuments": []any{map[string]any{"uri": sqlCell}, map[string]any{"uri": pyCell}, map[string]any{"uri": mdCell}, map[string]any{"uri": newCell}},
	})
	c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(p json.RawMessage) bool {
		return strings.Contains(string(p), newCell) && strings.Contains(string(p), `"diagnostics":[]`)
	})
	if n := len(c.srv.docs.load()); n != 0 {
		t.Errorf("%d documents still open", n)
	}
}
