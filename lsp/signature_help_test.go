package lsp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/internal/fixture"
)

// Fixtures of the text features (signature help, definition, symbols,
// folding) share one form, txtar as in testdata/run: a comment saying what
// the scenario is about, an input.sql section with the cursor written as
// $0 where the feature needs one, and a want section holding the readable
// answer, which go test ./lsp -update rewrites (package fixture). Each feature has one check
// helper, the only test code that calls its API.

// readTextFixture reads a fixture: the document of its input.sql and the
// cursor's byte offset (-1 without $0).
func readTextFixture(t *testing.T, path string) (*fixture.Archive, *Document, int) {
	t.Helper()
	ar, input, off := fixture.Input(t, path)
	return ar, newDocument("file:///work/fixture.sql", "sql", 1, input), off
}

// showPos and showRange write positions as line:character.
func showPos(p protocol.Position) string { return fmt.Sprintf("%d:%d", p.Line, p.Character) }

func showRange(r protocol.Range) string { return showPos(r.Start) + "-" + showPos(r.End) }

// TestSignatureHelpFixtures runs testdata/signature: the signatures at $0,
// the active one marked "*" and its active parameter in «».
func TestSignatureHelpFixtures(t *testing.T) {
	fixture.Run(t, "testdata/signature", checkSignatureHelp)
}

// checkSignatureHelp is the only code that calls ide.SignatureHelpAt. It asks
// with label offsets and with string labels and checks that both mark the
// same parameters.
func checkSignatureHelp(t *testing.T, path string) {
	ar, doc, off := readTextFixture(t, path)
	if off < 0 {
		t.Fatalf("%s: no $0", path)
	}
	res := ide.SignatureHelpAt(doc.Text, off, ide.SignatureStyle{LabelOffsets: true, Markdown: true}, -1, "")
	plain := ide.SignatureHelpAt(doc.Text, off, ide.SignatureStyle{}, -1, "")
	var b strings.Builder
	if res == nil {
		b.WriteString("no signature help\n")
		if plain != nil {
			t.Errorf("string labels gave help: %+v", plain)
		}
		ar.Want(t, b.String())
		return
	}
	if len(plain.Signatures) != len(res.Signatures) || plain.ActiveSignature != res.ActiveSignature || plain.ActiveParameter != res.ActiveParameter {
		t.Errorf("string labels differ: %+v vs %+v", plain, res)
	}
	for i, sg := range res.Signatures {
		marker := " "
		if uint32(i) == res.ActiveSignature {
			marker = "*"
		}
		label := sg.Label
		var names []string
		for k, p := range sg.Parameters {
			r, ok := p.Label.([2]uint32)
			if !ok || r[0] > r[1] || int(r[1]) > len(label) {
				t.Fatalf("parameter %d label %v out of %q", k, p.Label, label)
			}
			name := sg.Label[r[0]:r[1]]
			if s, _ := plain.Signatures[i].Parameters[k].Label.(string); s != name {
				t.Errorf("string label %q, offsets give %q", s, name)
			}
			if p.Documentation != nil {
				name += " (documented)"
			}
			names = append(names, name)
		}
		if uint32(i) == res.ActiveSignature && int(res.ActiveParameter) < len(sg.Parameters) {
			r := sg.Parameters[res.ActiveParameter].Label.([2]uint32)
			label = label[:r[0]] + "«" + label[r[0]:r[1]] + "»" + label[r[1]:]
		}
		fmt.Fprintf(&b, "%s %s\n", marker, label)
		if len(names) > 0 {
			fmt.Fprintf(&b, "    params: %s\n", strings.Join(names, ", "))
		}
		if sg.Documentation != nil {
			if sg.Documentation.Kind != string(protocol.Markdown) {
				t.Errorf("documentation kind %s", sg.Documentation.Kind)
			}
			fmt.Fprintf(&b, "    doc: %s\n", ide.OneLine(sg.Documentation.Value, 72))
		}
	}
	if int(res.ActiveParameter) >= len(res.Signatures[res.ActiveSignature].Parameters) {
		fmt.Fprintf(&b, "no active parameter (%d)\n", res.ActiveParameter)
	}
	ar.Want(t, b.String())
}

