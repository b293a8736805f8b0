package lsp

import (
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/internal/fixture"
)

// TestHover runs one scenario per testdata/hover/*.txt file, in the form
// of the completion fixtures (see TestCompletion): input.sql with the
// cursor as $0 (the character after it is the one hovered), options
// (offline, cold, disk) and want, the hover's range and Markdown.
func TestHover(t *testing.T) {
	fixture.Run(t, "testdata/hover", checkHover)
}

// checkHover is the only code that asks for hovers: it renders the hover
// at the fixture's cursor.
func checkHover(t *testing.T, path string) {
	fx := readCatalogFixture(t, path)
	c, doc := fx.start(t)
	var h *protocol.Hover
	c.callOK(protocol.MethodTextDocumentHover, map[string]any{
		"textDocument": map[string]any{"uri": doc.URI}, "position": doc.Position(fx.off),
	}, &h)
	var b strings.Builder
	switch {
	case h == nil:
		b.WriteString("no hover\n")
	default:
		if h.Range != nil {
			s, e := doc.Span(*h.Range)
			fmt.Fprintf(&b, "range %d:%d-%d:%d %q\n", h.Range.Start.Line, h.Range.Start.Character, h.Range.End.Line, h.Range.End.Character, doc.Text[s:e])
		}
		if h.Contents.Kind != protocol.Markdown {
			t.Errorf("hover kind %q", h.Contents.Kind)
		}
		b.WriteString(indentMarkdown(h.Contents.Value))
	}
	fx.ar.Want(t, b.String())
}