// initializeWith runs initialize and initialized with these client
// capabilities under textDocument.
func (c *testClient) initializeWith(textDocument map[string]any) protocol.InitializeResult {
	c.t.Helper()
	var res protocol.InitializeResult
	c.callOK(protocol.MethodInitialize, map[string]any{
		"processId": nil, "rootUri": nil,
		"capabilities": map[string]any{"textDocument": textDocument},
	}, &res)
	c.notify(protocol.MethodInitialized, map[string]any{})
	return res
}

// at is the params of a request at a position of a document.
func at(uri string, line, char int) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}
}

// The text features are advertised, with signature help's trigger characters.
func TestTextFeatureCapabilities(t *testing.T) {
	c := startServer(t, testOptions{})
	var res struct {
		Capabilities map[string]json.RawMessage `json:"capabilities"`
	}
	c.callOK(protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}}, &res)
	for key, want := range map[string]string{
		"signatureHelpProvider":  `{"triggerCharacters":["(",","]}`,
		"definitionProvider":     `true`,
		"documentSymbolProvider": `true`,
		"foldingRangeProvider":   `true`,
	} {
		if got := string(res.Capabilities[key]); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
}

// Over the pipe: offsets and Markdown for a client that supports them,
// string labels and plain text for one that does not, the user's choice of
// signature kept on a retrigger, null outside a call and for an unknown
// document.
func TestSignatureHelpEndToEnd(t *testing.T) {
	const uri = "file:///work/sig.sql"
	const text = "SELECT count(a, b) FROM t"
	rich := startServer(t, testOptions{})
	rich.initializeWith(map[string]any{"signatureHelp": map[string]any{"signatureInformation": map[string]any{
		"documentationFormat":  []string{"markdown", "plaintext"},
		"parameterInformation": map[string]any{"labelOffsetSupport": true},
	}}})
	rich.open(uri, text)
	var got ide.SignatureHelp
	rich.callOK(protocol.MethodTextDocumentSignatureHelp, at(uri, 0, 16), &got)
	if len(got.Signatures) != 3 || got.ActiveSignature != 1 || got.ActiveParameter != 1 {
		t.Fatalf("count(a, |b): %+v", got)
	}
	sg := got.Signatures[1]
	if sg.Label != "count(expr[, expr...])" || sg.Documentation == nil || sg.Documentation.Kind != string(protocol.Markdown) {
		t.Errorf("signature %+v", sg)
	}
	if p, ok := sg.Parameters[1].Label.([]any); !ok || len(p) != 2 || p[0] != 13.0 || p[1] != 20.0 {
		t.Errorf("second parameter label %#v, want [13 20]", sg.Parameters[1].Label)
	}
	// A retrigger keeps the signature the user chose (count(DISTINCT …)).
	params := at(uri, 0, 16)
	params["context"] = map[string]any{"triggerKind": 3, "isRetrigger": true, "activeSignatureHelp": map[string]any{"signatures": []any{}, "activeSignature": 2}}
	rich.callOK(protocol.MethodTextDocumentSignatureHelp, params, &got)
	if got.ActiveSignature != 2 {
		t.Errorf("retrigger: active signature %d, want 2", got.ActiveSignature)
	}
	for _, p := range []map[string]any{at(uri, 0, 3), at("file:///work/closed.sql", 0, 16)} {
		if m := rich.call(protocol.MethodTextDocumentSignatureHelp, p); m.Error != nil || string(m.Result) != "null" {
			t.Errorf("%v: %s %+v", p, m.Result, m.Error)
		}
	}

	plain := startServer(t, testOptions{})
	plain.initializeWith(nil)
	plain.open(uri, text)
	plain.callOK(protocol.MethodTextDocumentSignatureHelp, at(uri, 0, 16), &got)
	sg = got.Signatures[got.ActiveSignature]
	if p, ok := sg.Parameters[1].Label.(string); !ok || p != "expr..." || sg.Documentation.Kind != string(protocol.PlainText) {
		t.Errorf("plain client: %+v", sg)
	}
}
